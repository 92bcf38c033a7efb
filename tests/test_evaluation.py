"""Evaluation reports (issue #8): the Shenzhen seed page, the figure checks, the sanitiser.

The seed page is checked against the seed text itself (tests/seeds/003_…), table by table
and line by line, so a cell dropped or mangled in transcription fails here. Each
consistency check gets a small inline record with one figure wrong, and the message and
line it must produce.
"""

from __future__ import annotations

import ast
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import RECORD, REPO, SEEDS, run_cli

from sitegen.build import build
from sitegen.evaluation import grade_of
from sitegen.markup import refusals, render_markdown
from sitegen.report import RecordingReporter

SEED = SEEDS / "003_938a3f588b5f6106.txt"
SEED_RECORD = REPO / "content/shenzhen-justice/2020/community-corrections-resettlement.yaml"
SEED_PAGE = "shenzhen-justice/2020/community-corrections-resettlement/index.html"
DEBRIS = re.compile(r"\[bookmark: [^\]]*\]")
PATH = "content/test-bureau/2023/r.yaml"

# A small, consistent report: tests change one figure at a time.
REPORT = """\
kind: evaluation-report
title: 绩效评价报告
year: 2023
project:
  name: {zh: 测试项目, en: Test project}
  amount: 10
  unit: 万元
body:
  - zh: 为评价测试项目，报告如下：
    en: "To evaluate the test project, we report as follows:"
  - heading: {zh: 一、评分, en: I. Scores}
    content:
      - zh: 项目产出指标共60分，得分50分，得分率为83.33%。
        en: The output indicators are worth 60 points; the score is 50, a rate of 83.33%.
      - table: scoring
      - table: spending
      - table: execution
spending:
  number: 表1-2
  caption: {zh: 项目资金使用情况表, en: Use of funds}
  unit: 万元
  rows:
    - {number: "1", purpose: {zh: 甲, en: A}, amount: 6.25, share: 62.5%}
    - {number: "2", purpose: {zh: 乙, en: B}, amount: 3.75, share: 37.5%}
  total: {label: 合计, amount: 10, share: 100%}
execution:
  number: 表1-3
  caption: {zh: 项目资金执行情况表, en: Execution of funds}
  unit: 万元
  project: {zh: 测试项目, en: Test project}
  rows:
    - {period: 第一季度, budget: 10, spent: 2.5, rate: 25%}
scoring:
  number: 表3-1
  caption: {zh: 测试项目绩效评价指标评分表, en: Scores of the test project}
  total: {label: 合计, weight: 100, score: 85}
  stated:
    - at: {zh: 三, en: III}
      quote: {zh: 综合得分为85分，等级为“良好”。, en: The total score is 85 and the grade “Good”.}
      score: 85
      grade: 良好
  first_levels:
    - name: 产出指标
      stated:
        - at: {zh: 四（一）, en: IV (1)}
          quote:
            zh: 项目产出指标共60分，得分50分，得分率为83.33%。
            en: The output indicators are worth 60 points; the score is 50, a rate of 83.33%.
          weight: 60
          score: 50
          rate: 83.33%
      second_levels:
        - name: {zh: 产出数量, en: Output quantity}
          indicators:
            - name: {zh: 完成率, en: Completion rate}
              value: 100%
              weight: 60
              score: 50
              explanation: {zh: 考察完成情况。, en: Whether the work was completed.}
              rule: {zh: 按计划完成得满分。, en: Full marks if completed as planned.}
    - name: 效益指标
      second_levels:
        - name: 社会效益
          indicators:
            - name: {zh: 社会稳定, en: Social stability}
              weight: 40
              score: 35
"""


def squeeze(text: str) -> str:
    return re.sub(r"\s", "", text)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    return [i for i, line in enumerate(text.splitlines(), 1) if needle in line][occurrence - 1]


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def seed_table(caption: str) -> list[list[str]]:
    """The rows of the seed table printed under `caption`, each its non-empty cells.

    Cells are tab-indented lines, rows are separated by blank lines, and a line without a
    tab right after a cell continues that cell (a line break inside it).
    """
    lines = [DEBRIS.sub("", line) for line in SEED.read_text(encoding="utf-8").splitlines()]
    start = next(i for i, line in enumerate(lines) if line.strip() == caption) + 1
    rows: list[list[str]] = []
    row: list[str] = []
    previous = lines[start - 1]
    for line in lines[start:]:
        if line.startswith("\t"):
            row.append(line[1:])
        elif line.strip() and previous and row:  # previous: a cell, even an empty one
            row[-1] += line
        elif not line.strip() and row:
            rows.append(row)
            row = []
        elif line.strip() and not line.startswith("单位："):
            break
        previous = line
    rows.append(row) if row else None
    return [[squeeze(cell) for cell in r if cell.strip()] for r in rows]


