"""Render stage: pages → HTML through Jinja templates.

Every template autoescapes (PITFALLS: `select_autoescape` would leave `.j2` raw), a missing
field is an error (StrictUndefined), and record text is only ever data in a template,
never a template itself.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import CodeType, FunctionType, MethodType
from typing import Any

import jinja2
import jinja2.runtime
from jinja2 import nodes
from markupsafe import Markup, escape

try:  # markupsafe's C escaping of a str, without the Markup around it
    from markupsafe._speedups import _escape_inner as _escape_text
except ImportError:  # pragma: no cover - markupsafe without its C speedups, or renamed
    _escape_text = escape

from .compiling import (
    LOCALIZER_CLASS,
    NO_ATTRIBUTE,
    NO_ATTRIBUTE_NAME,
    CodeGenerator,
    DirectCalls,
    IncludeInliner,
)
from .errors import Diagnostics, Position
from .glossary import Glossary
from .localize import (
    english_amount,
    english_date,
    english_text,
    english_value,
    english_years,
)
from .markup import CHINESE_RUN
from .model import IndicatorValue, Text
from .search import template_helpers, with_search_words
from .site import IndicatorRow, Page, home_path, publisher_path, search_path, year_path
from .values import format_amount

HTML_LANG = {"zh": "zh-CN", "en": "en"}


@lru_cache(maxsize=4096)
def mark_chinese(english: str) -> Markup:
    """English text with any Chinese it quotes marked `lang="zh-CN"` (for screen readers).

    Cached: the same standard terms and values recur on every English page.
    """
    parts, last = [], 0
    for run in CHINESE_RUN.finditer(english):
        parts.append(escape(english[last:run.start()]))
        parts.append(Markup('<span lang="zh-CN">{}</span>').format(run.group()))
        last = run.end()
    parts.append(escape(english[last:]))
    return Markup("").join(parts)
OTHER_LANGUAGE = {"zh": "en", "en": "zh"}


def _ui_words(glossary: Glossary, key: str, language: str) -> str:
    words = glossary.ui[key]
    # `is not None`: an English of "" is a deliberate blank (the " 页" after a page count)
    return words.en if language == "en" and words.en is not None else words.zh


@dataclass(slots=True)  # not frozen: a frozen class's __init__ costs twice as much
class RowWords:
    """One row of an indicator table (site.IndicatorRow) in the page's language: each
    cell's words worked out once here, not call by call in `_indicator_rows.html` (the
    indicator table was a sixth of a cold build, most of it the template's calls)."""

    first_span: int
    first: str | Markup | None  # None: the level is not named (or its cell is not here)
    first_note: str | Markup
    second_span: int
    second: str | Markup | None
    second_note: str | Markup
    name: str | Markup | None  # None: a level printed with no indicators
    note: str | Markup
    missing: str | Markup | None  # why the source lost the values, if it did
    values: tuple[str | Markup | None, ...]  # None: a blank cell
    number: int = 0  # the row's place in the table, from 1: its anchor (a loop's index
    # would make Jinja keep a loop object, a call at every row)


