"""The numbers as data: a JSON and a CSV per table, one CSV for the whole site."""

from __future__ import annotations

import csv
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import RECORD, REPO, run_cli

from sitegen.content import load_site
from sitegen.errors import Diagnostics
from sitegen.glossary import load_glossary
from sitegen.project import Project

REPORT = "community-corrections-resettlement"  # the seed evaluation report
REPORT_DATA = f"data/shenzhen-justice/2020/{REPORT}"


def test_every_indicator_value_is_a_csv_row_and_tables_are_json(seed_site: Path):
    site = load_site(Project(REPO), load_glossary(), Diagnostics())
    combined = seed_site / "data/indicators.csv"
    # Once, at the start: what makes Excel read UTF-8 rather than GBK.
    assert combined.read_bytes().count("\ufeff".encode()) == 1
    assert combined.read_bytes().startswith("\ufeffpublisher,year,".encode())
    with combined.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    table = seed_site / "data/shanghai-justice/2023/office-renovation.csv"
    assert table.read_bytes().startswith("\ufeffpublisher,".encode())
    expected = sum(len(t.indicators.targets) * t.indicator_count for t in site.tables)
    assert len(rows) == expected
    exam = [r for r in rows if r["indicator_zh"] == "主观题考生人数"]
    assert exam[0]["value"] == "≥14500.00(人)"
    assert (exam[0]["operator"], exam[0]["number"], exam[0]["unit"]) == ("≥", "14500.00", "人")
    lost = [r for r in rows if r["missing_in_source"] == "yes"]
    # Why, in both languages, as the page says it; and the note beside that indicator.
    reoffending = [r for r in lost if r["indicator_zh"] == "社区服刑人员重新犯罪率"]
    assert reoffending and reoffending[0]["missing_reason"].startswith("原表此行指标值缺失")
    assert reoffending[0]["missing_reason_en"].startswith("The source lost this indicator")
    assert reoffending[0]["note"].startswith("源文件中此行位于时效各行之后")
    assert all(r["missing_reason"] and r["missing_reason_en"] for r in lost)
    assert all(not r["missing_reason"] for r in rows if r["missing_in_source"] != "yes")
    # The English the English page shows, for each level and value: none left blank.
    assert (exam[0]["first_level_en"], exam[0]["value_en"]) == ("Output indicators",
                                                                "≥ 14,500 persons")
    qualitative = [r for r in rows if r["qualitative"]]
    assert qualitative and all(r["value_en"] for r in qualitative)
    assert all(r["value_en"] for r in rows if r["value"])
    assert all(r["first_level_en"] for r in rows if r["first_level"])

    data = json.loads((seed_site / "data/shanghai-justice/2023/office-renovation.json")
                      .read_text(encoding="utf-8"))
    total = data["funding"][0]["rows"][0]
    assert total["amounts"] == ["9593190.00"] and Decimal(total["amounts"][0])
    assert data["project"]["facts"]["competent_department"] == {
        "zh": "上海市司法局", "en": "Shanghai Municipal Bureau of Justice"}
    assert data["project"]["facts"]["start"] == {"zh": "2023-01-01", "en": "2023-01-01"}
    first_value = data["indicators"]["first_levels"][0]["second_levels"][0]["indicators"][0]
    assert first_value["values"][0]["en"] == "100%"
    page = (seed_site / "zh/shanghai-justice/2023/office-renovation/index.html").read_text(
        encoding="utf-8")
    assert 'href="../../../../data/shanghai-justice/2023/office-renovation.csv"' in page


# Every level name the seed tables print, and the standard level indicators.csv says it
# stands for: each recognised, or blank on purpose (群众满意率 is Kunming's own second
# level, no standard one; Lianyungang prints four rows with no level at all).
SEED_FIRST_LEVELS = {
    ("产出指标", "output"), ("效益指标", "outcome"), ("满意度指标", "satisfaction"),
    ("决策", "decision"), ("过程", "process"), ("", ""),
    ("投入与管理", "input-management"), ("产出目标", "output"), ("效果目标", "effect"),
    ("影响力目标", "influence")}