def page_table(soup: BeautifulSoup, selector: str) -> list[list[str]]:
    """A page table's rows as printed, without the marks on figures that do not add up."""
    table = BeautifulSoup(str(soup.select_one(selector)), "html.parser")  # marks removed
    for mark in table.select(".disagrees"):
        mark.decompose()
    return [[squeeze(cell.get_text()) for cell in tr.find_all(["th", "td"])
             if squeeze(cell.get_text())] for tr in table.select("tr")]


@pytest.fixture(scope="module")
def seed_page(seed_site: Path) -> BeautifulSoup:
    return soup_of(seed_site / "zh" / SEED_PAGE)


# -- the Shenzhen report page against the seed --------------------------------------------
def test_every_line_of_the_seed_is_on_the_page(seed_page):
    text = squeeze(seed_page.get_text())
    lines = [squeeze(DEBRIS.sub("", line)) for line in SEED.read_text(encoding="utf-8")
             .splitlines()]
    missing = [line for line in lines if line and line not in text]
    assert not missing, missing[:10]
    assert "[bookmark" not in text and "_Toc" not in text


@pytest.mark.parametrize(("caption", "selector"), [
    ("表1-1 项目实施单位情况表", "table.units"),
    ("表1-2 项目资金使用情况表", "table.spending"),
    ("表1-3 项目资金执行情况表", "table.execution"),
    ("表1-4 2020年社区矫正、安帮经费项目绩效目标表", "#targets-caption"),
    ("表3-1 社区矫正、安帮经费服务项目绩效评价指标评分表", "table.scoring"),
    ("社区矫正、安帮经费项目绩效评价指标评分表", "table.appendix"),
])
def test_each_seed_table_is_on_the_page_row_by_row(seed_page, caption, selector):
    if selector.startswith("#"):  # the target table shares its class with others
        selector = f"table:has(> caption{selector})"
    rows = page_table(seed_page, selector)
    caption_text = squeeze(seed_page.select_one(selector).caption.get_text())
    assert caption_text.startswith(squeeze(caption)), caption_text
    assert rows == seed_table(caption)


def test_all_33_indicators_with_explanation_and_rule(seed_page):
    for selector in ("table.scoring tbody tr", "table.appendix tbody tr"):
        assert len(seed_page.select(selector)) == 33
    for row in seed_page.select("table.appendix tbody tr"):
        assert row.select_one("td.explanation").get_text(strip=True)
        assert row.select_one("td.rule").get_text(strip=True)


def test_total_and_grade_are_computed(seed_page):
    facts = {row.th.get_text(strip=True): row.td.get_text(strip=True)
             for row in seed_page.select("table.facts tr")}
    assert facts["综合得分（按各指标得分计算）"] == "91 / 100"
    assert facts["评价等级（按财预〔2020〕10号分级）"] == "优秀"
    assert facts["评价资金"] == "92 万元"


def test_the_seed_disagreements_are_marked_where_printed(seed_page):
    appendix = {squeeze(th.get_text()) for th in seed_page.select("table.appendix th.level-1")}
    assert "产出指标（37分）数字不一致：按各项计算为39" in appendix
    assert "效益指标（23分）数字不一致：按各项计算为21" in appendix
    findings = [squeeze(li.get_text()) for li in seed_page.select("ul.findings li")]
    assert len(findings) == 5
    assert "得分：报告所述37，按各项计算为35" in findings[1]
    assert "得分率：报告所述94.44%，按各项计算为90.48%" in findings[4]
    prose = next(div for div in seed_page.select("div.report-text")
                 if "项目产出指标共39分" in div.get_text())
    notes = [squeeze(p.get_text()) for p in prose.find_next_siblings("p", class_="finding")]
    assert notes[:2] == ["数字不一致得分：报告所述37，按各项计算为35",
                         "数字不一致得分率：报告所述94.87%，按各项计算为89.74%"]


