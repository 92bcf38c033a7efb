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


# Indicator tables with one target column, with 半年/全年 and with 中期/年度 columns, and a
# report's 年度绩效目标 and scoring tables (its scoring appendix, a page of prose per row,
# scrolls in its region by design).
INDICATOR_PAGES = [
    "shanghai-justice/2023/office-renovation/index.html",
    "lianyungang-justice/2024/community-corrections/index.html",
    "kunming-chenggong-justice/2020/community-corrections-funds/index.html",
    "shenzhen-justice/2020/community-corrections-resettlement/index.html",
]
# Every indicator's name and the cells of its row, where they are on the screen as the
# page opens, and what the browser's layout made of the table's parts.
INDICATOR_ROWS_ON_SCREEN = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right}; };
  return {
    screen: document.documentElement.clientWidth,
    page: document.documentElement.scrollWidth,
    tables: [...document.querySelectorAll('table.indicators:not(.appendix)')].map(t => ({
      caption: t.caption.innerText,
      rows: [...t.querySelectorAll('tbody tr:has(th.level-3)')].map(tr => ({
        name: tr.querySelector('th.level-3').innerText,
        boxes: [box(tr.querySelector('th.level-3')), ...[...tr.querySelectorAll('td')].map(box)],
      })),
      displays: [...new Set([t, t.caption, ...t.querySelectorAll('tr, th, td')].map(
        e => getComputedStyle(e).display))],
    })),
  };
}"""


@pytest.mark.parametrize("width", [360, 800])
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("path", INDICATOR_PAGES)
def test_an_indicators_target_values_are_on_the_screen_beside_its_name(
        browser, served_seed, path, language, width):
    """At 360 px the value columns began off the screen (空调维修完成率's =100(%) at
    x = 456): a citizen saw level names and had to scroll sideways for every number. At
    800 px, English values kept on one line ('Higher professional standards in
    community corrections work') did the same."""
    with guarded_page(browser, width=width) as (page, _guard):
        page.goto(served_seed.url(f"{language}/{path}"))
        seen = page.evaluate(INDICATOR_ROWS_ON_SCREEN)
        assert seen["page"] <= seen["screen"], "the page itself scrolls sideways"
        assert seen["tables"]
        for table in seen["tables"]:
            assert table["rows"], table["caption"]
            for row in table["rows"]:
                assert len(row["boxes"]) >= 2, row["name"]
                for cell in row["boxes"]:
                    assert cell["left"] >= 0 and cell["right"] <= seen["screen"], (
                        table["caption"], row["name"], cell)
            # Still laid out as a table: display:block on its parts would drop the
            # table's roles in Chrome and Safari.
            assert set(table["displays"]) == {"table", "table-caption", "table-row",
                                              "table-cell"}, table["displays"]
        _assert_read_as_tables(page, [table["caption"] for table in seen["tables"]])


def _assert_read_as_tables(page, captions: list[str]) -> None:
    """Each named table, as chromium gives it to a screen reader: a table of rows with
    column headers, row headers spanning groups of rows, and cells."""
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    nodes = {node["nodeId"]: node for node in tree}

    def roles_under(node) -> list[str]:
        found = []
        for child in node.get("childIds", []):
            if child in nodes:
                found.append(nodes[child].get("role", {}).get("value"))
                found.extend(roles_under(nodes[child]))
        return found

    tables = {node.get("name", {}).get("value"): node for node in tree
              if node.get("role", {}).get("value") == "table"}
    for caption in captions:
        assert caption in tables, (caption, list(tables))
        roles = roles_under(tables[caption])
        assert {"caption", "row", "columnheader", "rowheader", "cell"} <= set(roles), caption
        assert roles.count("columnheader") >= 4, caption
    spanning = page.locator("table.indicators:not(.appendix) th[scope=rowgroup][rowspan]")
    assert spanning.count() >= 2