SEED_SECOND_LEVELS = {
    ("数量指标", "quantity"), ("质量指标", "quality"), ("时效指标", "timeliness"),
    ("成本指标", "cost"), ("经济效益指标", "economic"), ("社会效益指标", "social"),
    ("可持续影响指标", "sustainability"), ("服务对象满意度指标", "beneficiary-satisfaction"),
    ("数量", "quantity"), ("质量", "quality"), ("时效", "timeliness"), ("社会效益", "social"),
    ("满意度", "satisfaction"), ("投入管理", "input"), ("财务管理", "financial"),
    ("实施管理", "implementation"), ("长效管理", "long-term"), ("部门协助", "cooperation"),
    ("项目立项", "approval"), ("绩效目标", "targets"), ("资金投入", "funding"),
    ("资金管理", "fund-management"), ("组织实施", "organisation"),
    ("可持续影响", "sustainability"), ("群众满意率", ""), ("", "")}


def test_indicators_csv_says_which_standard_level_each_row_is(seed_site: Path):
    """A journalist filtering one level across publishers: the names as printed differ
    (产出指标 in Shanghai 2023, 产出目标 in Shanghai 2020), the key does not; where a name is
    no standard level the key is blank, never guessed."""
    with (seed_site / "data/indicators.csv").open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        rows = list(reader)
    assert reader.fieldnames[-2:] == ["first_level_key", "second_level_key"]
    assert {(r["first_level"], r["first_level_key"]) for r in rows} == SEED_FIRST_LEVELS
    assert {(r["second_level"], r["second_level_key"]) for r in rows} == SEED_SECOND_LEVELS
    output = {(r["publisher"], r["year"], r["first_level"])
              for r in rows if r["first_level_key"] == "output"}
    assert output == {("shanghai-justice", "2020", "产出目标"),
                      ("shanghai-justice", "2023", "产出指标"),
                      ("lianyungang-justice", "2024", "产出指标"),
                      ("kunming-chenggong-justice", "2020", "产出指标")}
    # Every satisfaction indicator, as README says to filter them.
    satisfaction = [r for r in rows if r["first_level_key"] == "satisfaction"
                    or r["second_level_key"] in ("satisfaction", "beneficiary-satisfaction")]
    assert {r["indicator_zh"] for r in satisfaction} >= {"培训人员满意度", "社工培训满意度",
                                                         "工作人员满意度"}
    assert {(r["publisher"], r["year"]) for r in satisfaction} == {
        ("shanghai-justice", "2020"), ("shanghai-justice", "2023"),
        ("kunming-chenggong-justice", "2020")}
    kunming = next(r for r in satisfaction if r["indicator_zh"] == "培训人员满意度")
    assert (kunming["first_level_key"], kunming["second_level_key"]) == ("satisfaction", "")


def test_a_tables_json_gives_each_level_its_standard_key(seed_site: Path):
    """The JSON says what the CSV's key columns say, at each level of the hierarchy."""
    record = json.loads((seed_site / "data/kunming-chenggong-justice/2020/"
                         "community-corrections-funds.json").read_text(encoding="utf-8"))
    levels = {(first["name"]["zh"], first["key"], second["name"]["zh"], second["key"])
              for first in record["indicators"]["first_levels"]
              for second in first["second_levels"]}
    assert ("产出指标", "output", "数量指标", "quantity") in levels
    assert ("满意度指标", "satisfaction", "群众满意率", None) in levels


def test_a_tables_csv_has_the_standard_levels_of_its_rows(seed_site: Path):
    """The per-record CSV, in the same columns: Shanghai 2020's levels by their keys."""
    path = seed_site / "data/shanghai-justice/2020/community-corrections-case-funds.csv"
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    keys = {(r["first_level"], r["second_level"]): (r["first_level_key"], r["second_level_key"])
            for r in rows}
    assert keys[("产出目标", "数量")] == ("output", "quantity")
    assert keys[("效果目标", "满意度")] == ("effect", "satisfaction")
    assert keys[("投入与管理", "财务管理")] == ("input-management", "financial")