def test_chart_and_its_table_show_the_same_numbers(seed_page):
    svg = seed_page.select_one("figure.score-chart svg")
    assert svg["role"] == "img" and svg.title.get_text()
    bars = [text.get_text() for text in svg.select("text.bar-value")]
    rows = seed_page.select("table.score-summary tbody tr")
    from_table = [f"{row.select('td')[1].get_text()} / {row.select('td')[0].get_text()}"
                  for row in rows]
    assert bars == from_table == ["17 / 20", "20 / 20", "35 / 39", "19 / 21"]
    assert not seed_page.select("script")


def test_contents_link_to_every_section(seed_page):
    links = [a["href"] for a in seed_page.select("nav.toc a")]
    assert len(links) > 30
    for href in links:
        assert seed_page.find(id=href[1:]) is not None, href


def test_report_is_listed_and_published_in_english(seed_site: Path):
    year = soup_of(seed_site / "zh/shenzhen-justice/2020/index.html")
    row = year.select_one("table.listing tbody tr")
    assert "评价报告" in row.get_text() and "920,000" in row.get_text()
    english = soup_of(seed_site / "en" / SEED_PAGE)
    assert english.html["lang"] == "en"
    assert "Score against weight per first-level indicator" in english.get_text()


def test_the_english_report_page_is_in_english(seed_site: Path):
    """Tables, scored indicators, body and notes of the seed report all have English: the
    page shows it, and nothing on it is Chinese marked "not yet translated"."""
    page = soup_of(seed_site / "en" / SEED_PAGE)
    scored = [squeeze(th.get_text()) for th in page.select("table.scoring th.level-3")]
    assert len(scored) == 33 and scored[0] == squeeze("Adequacy of the basis for the project")
    first = page.select_one("table.appendix tbody tr")
    assert first.select_one("td.explanation").get_text(strip=True).startswith(
        "Whether the project's approval complies with laws and regulations")
    assert [p.get_text() for p in first.select("td.rule p")][-1].startswith(
        "If all five are met, 100% of the weight is awarded")
    headings = [h.get_text(strip=True) for h in page.select(".report-body h2, .report-body h3")]
    assert "III. Overall evaluation and conclusion" in headings
    assert "(1) Project overview" in headings
    assert "1. Project background" in [h.get_text() for h in page.select("div.report-text h4")]
    units = page_table(page, "table.units")
    assert units[2] == ["2", "ShenzhenUniversity", "Researchoncommunitycorrections."]
    purposes = [th.get_text() for th in page.select("table.spending tbody th")]
    assert purposes[1] == "Community corrections research"
    assert "The project output indicators are worth 39 points in all" in \
        page.select_one("ul.findings").get_text()
    assert "numbering jumps from 3 to 5" in page.select_one("section.notes").get_text()
    assert not page.select(".untranslated") and "not yet translated" not in page.get_text()
    chinese = [tag for tag in page.select('[lang="zh-CN"]') if "language-switch" not in
               tag.get("class", [])]
    assert not chinese, chinese[:3]