class Localizer:
    """Words and numbers in one page language; handed to templates as `l`.

    On English pages a text with no English is shown in Chinese, marked `lang="zh-CN"`
    and labelled "not yet translated" — never a blank cell.
    """

    def __init__(self, language: str, glossary: Glossary) -> None:
        self.language = language
        self.glossary = glossary
        self.html_lang = HTML_LANG[language]
        self.other = OTHER_LANGUAGE[language]
        self.other_html_lang = HTML_LANG[self.other]

    def ui(self, key: str) -> str:
        return _ui_words(self.glossary, key, self.language)

    def other_ui(self, key: str) -> str:
        return _ui_words(self.glossary, key, self.other)

    def english_of(self, text: Text | str) -> str | None:
        return english_text(text, self.glossary)

    def plain(self, text: Text | str | None) -> str:
        """Text for places that cannot hold markup (<title>, attributes)."""
        if text is None:
            return ""
        zh = text.zh if isinstance(text, Text) else text
        return (self.english_of(text) or zh) if self.language == "en" else zh

    def text(self, text: Text | str | None) -> str | Markup:
        """Record text or a standard term in the page language."""
        if text is None:
            return ""
        zh = text.zh if isinstance(text, Text) else text
        if self.language == "zh":
            return zh
        english = self.english_of(text)
        return mark_chinese(english) if english else self.untranslated(zh)

    def untranslated(self, zh: str) -> Markup:
        return Markup('<span lang="zh-CN">{}</span> <span class="untranslated">({})</span>'
                      ).format(zh, self.ui("not_translated"))

    def paragraphs(self, text: Text | str | None) -> Markup:
        """Text as paragraphs: each line of the source is one paragraph."""
        if text is None:
            return Markup("")
        zh = text.zh if isinstance(text, Text) else text
        english = self.english_of(text) if self.language == "en" else None
        body, lang = (english, None) if english or self.language == "zh" else (zh, "zh-CN")
        lines = [line.strip() for line in (body or zh).splitlines() if line.strip()]
        opening = Markup('<p lang="{}">').format(lang) if lang else Markup("<p>")
        mark = mark_chinese if self.language == "en" and not lang else escape
        html = Markup("\n").join(opening + mark(line) + Markup("</p>") for line in lines)
        if lang:
            html += Markup('\n<p class="untranslated">({})</p>').format(self.ui("not_translated"))
        return html

    def amount(self, amount: Decimal | None, unit: str = "元", as_printed: bool = False
               ) -> str:
        """An amount in the page's language: in English, in yuan, unless it is to be shown
        `as_printed` (a table whose unit the source got wrong: converting it would
        publish a figure 10,000 times off as the site's own)."""
        if amount is None:
            return ""
        if self.language == "en" and not as_printed:
            return english_amount(amount, unit)
        return format_amount(amount)

    def unit_caption(self, unit: str, as_printed: bool = False) -> str:
        if self.language == "zh":
            return f"（单位：{unit}）"
        if as_printed:
            return (" (figures as printed; the source labels them in "
                    f"{'yuan' if unit == '元' else '10,000 yuan'}, but see the note below)")
        return " (CNY)" if unit == "元" else " (CNY, converted from 10,000 yuan)"

    def value(self, value: IndicatorValue | None) -> str | Markup:
        if value is None:
            return ""
        if self.language == "zh":
            return value.raw
        return english_value(value, self.glossary) or self.untranslated(value.raw)

    def row_words(self, rows: Sequence[IndicatorRow]) -> list[RowWords]:
        return [self._row_words(row, number) for number, row in enumerate(rows, 1)]

    def _row_words(self, row: IndicatorRow, number: int) -> RowWords:
        # Keywords, not a dict of the level cells spread into RowWords: eighty rows a
        # table, and the dict was a third of their cost.
        text, indicator = self.text, row.indicator
        first = second = None
        first_note = second_note = ""
        if row.first_span:  # a level's cell only where its span starts
            first, first_note = self._level_name(row.first.name), text(row.first.note)
        if row.second_span:
            second, second_note = self._level_name(row.second.name), text(row.second.note)
        if indicator is None:
            return RowWords(first_span=row.first_span, first=first, first_note=first_note,
                            second_span=row.second_span, second=second,
                            second_note=second_note, name=None, note="", missing=None,
                            values=(), number=number)
        value = self.value
        return RowWords(
            first_span=row.first_span, first=first, first_note=first_note,
            second_span=row.second_span, second=second, second_note=second_note,
            name=text(indicator.name), note=text(indicator.note),
            missing=text(indicator.missing) if indicator.missing else None,
            values=tuple([None if cell is None else value(cell) for cell in indicator.values]),
            number=number)

    def _level_name(self, name: Text | None) -> str | Markup | None:
        return None if name is None else self.text(name)

    def years(self, text: str | None) -> str | Markup:
        if not text or self.language == "zh":
            return text or ""
        return mark_chinese(english_years(text))

    def fact(self, key: str, value: Text) -> str | Markup:
        if self.language == "en" and key in ("start", "end"):
            return english_date(value.zh)
        return self.text(value)


# What templates may call on `l` the direct way (compiling.DirectCalls).
LOCALIZER_METHODS = frozenset(name for name, member in vars(Localizer).items()
                              if isinstance(member, FunctionType) and not name.startswith("_"))


def make_environment(templates_dir: Path, search_words: bool = False,
                     stock: bool = False) -> jinja2.Environment:
    """The Jinja environment of every page; `search_words`: record pages carry the pair
    words and the meta tags the search index needs (`search.with_search_words`,
    `_search_meta.html`), only when a build indexes: a preview or `--no-search` build
    would spend ~1 ms a page on words nothing reads. `stock`: templates compiled as
    Jinja compiles them, not as compiling.py does (for naming a fault's line)."""
    environment = _Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # No stat of the template file at every include (a sixth of all Jinja time): a
        # build reads each template once, and the preview makes a new environment when
        # a template changes.
        auto_reload=False,
    )
    environment.stock = stock
    environment.partials_compile = {}
    environment.context_class = _Context
    environment.template_class = _Template
    environment.filters["with_search_words"] = with_search_words if search_words else Markup
    environment.globals["search_indexed"] = search_words
    environment.globals.update(template_helpers())
    # The site's addresses, from site.py alone: templates never spell a path themselves.
    environment.globals.update(home_path=home_path, publisher_path=publisher_path,
                               year_path=year_path, search_path=search_path)
    return environment