def test_the_readme_names_every_standard_level_key():
    """The keys a data user filters on, listed in README, are the glossary's."""
    import re

    from sitegen.glossary import load_glossary

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("- **The standard levels**")
    section = readme[start:readme.index("\n- ", start + 1)]
    named = set(re.findall(r"`([a-z-]+)`", section))
    keys = {term.key for terms in load_glossary().levels.values() for term in terms}
    assert named == keys, (named ^ keys)


def test_tables_csv_lists_every_record_with_its_amount_and_addresses(seed_site: Path):
    """data/tables.csv: the whole site as one table, a row per published record, for a
    data user comparing projects' amounts across publishers and years without opening
    each record. Every address in it leads to the file it names, and the home page in
    both languages links it."""
    with (seed_site / "data/tables.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    records = sorted((REPO / "content").glob("*/*/*.yaml"))
    assert [row["record"] for row in rows] == [path.stem for path in records]
    by_id = {row["record"]: row for row in rows}
    office = by_id["office-renovation"]
    json_total = json.loads((seed_site / office["json"]).read_text(encoding="utf-8"))[
        "funding"][0]["rows"][0]["amounts"][0]
    assert office["amount_yuan"] == json_total == "9593190.00"
    assert (office["publisher_zh"], office["publisher_en"], office["year"]) == (
        "上海市司法局", "Shanghai Municipal Bureau of Justice", "2023")
    assert int(office["indicators"]) > 0 and office["kind"] == "target-table"
    assert by_id[REPORT]["kind"] == "evaluation-report" and by_id[REPORT]["amount_yuan"]
    for row in rows:
        assert row["project_zh"] and row["project_en"], row
        for column in ("page_zh", "page_en", "json", "csv"):
            assert (seed_site / row[column]).is_file(), (column, row)
    for language in ("zh", "en"):
        home = BeautifulSoup((seed_site / language / "index.html").read_text(encoding="utf-8"),
                             "html.parser")
        link = home.find("a", string="tables.csv")
        assert link and (seed_site / language / link["href"]).resolve() == (
            seed_site / "data/tables.csv").resolve()


def test_a_draft_stays_out_of_tables_csv(project_factory, capsys):
    draft = RECORD.replace("year: 2023\n", "year: 2023\ndraft: true\n")
    project = project_factory({"2023/a.yaml": RECORD, "2023/b.yaml": draft})
    status, output = run_cli(capsys, project, "build", "--no-pdf", "--no-search")
    assert status == 0, output
    with (project.build_dir / "data/tables.csv").open(encoding="utf-8-sig",
                                                       newline="") as file:
        assert [row["record"] for row in csv.DictReader(file)] == ["a"]


def test_the_readme_names_every_csv_column_as_written():
    """README's lists of columns are what data users read: held to the headers."""
    import re

    from sitegen.data_export import CSV_HEADER, REPORT_CSV_HEADER, TABLES_CSV_HEADER

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The data files"):readme.index("## Layout")]
    listed = [tuple(re.sub(r"\s+", " ", columns).split(", "))
              for columns in re.findall(r"columns\s+`(publisher,[^`]+)`", section)]
    assert listed == [CSV_HEADER, REPORT_CSV_HEADER, TABLES_CSV_HEADER], listed


def test_a_carriage_return_in_a_text_stays_inside_its_csv_field(project_factory, capsys):
    """A YAML "\r" in an indicator's name: the row must stay one row, for Excel and for
    Python's reader, in the table's CSV and in the site's (rows end in CRLF, RFC 4180)."""
    record = RECORD.replace("- name: 培训次数", '- name: "培训\\r次数"')
    project = project_factory({"2023/a.yaml": record})
    status, output = run_cli(capsys, project, "build", "--no-pdf", "--no-search")
    assert status == 0, output
    for name in ("data/test-bureau/2023/a.csv", "data/indicators.csv"):
        data = (project.build_dir / name).read_bytes()
        assert data.endswith(b"\r\n") and data.count(b"\r\n") == 2, (name, data)
        with (project.build_dir / name).open(encoding="utf-8-sig", newline="") as file:
            rows = list(csv.DictReader(file))
        assert [row["indicator_zh"] for row in rows] == ["培训\r次数"], name


def test_csv_text_is_what_the_csv_module_writes(seed_site: Path):
    """data_export.to_csv joins rows itself (quoting only where needed): byte for byte
    what csv.writer writes, for the seed tables and for fields full of what needs quoting."""
    import io
    import random
    from collections.abc import Sequence

    from sitegen.data_export import BYTE_ORDER_MARK, CSV_HEADER, REPORT_CSV_HEADER, to_csv

    def by_the_csv_module(rows: list[list[str]], header: Sequence[str] = CSV_HEADER) -> str:
        out = io.StringIO()
        out.write(BYTE_ORDER_MARK)
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()

    plain = ["", "a", "培训", " ", "'", ";", "\t", "，", "\u2028"]
    chosen = random.Random(7)
    made = [[chosen.choice(pieces) + chosen.choice(pieces) + chosen.choice(pieces)
             for _ in CSV_HEADER]  # rows with one kind of trouble each, and with none
            for pieces in (plain, [*plain, ","], [*plain, '"'], [*plain, "\r"],
                           [*plain, "\n"], [*plain, "\r\n", ",", '"']) for _ in range(100)]
    assert to_csv(made) == by_the_csv_module(made)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([[""], ["a"], ["", ""]])
    assert to_csv([[""], ["a"], ["", ""]], header=None) == out.getvalue()
    assert to_csv(made, REPORT_CSV_HEADER) == by_the_csv_module(made, REPORT_CSV_HEADER)
    # Every table's CSV, the site's, and the report's (its own header, multi-line rules).
    files = sorted((seed_site / "data").rglob("*.csv"))
    assert any(file.stem == REPORT for file in files)
    for table in files:
        with table.open(encoding="utf-8-sig", newline="") as file:
            header, *rows = list(csv.reader(file))
        assert by_the_csv_module(rows, header).encode("utf-8") == table.read_bytes(), table


def test_table_json_is_one_compact_utf8_line_without_internals(seed_site: Path):
    """The JSON's bytes as data users get them: one line of compact UTF-8 (Chinese as
    written, not \\u escapes), fields in the model's order, and none of the build's own
    bookkeeping (source positions, coverage counts, standard-term keys)."""
    import dataclasses

    from sitegen.model import IndicatorValue

    internal = {"position", "positions", "score_position", "source_path", "english_coverage",
                "known", "html", "html_en"}
    value_fields = [field.name for field in dataclasses.fields(IndicatorValue)]

    def keys(value: object) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for item in value.values() for k in keys(item)}
        return {k for item in value for k in keys(item)} if isinstance(value, list) else set()

    files = sorted((seed_site / "data").glob("*/*/*.json"))
    assert len(files) >= 17
    for path in files:  # the report's too
        data = path.read_bytes()
        parsed = json.loads(data)
        assert data == (json.dumps(parsed, ensure_ascii=False, separators=(",", ":"))
                        + "\n").encode("utf-8"), path
        assert not keys(parsed) & internal, path
        if parsed["kind"] == "evaluation-report":
            continue
        assert list(parsed)[:4] == ["id", "publisher", "year", "form"], path
        values = [value for first in parsed["indicators"]["first_levels"]
                  for second in first["second_levels"] for indicator in second["indicators"]
                  for value in indicator["values"] if value]
        assert values and all(list(value) == value_fields for value in values), path


def test_a_model_class_of_one_or_no_exported_field_is_written_as_a_mapping():
    """The JSON hook takes a class's fields with operator.attrgetter, which gives a tuple
    only for two names or more: one field, or none left after the internal ones, still
    make a mapping (the review found the second raising TypeError)."""
    import dataclasses

    from sitegen.data_export import _json_value
    from sitegen.glossary import load_glossary

    @dataclasses.dataclass
    class One:
        amount: int
        position: int = 0

    @dataclasses.dataclass
    class Internal:
        position: int = 0

    assert _json_value(One(5), load_glossary()) == {"amount": 5}
    assert _json_value(Internal(), load_glossary()) == {}


# What the seed report says of its first scored indicator (立项依据充分性).
BASIS_EXPLANATION = ("项目立项是否符合法律法规、相关政策、发展规划以及部门职责，"
                     "用以反映和考核项目立项依据情况。")


def json_mappings(data: object) -> list[dict]:
    """Every mapping in a JSON document, at any depth."""
    if isinstance(data, dict):
        return [data, *(found for value in data.values() for found in json_mappings(value))]
    if isinstance(data, list):
        return [found for value in data for found in json_mappings(value)]
    return []


def scored_indicators(report: dict) -> list[dict]:
    return [indicator for first in report["scoring"]["first_levels"]
            for second in first["second_levels"] for indicator in second["indicators"]]


def body_blocks(blocks: list[dict]) -> list[dict]:
    """Every block of a report's body, sections' contents included, in reading order."""
    return [found for block in blocks
            for found in [block, *(body_blocks(block["content"])
                                   if block["kind"] == "section" else [])]]


def test_a_report_is_json_with_its_scores_totals_and_text(seed_site: Path):
    """The seed report as data: 33 scored indicators with exact weights and scores, the
    total and grade the model computes (each level's too), the stated figures beside
    them, its tables, and its body as Markdown source with the page's HTML left out."""
    report = json.loads((seed_site / f"{REPORT_DATA}.json").read_text(encoding="utf-8"))
    assert (report["id"], report["kind"]) == (REPORT, "evaluation-report")
    indicators = scored_indicators(report)
    assert len(indicators) == 33
    assert sum(Decimal(indicator["weight"]) for indicator in indicators) == 100
    scored = sum(Decimal(indicator["score"]) for indicator in indicators)
    scoring = report["scoring"]
    assert scored == Decimal(scoring["score"]) == 91
    assert (scoring["weight"], scoring["grade"]) == ("100", {"zh": "优秀", "en": "Excellent"})
    stated = [figures for figures in json_mappings(report) if figures.get("grade")]
    assert stated and all(figures["grade"]["en"] for figures in stated), stated
    assert scoring["total"]["score"] == "91"  # as the report prints it, beside the sum
    for first in scoring["first_levels"]:
        assert Decimal(first["score"]) == sum(Decimal(second["score"])
                                              for second in first["second_levels"])
    basis = indicators[0]
    assert basis["name"] == {"zh": "立项依据充分性", "en": "Adequacy of the basis for the project"}
    assert basis["explanation"]["zh"] == BASIS_EXPLANATION
    assert (basis["value"]["raw"], basis["value"]["en"]) == ("充分", "Sufficient")
    assert report["spending"]["rows"][0]["amount"] == "22.76"

    blocks = body_blocks(report["body"])
    texts = [block["text"] for block in blocks if block["kind"] == "markdown"]
    assert texts[0]["zh"].startswith("为贯彻《中共中央 国务院关于全面实施预算绩效管理的意见》")
    assert texts[0]["en"].startswith("To implement the Opinions of the CPC Central Committee")
    assert not [text for text in texts if "<p>" in text["zh"] or "<p>" in (text["en"] or "")]
    headings = [block["heading"]["zh"] for block in blocks if block["kind"] == "section"]
    assert "三、综合评价情况及评价结论" in headings
    # Each table block names its table as the record does, so where it is in the JSON.
    placed = {block["table"] for block in blocks if block["kind"] == "table"}
    assert placed == {"implementing_units", "spending", "execution", "targets", "scoring",
                      "scoring_appendix"}
    assert all(report[name] for name in placed - {"scoring_appendix"})
    assert report["scoring"]["appendix"]["total"]["score"] == "91"


def test_a_report_csv_has_a_row_per_scored_indicator(seed_site: Path):
    """What a spreadsheet user gets: one row per scored indicator, Excel-readable, the
    scores adding up to the report's total, multi-line rules kept in one field."""
    data = (seed_site / f"{REPORT_DATA}.csv").read_bytes()
    assert data.startswith("\ufeffpublisher,year,record,".encode()) and data.endswith(b"\r\n")
    with (seed_site / f"{REPORT_DATA}.csv").open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        rows = list(reader)
    assert reader.fieldnames == [
        "publisher", "year", "record", "project_zh", "project_en", "first_level",
        "second_level", "indicator_zh", "indicator_en", "target", "weight", "score",
        "explanation", "rule", "first_level_en", "second_level_en", "target_en",
        "explanation_en", "rule_en", "first_level_key", "second_level_key"]
    assert len(rows) == 33
    assert sum(Decimal(row["score"]) for row in rows) == 91
    assert sum(Decimal(row["weight"]) for row in rows) == 100
    assert {(row["publisher"], row["year"], row["record"]) for row in rows} == {
        ("shenzhen-justice", "2020", REPORT)}
    basis = next(row for row in rows if row["indicator_zh"] == "立项依据充分性")
    assert basis["explanation"] == BASIS_EXPLANATION
    assert [basis[column] for column in ("first_level", "second_level", "target", "weight",
                                         "score")] == ["项目决策", "项目立项", "充分", "3", "3"]
    assert [basis[column] for column in ("indicator_en", "first_level_en", "target_en")] == [
        "Adequacy of the basis for the project", "Project decision-making", "Sufficient"]
    # The report's own spellings of the standard levels (项目决策, 产出数量 …), as keys.
    assert sorted({(row["first_level"], row["first_level_key"]) for row in rows}) == [
        ("产出指标", "output"), ("效益指标", "outcome"), ("项目决策", "decision"),
        ("项目过程", "process")]
    assert sorted({(row["second_level"], row["second_level_key"]) for row in rows}) == [
        ("产出成本", "cost"), ("产出数量", "quantity"), ("产出时效", "timeliness"),
        ("产出质量", "quality"), ("满意度", "satisfaction"), ("社会效益", "social"),
        ("组织实施", "organisation"), ("绩效目标", "targets"), ("资金投入", "funding"),
        ("资金管理", "fund-management"), ("项目立项", "approval")]
    rule = basis["rule"].split("\n")  # six lines, one field
    assert (rule[0], len(rule)) == ("①项目立项是否符合国家法律法规、国民经济发展规划和相关政策；",
                                    6)
    assert basis["rule_en"].startswith("① Whether the project complies with national laws")


@pytest.mark.parametrize(("language", "label"), [("zh", "数据下载"), ("en", "Data")])
def test_the_report_page_links_its_data_files_and_its_pdf_does_not(seed_site: Path,
                                                                  language: str, label: str):
    """Like a table page, each language's report page links the CSV and the JSON (to be
    downloaded, with their types); the PDF, made from the same article, links neither."""
    page = seed_site / language / "shenzhen-justice/2020" / REPORT / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    download = soup.select_one("article.evaluation-report header p.download")
    assert download is not None and f"{label}: CSV · JSON" in download.get_text()
    links = {link["type"]: link for link in download.select("a[download]")}
    for kind, suffix in (("text/csv", "csv"), ("application/json", "json")):
        target = (page.parent / links[kind]["href"]).resolve()
        assert target == (seed_site / f"{REPORT_DATA}.{suffix}").resolve()
        assert target.is_file()
    pdf = page.parent / f"{REPORT}.pdf"
    assert links["application/pdf"]["href"] == pdf.name
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "JSON" not in text and "CSV" not in text


def test_the_site_csv_holds_target_tables_only(seed_site: Path):
    """data/indicators.csv has target values in its columns: the report's CSV, though
    written beside its page, is not appended to it."""
    assert (seed_site / f"{REPORT_DATA}.csv").is_file()
    combined = (seed_site / "data/indicators.csv").read_bytes()
    assert combined.count(b"publisher,year,record,") == 1
    with (seed_site / "data/indicators.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert rows and not [row for row in rows if row["record"] == REPORT]
    assert BASIS_EXPLANATION not in combined.decode("utf-8")  # a scored indicator's words


def test_report_data_files_are_the_same_bytes_from_every_build(seed_site: Path):
    """Same input, same bytes: the seed build's files (written by its worker processes)
    against the report's data made again here, in another process and order."""
    from sitegen.data_export import REPORT_CSV_HEADER, record_json, report_csv_rows, to_csv

    glossary = load_glossary()
    site = load_site(Project(REPO), glossary, Diagnostics())
    report = next(report for report in site.reports if report.id == REPORT)
    assert record_json(report, glossary) == (seed_site / f"{REPORT_DATA}.json").read_bytes()
    assert (to_csv(report_csv_rows(report, glossary), REPORT_CSV_HEADER).encode("utf-8")
            == (seed_site / f"{REPORT_DATA}.csv").read_bytes())