def test_the_english_report_pdf_is_in_english(seed_site: Path):
    folder = (seed_site / "en" / SEED_PAGE).parent
    text = subprocess.run(["pdftotext", "-raw", str(folder / f"{folder.name}.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    for english in ("Adequacy of the basis for the project", "1. Project background",
                    "Shenzhen University", "III. Overall evaluation and conclusion"):
        assert english in text, english
    assert not re.findall(r"[\u3400-\u9fff]+", text)


@pytest.mark.parametrize(("old", "new", "field"), [
    ("explanation: {zh: 考察完成情况。, en: Whether the work was completed.}",
     "explanation: 考察完成情况。", "完成率 explanation '考察完成情况。'"),
    ("  - zh: 为评价测试项目，报告如下：\n    en: \"To evaluate the test project, we report as "
     "follows:\"", "  - 为评价测试项目，报告如下：", "body text '为评价测试项目，报告如下：'"),
    ("purpose: {zh: 乙, en: B}", "purpose: 乙", "use of funds '乙'"),
    ("quote: {zh: 综合得分为85分，等级为“良好”。, en: The total score is 85 and the grade “Good”.}",
     "quote: 综合得分为85分，等级为“良好”。",
     "stated figures' words '综合得分为85分，等级为“良好”。'"),
], ids=["explanation", "body", "spending-row", "quote"])
def test_report_text_without_english_is_a_warning_with_its_line(project_factory, capsys, old,
                                                               new, field):
    record = with_change(old, new)
    project = project_factory({"2023/r.yaml": record})
    status, output = run_cli(capsys, project, "check")
    assert status == 0, output
    rows = [row for row in output.splitlines() if "missing-translation" not in row
            and f"no English for the {field}" in row]
    assert len(rows) == 1, output
    assert rows[0].startswith(f"{PATH}:{line_of(record, new.strip())}:") and \
        ": warning: " in rows[0]
    coverage = re.search(r"English coverage test-bureau: (\d+)/(\d+) texts", output)
    assert coverage and int(coverage[1]) == int(coverage[2]) - 1, output
    assert run_cli(capsys, project, "check", "--strict")[0] == 1


def test_untranslated_report_text_is_shown_in_chinese_and_says_so(project_factory):
    record = with_change("  - zh: 为评价测试项目，报告如下：\n    en: \"To evaluate the test "
                         "project, we report as follows:\"", "  - 为评价测试项目，报告如下：")
    project = project_factory({"2023/r.yaml": record})
    build(project, RecordingReporter(), pdf=False)
    page = soup_of(project.build_dir / "en/test-bureau/2023/r/index.html")
    texts = page.select("div.report-text")
    assert texts[0]["lang"] == "zh-CN" and "为评价测试项目" in texts[0].get_text()
    assert "output indicators are worth 60 points" in texts[1].get_text()
    assert "have not been translated yet" in page.select_one("p.untranslated").get_text()
    complete = project_factory({"2023/r.yaml": REPORT})
    build(complete, RecordingReporter(), pdf=False)
    page = soup_of(complete.build_dir / "en/test-bureau/2023/r/index.html")
    assert not page.select("p.untranslated") and not page.select('div[lang="zh-CN"]')


def test_report_text_without_chinese_needs_no_english(project_factory):
    """A paragraph of figures only is the same in both languages: the audit counts it as
    translated, and the English page shows it as English, not as untranslated Chinese."""
    record = with_change("  - zh: 为评价测试项目，报告如下：\n    en: \"To evaluate the test "
                         "project, we report as follows:\"", "  - \"2023: 85 / 100\"")
    project = project_factory({"2023/r.yaml": record})
    build(project, RecordingReporter(), pdf=False, search=False)
    page = soup_of(project.build_dir / "en/test-bureau/2023/r/index.html")
    first = page.select("div.report-text")[0]
    assert "2023: 85 / 100" in first.get_text() and first.get("lang") is None
    assert not page.select("p.untranslated")


def test_chinese_quoted_in_english_report_text_is_marked():
    from sitegen.markup import mark_chinese_html

    html = mark_chinese_html(render_markdown('The *Community Corrections Law* (社区矫正法), '
                                             '[link](https://example.org/社区 "标题")'))
    soup = BeautifulSoup(html, "html.parser")
    assert [span.get_text() for span in soup.select('span[lang="zh-CN"]')] == ["社区矫正法"]
    assert soup.a["title"] == "标题"  # attributes are left alone


def test_every_line_of_the_seed_is_in_the_pdf(seed_site: Path):
    folder = (seed_site / "zh" / SEED_PAGE).parent
    pdf = folder / f"{folder.name}.pdf"
    text = squeeze(subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                                  text=True, check=True).stdout)
    text = re.sub(r"第\d+页，共\d+页", "", text)  # the running footer, between page parts
    text = text.replace("深圳市司法局·2020·社区矫正、安帮经费项目", "")  # and header
    lines = [squeeze(DEBRIS.sub("", line)) for line in SEED.read_text(encoding="utf-8")
             .splitlines()]
    missing = [line for line in lines if line and line not in text]
    assert not missing, missing[:10]
    assert (seed_site / "en" / SEED_PAGE).parent.joinpath(pdf.name).exists()


def test_check_finds_the_seeds_disagreements(project_factory, capsys):
    """Unacknowledged, the seed's five disagreements are warnings on their lines; the
    record acknowledges them (with a note each), so the real content checks clean."""
    text = re.sub(r"\n( *)acknowledge:\n(?:\1  - [a-z-]+\n)+", "\n",
                  SEED_RECORD.read_text(encoding="utf-8"))
    assert "acknowledge" not in text
    project = project_factory({"2020/seed.yaml": text})
    status, output = run_cli(capsys, project, "check")
    assert status == 0, output
    found = sorted(int(row.split(":")[1]) for row in output.splitlines()
                   if "the report states" in row and ": warning: " in row)
    expected = sorted((line_of(text, "产出指标（37分）") + 2, line_of(text, "score: 37"),
                       line_of(text, "rate: 94.87%"), line_of(text, "效益指标（23分）") + 2,
                       line_of(text, "rate: 94.44%")))
    assert found == expected, output
    assert "四（三）项目产出情况 · 产出指标: the report states score (得分) 37 but its figures " \
           "add up to 35" in output


def test_acknowledged_disagreements_are_quiet_but_still_marked(capsys, seed_page):
    from sitegen.project import Project

    _status, output = run_cli(capsys, Project(REPO), "check", "--strict")
    assert not [row for row in output.splitlines()
                if "shenzhen-justice" in row and not row.startswith("English coverage")]
    assert len(seed_page.select("ul.findings li")) == 5


# -- each consistency check on a small record ----------------------------------------------
def check(project_factory, capsys, report: str) -> tuple[int, str]:
    project = project_factory({"2023/r.yaml": report})
    return run_cli(capsys, project, "check")


def with_change(old: str, new: str) -> str:
    assert old in REPORT, old
    return REPORT.replace(old, new, 1)


def test_an_empty_scored_value_says_how_a_report_gives_none(project_factory, capsys):
    report = with_change("              value: 100%", '              value: ""')
    status, output = check(project_factory, capsys, report)
    assert status == 1, output
    line = line_of(report, 'value: ""')
    assert f"{PATH}:{line}:22: error:" in output, output
    assert ("is empty: write the target value as printed, or leave `value` out if the "
            "report gives no target") in output, output


def test_a_score_that_does_not_read_is_one_error_not_a_wrong_sum_in_every_total(
        project_factory, capsys):
    """An indicator's score the editor mistyped is missing from the subtotal, the total,
    the grade and each stated figure: each used to be reported as the report's own
    mistake ("states 85 but its figures add up to 35"), burying the one real error."""
    report = with_change("              weight: 60\n              score: 50",
                         "              weight: 60\n              score: 5O")
    status, output = check(project_factory, capsys, report)
    assert status == 1, output
    assert f"{PATH}:{line_of(report, 'score: 5O')}:15: error: " in output, output
    assert "1 error(s), 0 warning(s)" in output, output


def test_consistent_report_passes_without_warnings(project_factory, capsys):
    status, output = check(project_factory, capsys, REPORT)
    assert status == 0 and PATH not in output, output


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("              weight: 40\n              score: 35", "              weight: 45\n"
     "              score: 35", "weight: 100", "the indicators' weights add up to 105, not 100"),
    ("              weight: 40\n              score: 35", "              weight: 40\n"
     "              score: 41", "score: 41", "'社会稳定' scores 41 of a weight of 40"),
    ("          score: 50\n          rate", "          score: 55\n          rate",
     "score: 55", "四（一） · 产出指标: the report states score (得分) 55 but its figures "
     "add up to 50"),
    ("  total: {label: 合计, weight: 100, score: 85}", "  total: {label: 合计, weight: 100, "
     "score: 88}", "score: 88", "表3-1 · 合计: the report states score (得分) 88 but its "
     "figures add up to 85"),
    ("          rate: 83.33%", "          rate: 83.34%", "rate: 83.34%",
     "the report states score rate (得分率) 83.34% but its figures add up to 83.33%"),
    ("      grade: 良好", "      grade: 优秀", "grade: 优秀",
     "the report states grade (评价等级) 优秀 but its figures give 良好"),
    ("amount: 3.75, share: 37.5%", "amount: 3.75, share: 27.5%",
     "total: {label: 合计, amount: 10", "表1-2: the shares add up to 90.0%, not 100%"),
    ("amount: 3.75, share: 37.5%", "amount: 3.75, share: 27.5%", "share: 27.5%",
     "表1-2 · 乙: the report states share (占比) 27.5% but its figures add up to 37.5%"),
    ("  total: {label: 合计, amount: 10, share: 100%}", "  total: {label: 合计, amount: 12, "
     "share: 100%}", "amount: 12", "表1-2 · 合计: the report states amount 12 but its "
     "figures add up to 10.00"),
    ("spent: 2.5, rate: 25%", "spent: 2.5, rate: 52%", "rate: 52%",
     "表1-3 · 第一季度: the report states execution rate (执行率) 52% but its figures add "
     "up to 25%"),
    ("          score: 50\n          rate", "          score: 50\n          grade: 差\n"
     "          rate", "grade: 差", "the grade 差 is not in the quoted words"),
], ids=["weights", "score-above-weight", "subtotal", "total", "rate", "grade", "share-sum",
        "share-row", "spending-total", "execution-rate", "quote"])
