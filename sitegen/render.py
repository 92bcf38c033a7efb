"""Render stage: pages → HTML through Jinja templates.

Every template autoescapes (PITFALLS: `select_autoescape` would leave `.j2` raw), a missing
field is an error (StrictUndefined), and record text is only ever data in a template,
never a template itself.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .errors import Diagnostics, Position
from .glossary import Glossary
from .model import IndicatorValue, Text
from .site import Page
from .values import format_amount


class Localizer:
    """Words and numbers in one page language; handed to templates as `l`."""

    def __init__(self, language: str, glossary: Glossary) -> None:
        self.language = language
        self.glossary = glossary

    def ui(self, key: str) -> str:
        words = self.glossary.ui[key]
        return words.en if self.language == "en" and words.en else words.zh

    def text(self, text: Text | str | None) -> str:
        """Record text in the page language (Chinese until the English side exists)."""
        if text is None:
            return ""
        if isinstance(text, str):
            return text
        return text.en if self.language == "en" and text.en else text.zh

    def term(self, zh: str | None) -> str:
        """A standard term (label, level name), translated by the glossary on English pages."""
        if zh is None:
            return ""
        if self.language == "en":
            return self.glossary.english(zh) or zh
        return zh

    def amount(self, amount: Decimal | None) -> str:
        return "" if amount is None else format_amount(amount)

    def value(self, value: IndicatorValue | None) -> str:
        return "" if value is None else value.raw

    def paragraphs(self, text: Text | str | None) -> Markup:
        """Text as paragraphs: a blank line (or a line break) starts a new one."""
        lines = [line.strip() for line in self.text(text).splitlines()]
        return Markup("\n").join(Markup("<p>{}</p>").format(line) for line in lines if line)


def make_environment(templates_dir: Path) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["escape_attr"] = escape
    return environment


class HtmlRenderer:
    """Renders planned pages with one shared Jinja environment."""

    def __init__(self, templates_dir: Path, glossary: Glossary) -> None:
        self.environment = make_environment(templates_dir)
        self.glossary = glossary

    def render(self, page: Page) -> str:
        template = self.environment.get_template(page.template)
        return template.render(
            page=page,
            l=Localizer(page.language, self.glossary),
            url=page.link,
            forms=self.glossary.forms,
            **page.context,
        )


def render_page(renderer: HtmlRenderer, page: Page, diagnostics: Diagnostics) -> str:
    """One page's HTML; a template mistake becomes a diagnostic naming template and line."""
    try:
        return renderer.render(page)
    except jinja2.TemplateSyntaxError as broken:
        diagnostics.error(Position(f"templates/{broken.name or broken.filename}",
                                   broken.lineno), f"template syntax: {broken.message}",
                          "template")
    except jinja2.TemplateError as broken:
        diagnostics.error(_template_line(broken), f"while rendering {page.path}: {broken}",
                          "template")
    return ""


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
