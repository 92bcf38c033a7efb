"""Search, page side: what each record page tells the search index beyond its text.

Pagefind's extended build, left to itself, cuts Chinese with jieba when it indexes and
with the browser's `Intl.Segmenter` when it searches; the two disagree, so short and
domain terms are missed (upstream issue #1237: on the seed tables 产出 found 3 of 9 pages,
"产出指标" none). So every record page also carries, in a `hidden` element Pagefind still
indexes, each pair of adjacent Chinese characters of its text as one ASCII word no
segmenter cuts (`qz` and the two code points as six digits each). `theme/search.js`
turns a Chinese query into the same words, all of which must match, and keeps only the
pages whose text holds the query itself: every page containing the string is found, and
no other. A lone character goes as the beginning its pair words share, a prefix for
Pagefind.

Since nothing asks for jieba's words any more, Chinese pages are indexed without it
(`search_index.py`); the Latin words it would have cut out of Chinese text (UPS电池) are
added to the hidden element instead, as words of their own.

Figures get words of their own too, on every record page: `qf` and the figure as a reader
would type it (80,000.00 → qf80000, 1.50 → qf1d5). Pagefind's own words for figures are
no way to find one: it drops the punctuation inside a word (8000.00 → 800000, a figure
the page does not hold), indexes the pieces of 80,000 (80 and 000), and matches every
query word as a beginning (80000 finds 800000). `theme/search.js` asks Pagefind for a
figure's word exactly, so a figure finds the pages that show it, and only those.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from markupsafe import Markup

from .evaluation import EvaluationReport
from .model import TargetTable, Text
from .report_layout import ScoreRow
from .search_index import FIGURE_WORD_PREFIX, PAIR_WORD_PREFIX, SEARCH_WORDS_OPEN
from .site import IndicatorRow

# Han characters: the basic block, extension A, compatibility ideographs, extensions B–H.
# theme/search.js uses the same ranges; keep them in step.
HAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]"
HAN_PAIR = re.compile(f"(?=({HAN}{HAN}))")  # every pair, overlapping: 社区矫 → 社区, 区矫
# A run of ASCII written against a character outside ASCII (a Chinese character, 、 or
# ≥): Pagefind, splitting a Chinese page only at spaces, would make one word of the two.
GLUED_RUN = re.compile(r"(?<=[^\x00-\x7f])[!-~]+|[!-~]+(?=[^\x00-\x7f])")
_LATIN_WORD = re.compile(r"[0-9A-Za-z]+")
_NOT_LATIN = re.compile(r"[^0-9A-Za-z]")
_LETTER = re.compile(r"[A-Za-z]")
# A figure as a reader sees one: digits, in groups of three with commas or not, perhaps
# with a decimal part; not part of a word (A3), of a longer figure or of a version number
# (the 3 of 1.2.3). theme/search.js reads a query's figures with the same expression
# (FIGURE there; a test keeps the two the same).
FIGURE = re.compile(r"(?<![0-9A-Za-z.])([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?(?![0-9])")
# The first word of the hidden element: theme/search.js cuts a page's text there, so the
# words after it never show in a snippet (the same spelling there; a test keeps it so).
SEARCH_WORDS_MARK = "sitegensearchwords"

# Pagefind joins the text of these elements to their neighbours; every other element is
# a boundary. A pair of characters split by a boundary is no pair a reader sees, so it
# gets no word (Pagefind's own list, fossick/parser.rs INLINE_SELECTORS, plus the inline
# elements it has no reason to split: mark, s, u, bdi, data, wbr, ins, del).
INLINE_TAGS = frozenset((
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "button", "cite", "code", "data", "del",
    "dfn", "em", "i", "img", "input", "ins", "kbd", "map", "mark", "object", "output", "q",
    "s", "samp", "select", "small", "span", "strong", "sub", "sup", "textarea", "time", "tt",
    "u", "var", "wbr"))
# Pagefind drops the content of these elements (fossick/parser.rs REMOVE_SELECTORS).
_DROPPED = re.compile(
    r"<(svg|nav|form|noscript|script|style|template|footer|label|iframe|head)\b.*?</\1\s*>",
    re.S | re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
BOUNDARY = "\n"


def _tag_replacement(tag: re.Match[str]) -> str:
    return "" if tag.group(1).lower() in INLINE_TAGS else BOUNDARY


@lru_cache(maxsize=65536)
def _pair_word(pair: str) -> str:
    """Cached: the same pairs recur on page after page."""
    return f"{PAIR_WORD_PREFIX}{ord(pair[0]):06d}{ord(pair[1]):06d}"


def pair_word(first: str, second: str) -> str:
    """The index word for two adjacent Chinese characters, e.g. 产出 → qz020135020986."""
    return _pair_word(first + second)


def reader_text(page_html: str) -> str:
    """The page's text as a reader sees it, with a line break wherever an element starts
    a new block. Whole-page substitutions, not a walk over the tags: this runs on every
    page of every build."""
    text = _COMMENT.sub(BOUNDARY, _DROPPED.sub(BOUNDARY, page_html))
    return html.unescape(_TAG.sub(_tag_replacement, text))


def pair_words(page_html: str) -> list[str]:
    """Every distinct pair of adjacent Chinese characters in the page, as index words."""
    return _pair_words(reader_text(page_html))


def _pair_words(text: str) -> list[str]:
    """Distinct and sorted: a word found once finds the page as well as a word found often,
    and the list is a large part of what a browser downloads for each result, which
    sorted words (shared beginnings) make smaller once compressed."""
    return [_pair_word(pair) for pair in sorted(set(HAN_PAIR.findall(text)))]


def glued_words(text: str) -> list[str]:
    """Latin words written against Chinese characters or punctuation (UPS电池, COVID-19疫情),
    distinct and sorted, in the two forms a query can take: each run of letters and
    figures that holds a letter (UPS, COVID), and the whole as Pagefind makes a typed
    word of it, with all but letters and figures dropped (COVID19). Pagefind does not cut
    a Chinese page into words (search_index.py): it would index only the whole, Chinese
    characters included. Figures are not words here: `figure_words` has them all."""
    words: set[str] = set()
    for run in GLUED_RUN.findall(text):
        if _LETTER.search(run):
            words.update(word for word in _LATIN_WORD.findall(run) if _LETTER.search(word))
            words.add(_NOT_LATIN.sub("", run))
    return sorted(words)


def figure_word(whole: str, decimals: str | None) -> str:
    """The index word of a figure, from its whole part and decimal digits as `FIGURE`
    reads them: thousands commas and trailing decimal zeros dropped, the decimal point
    written d, so that no two figures share a word (80,000.00 → qf80000, 1.50 → qf1d5,
    15 → qf15). Leading zeros stay: 010 is printed so for a reason."""
    decimals = (decimals or "").rstrip("0")
    whole = whole.replace(",", "")
    return f"{FIGURE_WORD_PREFIX}{whole}d{decimals}" if decimals else f"{FIGURE_WORD_PREFIX}{whole}"


def figure_words(text: str) -> list[str]:
    """Every figure of the text as its index word, distinct and sorted."""
    return sorted({figure_word(whole, decimals) for whole, decimals in FIGURE.findall(text)})


def search_words(page_html: str) -> list[str]:
    """What a record page adds to the index: the mark, its pair words, its glued words,
    its figure words."""
    text = reader_text(page_html)
    return [SEARCH_WORDS_MARK, *_pair_words(text), *glued_words(text), *figure_words(text)]


def with_search_words(page_html: str) -> Markup:
    """Jinja filter: the HTML followed by its search words in an element no one sees.

    `hidden` rather than a visually-hidden class: Pagefind indexes it all the same, and
    screen readers, copying and reader views leave it out.
    """
    words = " ".join(search_words(str(page_html)))
    return Markup(page_html) + Markup(f"\n{SEARCH_WORDS_OPEN}{{}}</div>\n").format(words)


@dataclass(frozen=True)
class SearchFacts:
    """What the search page filters and sorts a record by."""

    category: Text | str | None
    levels: tuple[Text, ...]
    amount: Decimal


def search_facts(record: TargetTable | EvaluationReport) -> SearchFacts:
    """Category (项目类别), first-level indicator names, and the amount to sort by.

    Every page gets an amount to sort by, 0 where none was filed: Pagefind silently leaves
    out of a sorted search every page that lacks the sort key.
    """
    if isinstance(record, EvaluationReport):
        names = [first.name for first in record.scoring.first_levels]
        category = None
    else:
        names = [first.name for first in record.indicators.first_levels if first.name]
        category = record.project.facts.get("category")
    unique = {(name.zh if isinstance(name, Text) else name): name for name in names}
    return SearchFacts(category, tuple(unique.values()), record.amount_in_yuan or Decimal(0))


def indicator_anchors(name_of: Callable[[Text], str], rows: Sequence[IndicatorRow],
                      scored: Sequence[ScoreRow] = ()) -> str:
    """JSON `[[row id, indicator name], …]`, so that a result can link to its indicator row.

    `name_of` is the page's `l.plain` (names in the page's language); the ids are those the
    templates give the rows: `indicator-<row>` for target indicators (`_indicators.html`,
    `_report_tables.html`), `scored-<row>` for a report's scoring table.
    """
    named = [(f"indicator-{number}", name_of(row.indicator.name))
             for number, row in enumerate(rows, 1) if row.indicator is not None]
    named += [(f"scored-{number}", name_of(row.indicator.name))
              for number, row in enumerate(scored, 1)]
    return json.dumps(named, ensure_ascii=False, separators=(",", ":"))


def template_helpers() -> dict[str, object]:
    """What templates use of this module, registered by `render.make_environment`."""
    return {"search_facts": search_facts, "indicator_anchors": indicator_anchors}