def test_each_disagreement_is_a_warning_with_its_line(project_factory, capsys, old, new,
                                                      needle, message):
    record = with_change(old, new)
    status, output = check(project_factory, capsys, record)
    assert status == 0, output  # published as filed, and marked
    matching = [row for row in output.splitlines() if message in row]
    assert matching, output
    assert matching[0].startswith(f"{PATH}:{line_of(record, needle)}:"), (needle, output)
    assert ": warning: " in matching[0]
    assert run_cli(capsys, project_factory({"2023/r.yaml": record}), "check", "--strict")[0] == 1


def test_rounded_shares_are_allowed(project_factory, capsys):
    # 表1-2 of the seed: 24.74 + 13.04 + 20.16 + 42.05 = 99.99, each rounded correctly.
    def row(number: str, purpose: str, en: str, amount: str, share: str) -> str:
        return (f'    - {{number: "{number}", purpose: {{zh: {purpose}, en: {en}}}, '
                f"amount: {amount}, share: {share}}}\n")

    record = with_change(row("1", "甲", "A", "6.25", "62.5%")
                         + row("2", "乙", "B", "3.75", "37.5%"),
                         row("1", "甲", "A", "2.276", "24.74%")
                         + row("2", "乙", "B", "1.2", "13.04%")
                         + row("3", "丙", "C", "1.855", "20.16%")
                         + row("4", "丁", "D", "3.869", "42.05%"))
    record = record.replace("amount: 10, share: 100%", "amount: 9.2, share: 100%")
    status, output = check(project_factory, capsys, record)
    assert status == 0 and PATH not in output, output


