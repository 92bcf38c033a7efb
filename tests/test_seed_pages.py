"""Every indicator name, value and amount of every seed table appears on its page.

Checked against the seed texts themselves (tests/seeds/, copies of ../shared/seeds), not
against our records: a cell dropped or mangled during transcription fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import RECORD, REPO, SEEDS

TARGET_SEEDS = {  # seed file → the records published from it (all of its target tables)
    "000_0e926121b19a6d04.txt": 2,
    "001_631d621fffda6fb0.txt": 12,
    "002_047861d4a24f9edf.txt": 1,
    "004_60cb99233723f4b4.txt": 1,
}
LATEX = {r"\geq": "≥", r"\leq": "≤", r"\%": "%", "$": ""}
# Cells that are extraction noise, not content: page-break fragments of the header, the
# heading between Kunming's preamble and its form, and its spaced-out block labels.
NOISE = {"绩效", "指标", "标", "绩效指标", "项目绩效目标表", "总体目标", "项目绩效目标"}


# Personal data the publisher chose not to show (publisher.yaml: show_contact_person).
WITHHELD = {"吕从娟"}
YEAR_LINE = re.compile(r"[(（]?\d{4}年度?[)）]?")
MARKUP = re.compile(r"</?(p|b)( [^>]*)?>|\[bookmark: [^\]]*\]")


def squeeze(text: str) -> str:
    """Compare without white space, thousands commas and markup debris."""
    for latex, plain in LATEX.items():
        text = text.replace(latex, plain)
    return re.sub(r"[\s,_]", "", MARKUP.sub("", text))


def seed_cells(seed: Path) -> list[str]:
    """Every non-empty cell of a seed text (tab- or line-separated); `label：value` cells
    count as two, since the page prints label and value in their own cells."""
    cells = []
    for line in seed.read_text(encoding="utf-8").splitlines():
        line = MARKUP.sub("\t", line)
        line = re.sub(r"(^|\t)\s*([^：\t]{2,8})：", "\\1\\2\t", line)
        for cell in line.split("\t"):
            cell = squeeze(cell.lstrip("#"))
            if not cell or cell in NOISE | WITHHELD or YEAR_LINE.fullmatch(cell):
                continue
            # Lost bullet glyphs came out as '?': each piece is its own paragraph now.
            cells.extend(piece for piece in cell.split("?") if piece)
    return cells


def records_from(seed_name: str) -> list[Path]:
    return sorted(p for p in (REPO / "content").rglob("*.yaml")
                  if f"source: {seed_name}" in p.read_text(encoding="utf-8"))


def page_text(build: Path, record: Path) -> str:
    publisher, year, name = record.parts[-3], record.parts[-2], record.stem
    html = (build / "zh" / publisher / year / name / "index.html").read_text(encoding="utf-8")
    return squeeze(BeautifulSoup(html, "html.parser").get_text(" "))


def unit_words(cell: str) -> list[str]:
    """A label like 项目总预算（元）： is printed as the label, its unit in the caption."""
    return [re.sub(r"[（(](元|万元)[)）][：:]?$|[：:]$", "", cell)]


@pytest.mark.parametrize("seed_name", sorted(TARGET_SEEDS))
def test_every_seed_cell_is_on_its_pages(seed_site: Path, seed_name: str):
    records = records_from(seed_name)
    assert len(records) == TARGET_SEEDS[seed_name], records
    pages = "".join(page_text(seed_site, record) for record in records)
    missing = [cell for cell in seed_cells(SEEDS / seed_name)
               if not any(word in pages for word in unit_words(cell))]
    assert not missing, f"{len(missing)} cells of {seed_name} are not on any page: {missing[:20]}"


def test_each_table_page_has_its_own_indicators(seed_site: Path):
    """Per table: the indicator names and values of its source segment are on its page."""
    seed = (SEEDS / "001_631d621fffda6fb0.txt").read_text(encoding="utf-8")
    segments = seed.split("## 财政项目支出绩效目标申报表")[1:]
    records = {int(p.read_text(encoding="utf-8").split("#", 2)[1].split()[0]): p
               for p in records_from("001_631d621fffda6fb0.txt")}
    for number, segment in enumerate(segments, 1):
        body = segment.split("三级指标", 1)[1]
        text = page_text(seed_site, records[number])
        cells = [squeeze(c) for line in body.splitlines() for c in line.split("\t")]
        absent = [c for c in cells if c and c not in NOISE and c not in text]
        assert not absent, (number, absent)


def test_withheld_personal_data_says_so(seed_site: Path):
    html = (seed_site / "zh/lianyungang-justice/2024/community-corrections/index.html"
            ).read_text(encoding="utf-8")
    assert "吕从娟" not in html
    assert re.search(r'<th scope="row">项目负责人/联系电话</th>\s*<td><em>发布单位未公开</em></td>',
                     html)
    record = REPO / "content/lianyungang-justice/2024/community-corrections.yaml"
    assert "contact_person: 吕从娟" in record.read_text(encoding="utf-8")  # kept, not lost


def test_lost_value_is_shown_as_missing_in_the_source(seed_site: Path):
    record = REPO / "content/shanghai-justice/2020/community-corrections-case-funds.yaml"
    html = (seed_site / "zh/shanghai-justice/2020/community-corrections-case-funds/index.html"
            ).read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    row = next(th.parent for th in soup.select("th.level-3")
               if str(th.contents[0]).strip() == "社区服刑人员重新犯罪率")
    cell = row.select_one("td.missing")
    assert cell is not None and "原表缺失" in cell.get_text()
    assert record.exists()


def test_english_page_says_what_the_source_lost_in_english(seed_site: Path):
    """The same rows on the English page: a lost value and a level the source left
    unnamed are said in English, never left blank or shown in Chinese."""
    lost = BeautifulSoup((seed_site / "en/shanghai-justice/2020/community-corrections-case-"
                          "funds/index.html").read_text(encoding="utf-8"), "html.parser")
    row = next(th.parent for th in lost.select("th.level-3")
               if str(th.contents[0]).strip().startswith("Reoffending rate of persons"))
    cell = row.select_one("td.missing")
    assert cell is not None
    assert cell.em.get_text() == "Missing in the source"
    assert cell.select_one(".note").get_text().startswith("The source lost this indicator")
    assert "原表" not in cell.get_text()
    unnamed = BeautifulSoup((seed_site / "en/lianyungang-justice/2024/community-corrections/"
                             "index.html").read_text(encoding="utf-8"), "html.parser")
    table = unnamed.select_one("table.indicators")
    not_given = table.select("th em.not-given")
    assert not_given and {em.get_text() for em in not_given} == {"Not given in the source"}
    empty = table.select("tr.empty-level td.level-3")
    assert [td.get_text() for td in empty] == ["No indicators in the source"] * 3
    assert "原表" not in table.get_text()


def test_listing_pages_show_amounts_and_totals(seed_site: Path):
    html = (seed_site / "zh/shanghai-justice/2023/index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    rows = soup.select("table.listing tbody tr")
    assert len(rows) == 12
    assert "9,593,190.00" in soup.get_text()
    total = soup.select_one("table.listing tfoot td.num").get_text()
    amounts = [r.select_one("td.num").get_text().replace(",", "") for r in rows]
    from decimal import Decimal
    assert Decimal(total.replace(",", "")) == sum(Decimal(a) for a in amounts)
    home = (seed_site / "zh/index.html").read_text(encoding="utf-8")
    for publisher in ("上海市司法局", "连云港市司法局", "昆明市呈贡区司法局"):
        assert publisher in home


@pytest.mark.parametrize(("language", "label"), [("zh", "当前位置"), ("en", "Breadcrumb")])
def test_the_trail_above_each_page_is_named_as_a_trail(seed_site: Path, language, label):
    """Named "Home" it was read out as "Home navigation", where its first link is Home."""
    for page in (f"{language}/shanghai-justice/index.html",
                 f"{language}/shanghai-justice/2023/index.html",
                 f"{language}/shanghai-justice/2023/office-renovation/index.html",
                 f"{language}/shenzhen-justice/2020/community-corrections-resettlement/"
                 "index.html"):
        soup = BeautifulSoup((seed_site / page).read_text(encoding="utf-8"), "html.parser")
        assert soup.select_one("nav.breadcrumbs")["aria-label"] == label, page


def test_a_years_listing_says_whether_it_lists_tables_or_reports(seed_site: Path):
    """Shenzhen 2020 has one evaluation report and no target table: its listing said
    绩效目标表, and the home page counted it among "表数"."""
    def caption(page: str) -> str:
        soup = BeautifulSoup((seed_site / page).read_text(encoding="utf-8"), "html.parser")
        return soup.select_one("table.listing caption").get_text()

    assert caption("zh/shenzhen-justice/2020/index.html").endswith("· 绩效评价报告")
    assert caption("en/shenzhen-justice/2020/index.html").endswith("· Evaluation reports")
    assert caption("zh/shanghai-justice/2023/index.html").endswith("· 绩效目标表")
    home = (seed_site / "zh/index.html").read_text(encoding="utf-8")
    assert "表与报告数: 1" in home and "表数:" not in home


def test_indicator_table_is_semantic(seed_site: Path):
    html = (seed_site / "zh/lianyungang-justice/2024/community-corrections/index.html"
            ).read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    table = soup.select_one("table.indicators")
    assert table.caption is not None
    assert all(th.get("scope") for th in table.select("th"))
    region = table.find_parent("div", class_="table-scroll")
    assert region["tabindex"] == "0" and region["role"] == "region"
    first = table.select_one("th.level-1")
    assert first.get_text(strip=True) == "决策" and int(first["rowspan"]) == 6
    # second levels printed with no indicators keep their row
    assert [th.get_text(strip=True) for th in table.select("tr.empty-level th.level-2")] == [
        "经济效益", "生态效益", "服务对象满意度"]
    assert "原表未注明" in table.get_text()
    assert soup.html["lang"] == "zh-CN"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_published_page_names_no_file_of_our_own_extraction(seed_site: Path, language):
    """`source: 001_631d621fffda6fb0.txt#12` names the text file `sitegen import` read and
    the table's place in it: nothing a citizen can look up, so no published page shows
    it (it said 来源文件: 001_….txt#12). The data files keep it as the record has it."""
    seed_names = [seed.name for seed in SEEDS.glob("*.txt")]
    pages = sorted((seed_site / language).rglob("index.html"))
    assert len(pages) > 17
    for page in pages:
        text = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ")
        assert not any(name in text for name in seed_names), page
        assert "来源文件" not in text and "Source file" not in text, page
    data = json.loads((seed_site / "data/shanghai-justice/2023/community-corrections.json")
                      .read_text(encoding="utf-8"))
    assert data["source"] == "001_631d621fffda6fb0.txt#12"


def test_a_draft_shows_its_source_file_to_the_editor(project_factory):
    """In the preview, a draft (an imported record an editor is checking) names the file
    and table it came from, saying it is for the editor and not published."""
    from sitegen.preview import Preview

    draft = RECORD.replace("year: 2023\n", "year: 2023\nsource: export.txt#3\ndraft: true\n")
    project = project_factory({"2023/d.yaml": draft})
    preview = Preview(project, project.root / "preview", workers=1)
    try:
        preview.build_all()
    finally:
        preview.pdfs.close()
    for language, label in (("zh", "来源文件（供编辑核对，发布后不显示）"),
                            ("en", "Source file (for the editor to check against; not "
                                   "shown once published)")):
        page = project.root / "preview" / language / "test-bureau/2023/d/index.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.select_one("p.source").get_text() == f"{label}: export.txt#3"


def test_words_of_neighbouring_cells_never_run_together(seed_site: Path):
    """Read as a search index, a copy and paste or a browser's find read a page (its text
    nodes joined, as textContent joins them), each cell, note and term stays a word of
    its own: "Output indicatorsQuantity" matched neither "indicators" nor "quantity",
    and showed so in search results."""
    glued = []
    for page in sorted(seed_site.glob("en/*/*/*/index.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        strings = soup.find_all(string=True)
        starts, at = {}, 0
        for string in strings:
            starts[id(string)] = at
            at += len(string)
        text = "".join(strings)  # what textContent gives: no separator
        for part in soup.select("th, td, dt, dd, span.note, span.disagrees, caption"):
            inner = part.find_all(string=True)
            if not inner:
                continue
            start, end = starts[id(inner[0])], starts[id(inner[-1])] + len(inner[-1])
            if (start and text[start].isalnum() and text[start - 1].isalnum()) or (
                    end < len(text) and text[end - 1].isalnum() and text[end].isalnum()):
                glued.append(f"{page.parent.name}: {text[max(0, start - 12):end + 12]!r}")
    assert not glued, glued[:10]
