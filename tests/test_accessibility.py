"""axe-core on every kind of page, in both languages, at a desktop and a 320 px phone width.

axe runs inside the same headless chromium as the search tests (injected from the
project's node_modules, which `make test` fills); any violation fails. No page may ask
for anything outside this machine. axe cannot see everything (PITFALLS: captions, scope
and the `lang` of parts are checked by tests/test_bilingual.py and test_seed_pages.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from sitegen.browser import LocalSite, guarded_page
from sitegen.errorpage import error_page
from sitegen.errors import Diagnostic, Position

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 320)
PAGES: dict[str, str | dict[str, str]] = {
    "home": "index.html",
    "publisher listing": "shanghai-justice/index.html",
    "year listing": "shanghai-justice/2023/index.html",
    "table": "shanghai-justice/2023/office-renovation/index.html",
    "report": "shenzhen-justice/2020/community-corrections-resettlement/index.html",
    # A word in the page language: the English pages hold no Chinese text to find.
    "search": {"zh": "search/index.html?q=满意度", "en": "search/index.html?q=satisfaction"},
}
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: `make test` installs axe-core into node_modules/")
    return AXE.read_text(encoding="utf-8")


def violations(browser, url: str, width: int, axe_source: str, prepare=None) -> list[str]:
    with guarded_page(browser, width=width) as (page, guard):
        page.goto(url)
        if prepare:
            prepare(page)
        page.add_script_tag(content=axe_source)
        found = page.evaluate(RUN_AXE)
        assert guard.tried == [], guard.tried
        return found


def _search_results_and_filters(page) -> None:
    page.wait_for_selector("#search-results li")
    page.click("#search-filters summary")
    page.wait_for_selector("#search-filter-groups fieldset")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_axe_violations(browser, served_seed, axe_source, kind, language, width):
    path = PAGES[kind] if isinstance(PAGES[kind], str) else PAGES[kind][language]
    url = served_seed.url(f"{language}/{path}")
    prepare = _search_results_and_filters if kind == "search" else None
    assert violations(browser, url, width, axe_source, prepare) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_no_axe_violations_on_the_preview_error_page(browser, axe_source, width,
                                                     tmp_path: Path):
    record = tmp_path / "content" / "test-bureau" / "2023" / "a.yaml"
    record.parent.mkdir(parents=True)
    record.write_text("kind: target-table\nyear: [\n", encoding="utf-8")
    problem = Diagnostic(Position("content/test-bureau/2023/a.yaml", 2, 7), "error",
                         "expected a value, found the end of the file", "yaml")
    (tmp_path / "error.html").write_text(error_page([problem], tmp_path, "0"), encoding="utf-8")
    site = LocalSite(tmp_path)
    try:
        assert violations(browser, site.url("error.html"), width, axe_source) == []
    finally:
        site.close()


def test_the_harness_reports_violations_and_offsite_requests(browser, axe_source, tmp_path):
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html><head><title>x</title></head><body><main><img src="a.png">'
        '<img src="https://example.org/x.png" alt="x"></main></body></html>', encoding="utf-8")
    site = LocalSite(tmp_path)
    try:
        with guarded_page(browser) as (page, guard):
            page.goto(site.url("bad.html"))
            page.add_script_tag(content=axe_source)
            found = " ".join(page.evaluate(RUN_AXE))
            assert "image-alt" in found and "html-has-lang" in found
            assert guard.tried == ["https://example.org/x.png"]
    finally:
        site.close()


@pytest.mark.parametrize("path", [
    "en/lianyungang-justice/2024/community-corrections/index.html",
    "zh/shenzhen-justice/2020/community-corrections-resettlement/index.html"])
def test_a_wide_tables_caption_is_read_whole_on_a_phone(browser, served_seed, path):
    """A caption is as wide as its table; in a table wider than the screen its words ran
    past the screen's edge ("Project funding: income (CNY, converted fro…")."""
    with guarded_page(browser, width=360) as (page, _guard):
        page.goto(served_seed.url(path))
        captions = page.locator(".table-scroll caption").all()
        assert len(captions) >= 3
        for caption in captions:
            words = caption.locator(".caption-text").bounding_box()
            assert words is not None and words["x"] >= 0 and words["x"] + words["width"] <= 360, (
                caption.inner_text())


def test_the_score_charts_words_are_readable_on_a_phone(browser, served_seed):
    """Drawn 640 wide and shrunk to a phone's column, its labels were 7 px high."""
    with guarded_page(browser, width=360) as (page, _guard):
        page.goto(served_seed.url(
            "zh/shenzhen-justice/2020/community-corrections-resettlement/index.html"))
        labels = page.locator("svg.score-chart text").all()
        assert len(labels) >= 6
        assert min(label.bounding_box()["height"] for label in labels) >= 11