@pytest.mark.parametrize(("total", "grade"), [
    ("90", "优秀"), ("89.99", "良好"), ("80", "良好"), ("79.5", "中"), ("60", "中"),
    ("59.9", "差"), ("0", "差")])
def test_grade_bands(total, grade):
    assert grade_of(Decimal(total)) == grade


@pytest.mark.parametrize(("old", "new", "message"), [
    ("      - table: execution\n", "", "the table 'execution' must be placed exactly once"),
    ("      - table: execution\n", "      - table: execution\n      - table: targets\n",
     "places the table 'targets', which this record does not give"),
    ("              weight: 40\n", "              weight: forty\n",
     "weight' is 'forty', which is not a number"),
    ("      grade: 良好", "      grade: 很好", "'scoring.stated[0].grade' is '很好'"),
    ("    - at: {zh: 三, en: III}\n", "    - at: {zh: 三, en: III}\n      scor: 1\n",
     "Did you mean 'score'?"),
])
def test_report_format_errors(project_factory, capsys, old, new, message):
    status, output = check(project_factory, capsys, with_change(old, new))
    assert status == 1 and message in output, output


# -- the sanitiser ---------------------------------------------------------------------------
@pytest.mark.parametrize(("markdown", "refused"), [
    ("text <script>alert(1)</script> after", "<script>"),
    ('<img src="x" onerror="alert(1)">', "<img>"),
    ('<p onclick="alert(1)">click</p>', "the attribute onclick="),
    ("[link](javascript:alert(1))", "the link javascript:…"),
    ("[link](data:text/html;base64,PHNjcmlwdD4=)", "the link data:…"),
    ('<iframe src="https://example.org"></iframe>', "<iframe>"),
    ('<span style="position:fixed">x</span>', "<span>"),
    ("<style>body { display: none }</style>", "<style>"),
])
def test_the_sanitiser_refuses_active_content(markdown, refused):
    html = render_markdown(markdown)
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(["script", "iframe", "style", "img", "object", "embed"])
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.startswith("on") and name != "style", (name, html)
            if name in ("href", "src"):
                assert not value.lower().startswith(("javascript:", "data:")), html
    assert "alert(1)" not in soup.get_text() or "script" not in markdown
    assert refused in refusals(markdown)