class _Environment(jinja2.Environment):
    """Jinja's environment, with each template's globals a plain dict, and (unless
    `stock`) compiled with less work for the same words (compiling.py).

    Jinja chains a template's globals onto the environment's (a ChainMap), and every page
    and every include walks that chain whole to start its context: `set(globals)` and
    `dict(globals, **vars)`, 2-3 % of a build. A snapshot taken as the template loads
    gives the same names, since ours are all set before any template loads (as Jinja
    asks: "avoid modifying any globals after a template is loaded")."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        template = super()._parse(source, name, filename)
        if self.stock:
            return template
        inliner = IncludeInliner(self, (name,), self.partials_compile)
        return DirectCalls(LOCALIZER_METHODS).calls(inliner.inline(template))

    # Both set by make_environment before the first template loads.
    stock = False
    partials_compile: dict[str, bool]  # compiling.IncludeInliner's, for every template
    code_generator_class = CodeGenerator


def escaped(value: Any) -> str:
    """What `{{ value }}` puts on a page: markupsafe.escape's text, as a plain str.

    Jinja hands each escaped value straight to the page, or to a buffer it marks safe
    itself, so the Markup object markupsafe wraps every one in is never used: making it
    was 5 % of a build's CPU."""
    if value.__class__ is str:
        return _escape_text(value)
    html = getattr(value, "__html__", None)  # Markup and anything else that is HTML already
    return html() if html is not None else _escape_text(str(value))


class _Template(jinja2.Template):
    """A compiled template whose `{{ … }}` escape with `escaped`."""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: CodeType,
                  globals: MutableMapping[str, Any], uptodate: Callable[[], bool] | None = None
                  ) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        # The name every output expression of the template's code calls (jinja2.compiler).
        template.root_render_func.__globals__["escape"] = escaped
        template.root_render_func.__globals__[LOCALIZER_CLASS] = Localizer  # compiling.py
        template.root_render_func.__globals__[NO_ATTRIBUTE_NAME] = NO_ATTRIBUTE  # compiling.py
        return template


class _Context(jinja2.runtime.Context):
    """Jinja's template context, calling plain functions and methods the short way.

    Every `{{ l.text(x) }}` goes through Context.call, which looks three times over for a
    `pass_context`-style marker before it calls: a tenth of a cold build. A function or
    method without the marker is called at once, exactly as Context.call would call it.
    """

    def call(self, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        if type(obj) not in (MethodType, FunctionType) or hasattr(obj, "jinja_pass_arg"):
            return super().call(obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)  # what the compiled template adds for markers
        kwargs.pop("_loop_vars", None)
        try:
            return obj(*args, **kwargs)
        except StopIteration:  # as Context.call: a generator's end is no value
            return self.environment.undefined("value was undefined because a callable "
                                              "raised a StopIteration exception")


class HtmlRenderer:
    """Renders planned pages with one shared Jinja environment."""

    def __init__(self, templates_dir: Path, glossary: Glossary, search_words: bool = False
                 ) -> None:
        self.environment = make_environment(templates_dir, search_words)
        self.glossary = glossary
        self.templates_dir, self.search_words = templates_dir, search_words
        self._exact: jinja2.Environment | None = None  # made on the first failure

    def render(self, page: Page) -> str:
        return self._render(self.environment, page)

    def failure_in_place(self, page: Page) -> Exception | None:
        """Why `page` fails to render, raised from the partial and line where it does:
        rendered again as stock Jinja compiles it (compiling.py)."""
        if self._exact is None:
            self._exact = make_environment(self.templates_dir, self.search_words,
                                           stock=True)
        try:
            self._render(self._exact, page)
        except _TEMPLATE_FAULTS as broken:
            return broken
        return None

    def _render(self, environment: jinja2.Environment, page: Page) -> str:
        template = environment.get_template(page.template)
        return template.render(
            page=page,
            l=Localizer(page.language, self.glossary),
            url=page.link,
            forms=self.glossary.forms,
            **page.context,
        )


# A template calling l.ui('no-such-key') or a method with wrong arguments raises one of
# the last four: still the template's mistake, reported at its line like Jinja's own.
_TEMPLATE_FAULTS = (jinja2.TemplateError, KeyError, AttributeError, TypeError, ValueError)


def render_page(renderer: HtmlRenderer, page: Page, diagnostics: Diagnostics) -> str:
    """One page's HTML; a template mistake becomes a diagnostic naming template and line."""
    try:
        return renderer.render(page)
    except _TEMPLATE_FAULTS as first:
        _report_template_fault(renderer.failure_in_place(page) or first, page, diagnostics)
    return ""


def _report_template_fault(broken: Exception, page: Page, diagnostics: Diagnostics) -> None:
    if isinstance(broken, jinja2.TemplateSyntaxError):
        diagnostics.error(Position(f"templates/{broken.name or broken.filename}",
                                   broken.lineno), f"template syntax: {broken.message}",
                          "template")
    elif isinstance(broken, jinja2.TemplateError):
        diagnostics.error(_template_line(broken), f"while rendering {page.path}: {broken}",
                          "template")
    else:
        diagnostics.error(_template_line(broken), f"while rendering {page.path}: "
                          f"{type(broken).__name__}: {broken}", "template")


def _template_line(error: Exception) -> Position:
    """The innermost template frame of a rendering error, as templates/x.html:line."""
    trace = error.__traceback__
    found = Position("templates")
    while trace is not None:
        name = trace.tb_frame.f_code.co_filename
        if name.endswith(".html"):
            found = Position(f"templates/{Path(name).name}", trace.tb_lineno)
        trace = trace.tb_next
    return found
