"""Checking search from the outside: what a plain substring scan of the built pages finds,
and the search page driven in a real browser, for the tests and `sitegen bench search`.

The scan reads the pages as a reader sees them (BeautifulSoup, written apart from the
regular expressions `search.py` indexes with), so recall measured against it tests those.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .search_index import LANGUAGE_RECORD_PAGES

# Elements whose text runs on into their neighbours' for a reader; every other element
# starts a new block. Pagefind leaves out the text of the dropped ones (navigation, forms,
# pictures), so the scan does too.
READER_INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i",
                 "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
                 "time", "u", "var"}
DROPPED = ["nav", "svg", "script", "style", "noscript", "template", "form", "footer",
           "label", "iframe", "[data-search-words]"]
# Chinese queries of two to six characters for the recall test (tests/test_search.py) and
# `sitegen bench search`: level names, terms of the forms, domain words, places, and
# strings no page holds (one of them split between two table cells).
CHINESE_QUERIES = [
    "产出", "效益", "一级指标", "二级指标", "三级指标", "产出指标", "效益指标", "满意度",
    "满意度指标", "矫正", "社区矫正", "社区矫正工作", "司法局", "上海市司法局", "培训", "数量指标",
    "质量指标", "时效指标", "成本指标", "社会效益", "完成率", "及时率", "服务对象", "法律服务",
    "公共法律服务", "安置帮教", "项目资金", "财政资金", "年度总体目标", "绩效目标", "戒毒", "律师",
    "调解", "普法", "考试", "维修", "经费", "指标值", "连云港", "昆明", "深圳", "评价", "得分",
    "原表缺失", "火箭发射", "指标数量",
]


# Figures as a citizen types them, for the figure test (tests/test_search.py): amounts and
# target values of the seed tables, their beginnings and endings (80 of 80,000, 800000 of
# 8000.00), one typed with commas, decimals, and a figure no page shows.
FIGURE_QUERIES = [
    "80000", "80,000", "8000", "800000", "80", "40000", "4000", "12348", "2023", "2024", "100",
    "95", "9,593,190.00", "9593190", "959", "48", "0.5", "1.5", "3", "010", "424242",
]
_FIGURE_RUN = re.compile(r"(?<![0-9A-Za-z.])[0-9][0-9,]*(?:\.[0-9]+)?")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})*")


def page_text(path: Path) -> str:
    """The text of a record page's indexed part, blocks on lines of their own."""
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    body = soup.select_one("[data-pagefind-body]")
    if body is None:
        return ""
    for dropped in body.select(", ".join(DROPPED)):
        dropped.decompose()
    parts: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                parts.append(str(child))
            elif isinstance(child, Tag):
                block = child.name not in READER_INLINE
                parts.append("\n" if block else "")
                walk(child)
                parts.append("\n" if block else "")
    walk(body)
    return "".join(parts)


def page_texts(build: Path, language: str) -> dict[str, str]:
    """Every indexed record page of one language: address inside build/ → its text."""
    pages = sorted((build / language).glob(LANGUAGE_RECORD_PAGES))
    texts = {path.relative_to(build).as_posix(): page_text(path) for path in pages}
    return {address: text for address, text in texts.items() if text}


def containing(texts: dict[str, str], query: str) -> set[str]:
    """The pages whose text holds `query` (the truth recall is measured against)."""
    return {address for address, text in texts.items() if query in text}


def figures_in(text: str) -> set[str]:
    """The figures a reader sees in `text`, each as digits with no thousands commas and
    no decimal zeros at the end (80,000.00 → 80000, 1.50 → 1.5): a run of digits and
    commas is one figure if its commas group thousands, else figures between commas."""
    found = set()
    for run in _FIGURE_RUN.findall(text):
        whole, _, decimals = run.rstrip(",").partition(".")
        pieces = [whole] if _THOUSANDS.fullmatch(whole) else whole.split(",")
        if decimals:
            pieces[-1] = f"{pieces[-1]}.{decimals}"
        found.update(_plain_figure(piece) for piece in pieces if piece[:1].isdigit())
    return found


def _plain_figure(figure: str) -> str:
    whole, _, decimals = figure.replace(",", "").partition(".")
    decimals = decimals.rstrip("0")
    return f"{whole}.{decimals}" if decimals else whole


def showing_figure(texts: dict[str, str], figure: str) -> set[str]:
    """The pages whose text shows the figure typed as `figure` (the truth for figures)."""
    wanted = _plain_figure(figure)
    return {address for address, text in texts.items() if wanted in figures_in(text)}


@dataclass(frozen=True)
class Score:
    query: str
    expected: int
    found: int
    correct: int

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0


def score(texts: dict[str, str], queries: Iterable[str],
          search: Callable[[str], set[str]],
          truth_of: Callable[[dict[str, str], str], set[str]] = containing) -> list[Score]:
    """Recall and precision of `search` for each query against the substring scan (or
    another `truth_of`)."""
    scores = []
    for query in queries:
        truth, found = truth_of(texts, query), search(query)
        scores.append(Score(query, len(truth), len(found), len(truth & found)))
    return scores


def overall(scores: list[Score]) -> tuple[float, float]:
    """Recall and precision over all queries (pages summed, not averaged per query)."""
    expected = sum(s.expected for s in scores)
    found = sum(s.found for s in scores)
    correct = sum(s.correct for s in scores)
    return (correct / expected if expected else 1.0, correct / found if found else 1.0)


_DONE = """query => {
  const status = document.getElementById('search-status');
  const list = document.getElementById('search-results');
  return status.dataset.query === query && list.getAttribute('aria-busy') === 'false';
}"""


class SearchPage:
    """The site's search page in a browser page, driven as a person would."""

    def __init__(self, page: Any, base: str, language: str, address: str = "") -> None:
        """Open the search page; `address`: a query string as a shared link carries it."""
        self.page = page
        self.base = base
        page.goto(f"{base}{language}/search/index.html{address}")
        page.wait_for_selector("#search-options:not([hidden]), #search-unavailable:not([hidden])")

    def run(self, query: str, act: Callable[[], None] | None = None,
            every: bool = True) -> list[str]:
        """Type `query` (or do `act`), wait for the results, and return their addresses
        inside the site, in order; with `every`, first ask for more until none are left."""
        self.page.evaluate("delete document.getElementById('search-status').dataset.query")
        (act or (lambda: self.page.fill("#search-query", query)))()
        return self.results_of(query, every)

    def results_of(self, query: str, every: bool = True) -> list[str]:
        """Wait for the results of `query`, already under way; then as `run`."""
        self.page.wait_for_function(_DONE, arg=query)
        while every and self.page.is_visible("#search-more"):
            self.page.evaluate("delete document.getElementById('search-status').dataset.query")
            self.page.click("#search-more")
            self.page.wait_for_function(_DONE, arg=query)
        return self.results()

    def results(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all(
            "#search-results .search-result-title a", "links => links.map(a => a.href)")
        return [href.removeprefix(self.base) for href in hrefs]

    def status(self) -> str:
        return self.page.inner_text("#search-status")