def test_markdown_keeps_structure_and_headers_get_scope():
    html = render_markdown("#### 1.项目背景\n\n- ①一\n- ②二\n\n| 季度 | 执行率 |\n|---|--:|\n"
                           "| 第一季度 | 1.15% |\n\n[政策](https://example.org/a) 与 <b>粗体</b>")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h4.get_text() == "1.项目背景" and len(soup.select("ul li")) == 2
    assert [th["scope"] for th in soup.select("th")] == ["col", "col"]
    assert soup.a["href"] == "https://example.org/a" and soup.b.get_text() == "粗体"


def test_refused_markup_is_reported_and_not_published(project_factory, capsys, tmp_path):
    record = with_change("  - zh: 为评价测试项目，报告如下：\n",
                         "  - zh: 为评价测试项目，报告如下：<script>alert(1)</script>"
                         "[x](javascript:alert(2))\n")
    project = project_factory({"2023/r.yaml": record})
    status, output = run_cli(capsys, project, "check")
    line = line_of(record, "<script>")
    assert status == 0  # refused and reported, not fatal: the rest of the text is published
    assert f"{PATH}:{line}:" in output and "<script> is not published" in output
    build(project, RecordingReporter(), pdf=False)
    page = (project.build_dir / "zh/test-bureau/2023/r/index.html").read_text(encoding="utf-8")
    assert "<script" not in page and "javascript:" not in page
    assert "为评价测试项目，报告如下：" in page


# -- links between a report and its project's target table ---------------------------------
def test_report_and_target_table_link_both_ways(project_factory):
    project = project_factory({"2023/a.yaml": RECORD, "2023/r.yaml": REPORT})
    result = build(project, RecordingReporter(), pdf=False)
    assert not [d for d in result.diagnostics.items if d.code == "duplicate-project"]
    for language in ("zh", "en"):
        folder = project.build_dir / language / "test-bureau/2023"
        table, report = soup_of(folder / "a/index.html"), soup_of(folder / "r/index.html")
        assert table.select_one("ul.related a")["href"] == "../r/index.html"
        assert report.select_one("ul.related a")["href"] == "../a/index.html"
    year = soup_of(project.build_dir / "zh/test-bureau/2023/index.html")
    assert year.select_one("table.listing tfoot td.num").get_text() == "1,000.00"


def test_the_model_knows_nothing_of_templates_or_yaml():
    for module, forbidden in (("evaluation", {"jinja2", "yaml", "load", "validate", "site",
                                              "render"}),
                              ("chart", {"jinja2", "yaml"}), ("markup", {"jinja2", "yaml"})):
        tree = ast.parse((REPO / "sitegen" / f"{module}.py").read_text(encoding="utf-8"))
        imported = {(node.module or "").split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.Import) for alias in node.names}
        assert not imported & forbidden, module


def test_a_figure_with_absurdly_many_digits_is_an_error_not_a_crash(project_factory, capsys):
    digits = "83.3333333333333333333333333333%"  # more than Decimal's 28 can round
    record = with_change("          rate: 83.33%", f"          rate: {digits}")
    status, output = check(project_factory, capsys, record)
    assert status == 1 and "Traceback" not in output and "internal error" not in output
    line = line_of(record, digits)
    assert f"{PATH}:{line}:" in output and "which is not a percentage" in output


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("""        - name: 社会效益
          indicators:
""", """        - name: 社会效益
          indicators: []
          old_indicators:
""", "indicators: []", "a second-level indicator needs at least one entry under 'indicators'"),
    ("""    - name: 效益指标
      second_levels:
""", """    - name: 效益指标
      second_levels: []
      old_second_levels:
""", "second_levels: []",
     "a first-level indicator needs at least one entry under 'second_levels'"),
], ids=["no-indicators", "no-second-levels"])
def test_a_scored_level_with_nothing_under_it_is_an_error(project_factory, capsys, old, new,
                                                         needle, message):
    record = with_change(old, new)
    status, output = check(project_factory, capsys, record)
    assert status == 1
    matching = [row for row in output.splitlines() if message in row]
    assert matching and matching[0].startswith(f"{PATH}:{line_of(record, needle)}:"), output


def test_indicators_that_are_not_a_list_are_one_error(project_factory, capsys):
    """`indicators: 5` is one mistake: said once, and not also called an empty level."""
    record = with_change("          indicators:\n            - name: {zh: 社会稳定, en: Social "
                         "stability}\n              weight: 40\n              score: 35\n",
                         "          indicators: 5\n")
    status, output = check(project_factory, capsys, record)
    assert status == 1
    errors = [row for row in output.splitlines()
              if row.startswith(f"{PATH}:{line_of(record, 'indicators: 5')}:")]
    assert len(errors) == 1 and "must be a list" in errors[0], output


def test_a_report_target_table_shows_missing_values_and_notes_like_a_table_page(
        project_factory):
    """The report's 年度绩效目标 table is drawn by the same rows as a target table's page:
    no value the source lost, and no note, may disappear from it."""
    targets = """targets:
  number: 表1-4
  caption: {zh: 年度绩效目标表, en: Performance targets of the year}
  indicators:
    headers: [一级指标, 二级指标, 三级指标]
    targets: [年度指标值]
    first_levels:
      - name: 产出指标
        second_levels:
          - name: 数量指标
            note: {zh: 二级注, en: Second-level note}
            indicators:
              - name: {zh: 培训完成率, en: Training completion rate}
                missing: {zh: 原表缺失此值, en: The source lost this value}
"""
    record = with_change("      - table: execution\n", "      - table: execution\n"
                         "      - table: targets\n") + targets
    project = project_factory({"2023/r.yaml": record})
    build(project, RecordingReporter(), pdf=False, search=False)
    for language, words in (("zh", ["二级注", "原表缺失此值"]),
                            ("en", ["Second-level note", "The source lost this value"])):
        page = (project.build_dir / f"{language}/test-bureau/2023/r/index.html").read_text(
            encoding="utf-8")
        assert all(word in page for word in words), (language, words)


def test_notes_on_scored_levels_and_indicators_are_shown(project_factory):
    """A note an editor writes on a scored level or indicator (why a figure differs, what
    the source lost) is part of the record: the scoring table shows it in both languages."""
    record = with_change("        - name: {zh: 产出数量, en: Output quantity}\n",
                         "        - name: {zh: 产出数量, en: Output quantity}\n"
                         "          note: {zh: 二级说明, en: Second-level remark}\n")
    record = record.replace("    - name: 效益指标\n", "    - name: 效益指标\n"
                            "      note: {zh: 一级说明, en: First-level remark}\n")
    record = record.replace("              weight: 40\n", "              weight: 40\n"
                            "              note: {zh: 指标说明文字, en: Indicator remark}\n")
    project = project_factory({"2023/r.yaml": record})
    build(project, RecordingReporter(), pdf=False, search=False)
    # In table order: 产出指标 › 产出数量 (note), then 效益指标 (note) › 社会效益 › 社会稳定 (note).
    for language, words in (("zh", ["二级说明", "一级说明", "指标说明文字"]),
                            ("en", ["Second-level remark", "First-level remark",
                                    "Indicator remark"])):
        soup = soup_of(project.build_dir / f"{language}/test-bureau/2023/r/index.html")
        notes = [n.get_text() for n in soup.select("table.scoring span.note")]
        assert notes == words, (language, notes)


def test_a_misspelt_section_heading_is_one_error_not_a_cascade(project_factory, capsys):
    """`headline:` for `heading:` made the section a paragraph ("allowed here: zh, en")
    and lost its tables ("placed 0 times", once per table). Now: the key, with what it
    should be (not also "missing field 'heading'", the same mistake said twice); the
    tables inside still count as placed."""
    heading = "  - heading: {zh: 一、评分, en: I. Scores}\n"
    status, output = check(project_factory, capsys,
                           with_change(heading, heading.replace("heading", "headline")))
    assert status == 1
    errors = [line for line in output.splitlines() if ": error: " in line]
    assert errors == [
        f"{PATH}:11:5: error: unknown field 'body[1].headline'. Did you mean 'heading'?"
    ], output
