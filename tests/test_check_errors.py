"""`sitegen check` on each class of mistake: the message, the line, the exit status."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import RECORD, line_of, run_cli

PATH = "content/test-bureau/2023/a.yaml"


def with_change(old: str, new: str) -> str:
    assert old in RECORD, old
    return RECORD.replace(old, new, 1)


def check(project_factory, capsys, record: str, *extra: str) -> tuple[int, str]:
    project = project_factory({"2023/a.yaml": record})
    return run_cli(capsys, project, "check", *extra)


def test_valid_record_passes(project_factory, capsys):
    status, output = check(project_factory, capsys, RECORD)
    assert status == 0, output
    assert "1 record(s) checked: no errors" in output


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ("year: 2023", "year: [2023", "project:", "a flow sequence that starts on line 4"),
        ("kind: target-table", "kind: target-table\nkind: target-table", "kind:",
         "duplicate key 'kind': it is already given on line 1"),
        ("title: 财政项目支出绩效目标申报表", "title: &t 财政项目支出绩效目标申报表", "title:",
         "anchors (&t) are not allowed"),
        ("year: 2023", "year: !!int 2023", "year:", "YAML tags (!!int) are not allowed"),
        ("kind: target-table\n", "kind: target-table\ntitel: x\n", "titel:",
         "unknown field 'titel'. Did you mean 'title'?"),
        ("  start: 2023-01-01\n", "  start: 2023-01-01\n  implementing_units: x\n",
         "implementing_units", "Did you mean 'implementing_unit'?"),
        ("year: 2023", "year: twenty", "year:", "'year' must be a whole number, not 'twenty'"),
        ("  end: 2023-12-31", "  end: 2023-02-30", "end:", "which is not a date"),
        ("  start: 2023-01-01\n  end: 2023-12-31", "  start: 2023-06-01\n  end: 2023-03-01",
         "end:", "the project ends (2023-03-01) before it starts (2023-06-01)"),
        ("  end: 2023-12-31", "  end: 2024-12-31", "end:", "outside the record's year 2023"),
        ("        amount: 1,000.00\n        parts:", "        amount: 1,200.00\n        parts:",
         "label: 项目资金总额",
         "'项目资金总额' (金额) is 1,200.00 元 but its parts add up to 1,000.00"),
        ("        amount: 1,000.00\n        parts:", "        amount: 1,0O0.00\n        parts:",
         "1,0O0.00", "which is not an amount"),
        ("        amount: 1,000.00\n        parts:", "        amount: 1 000 00\n        parts:",
         "1 000 00", "'1 000 00', which is not an amount: write digits (at most 20)"),
        ("    unit: 元", "    unit: 美元", "unit:",
         "'funding[0].unit' is '美元', which is not one of"),
        ("project:\n  name: {zh: 测试项目, en: Test project}\n", "project:\n", "project:",
         "missing field 'project.name'"),
        ("form: shanghai-2023", "form: shanghai-2033", "form:", "Did you mean 'shanghai-2023'?"),
        ("              value: \"=4(次)\"", "              values: [\"=4(次)\", \"=5(次)\"]",
         "values:", "has 2 values but the table has 1 target columns"),
        ("              value: \"=4(次)\"", "              value: [\"=4(次)\"]", "value:",
         "must be a single value"),
        ("    - name: 产出指标\n", "    - second: x\n", "second: x",
         "unknown field 'indicators.first_levels[0].second'"),
        ("  name: {zh: 测试项目, en: Test project}", "  name: ''", "  name: ''",
         "'project.name' is empty: write its text"),
        ("            - name: 培训次数", "            - name: {zh: ' ', en: Trainings}",
         "Trainings", "'indicators.first_levels[0].second_levels[0].indicators[0].name.zh' "
         "is empty"),
        ("              value: \"=4(次)\"", "              value: \" \"", "value: \" \"",
         "'indicators.first_levels[0].second_levels[0].indicators[0].value' is empty: "
         "write the target value as printed, or `missing: <why>` instead of `value`"),
    ],
    ids=["syntax", "duplicate-key", "anchor", "tag", "unknown-field", "did-you-mean",
         "wrong-type", "bad-date", "date-order", "date-year", "funding-sum", "bad-amount",
         "misgrouped-amount",
         "bad-unit", "missing-field", "unknown-form", "value-count", "value-type",
         "unknown-level-field", "empty-text", "empty-indicator-name", "empty-value"],
)
def test_each_mistake_is_reported_with_its_line(project_factory, capsys, old, new, needle,
                                                message):
    record = with_change(old, new)
    status, output = check(project_factory, capsys, record)
    assert status == 1
    line = line_of(record, needle, 2 if "duplicate key" in message else 1)
    matching = [row for row in output.splitlines() if message in row]
    assert matching, output
    assert matching[0].startswith(f"{PATH}:{line}:"), (line, output)
    assert ": error: " in matching[0]


def test_an_empty_value_among_several_columns_says_how_a_blank_cell_is_written(
        project_factory, capsys):
    record = with_change("  targets: [年度指标值]", "  targets: [半年指标值, 全年指标值]").replace(
        '              value: "=4(次)"', '              values: ["=2(次)", ""]')
    status, output = check(project_factory, capsys, record)
    assert status == 1, output
    assert (f"{PATH}:{line_of(record, 'values:')}:") in output, output
    assert ("'indicators.first_levels[0].second_levels[0].indicators[0].values[1]' is empty: "
            "write the target value as printed, `~` for a cell the source prints blank, or "
            "`missing: <why>` instead of `values`") in output, output


def test_all_errors_of_a_run_are_listed_together(project_factory, capsys):
    record = with_change("kind: target-table\n", "kind: target-table\ntitel: x\n")
    record = record.replace("  end: 2023-12-31", "  end: 2022-12-31")
    project = project_factory({"2023/a.yaml": record, "2023/b.yaml": "year: [\n"})
    status, output = run_cli(capsys, project, "check")
    assert status == 1
    assert "unknown field 'titel'" in output
    assert "before it starts" in output
    assert "content/test-bureau/2023/b.yaml:2:" in output
    assert "outside the record's year" in output
    assert "4 error(s)" in output


def test_a_file_meant_as_a_record_but_not_named_so_is_reported(project_factory, capsys):
    """Notepad saves `b.yaml.txt` while Windows hides the `.txt`; `c.YAML` is a record
    in all but its case. Both are ignored, and said to be; the source document kept
    beside its record is not a record, and is not reported."""
    project = project_factory({"2023/a.yaml": RECORD, "2023/b.yaml.txt": RECORD,
                               "2023/c.YAML": RECORD, "2023/原表.docx": "x",
                               "2023/.d.yaml": RECORD, "2023/a.yaml.txt": RECORD,
                               "2023/E_F.yaml.txt": RECORD})
    status, output = run_cli(capsys, project, "check")
    assert status == 0, output
    assert ("content/test-bureau/2023/b.yaml.txt: warning: ignored, because a record's name "
            "ends in .yaml: if this file is a record, rename it b.yaml") in output
    assert "content/test-bureau/2023/c.YAML: warning: ignored" in output
    assert "rename it c.yaml" in output and "原表" not in output
    assert ".d.yaml" not in output  # hidden, as an editor's own files are
    assert ("a.yaml.txt: warning: ignored, because a record's name ends in .yaml; a.yaml is "
            "beside it") in output
    assert ("E_F.yaml.txt: warning: ignored, because a record's name ends in .yaml: if this "
            "file is a record, rename it <id>.yaml (lower-case letters") in output
    assert "1 record(s) checked" in output


def test_ten_thousand_factor_is_a_likely_unit_mixup(project_factory, capsys):
    record = with_change("            amount: 1,000.00\n", "            amount: 10000000.00\n")
    status, output = check(project_factory, capsys, record)
    assert status == 0  # published as filed, but the editor is told
    assert "a factor of 10,000, most likely a 元/万元 mix-up" in output
    assert f"{PATH}:{line_of(record, 'label: 项目资金总额')}:" in output


def test_an_acknowledged_unit_mixup_is_quiet_and_nothing_else_is(project_factory, capsys):
    """A record that publishes a source's 元/万元 mix-up as filed says so once, with
    `acknowledge: [unit-mixup]` and a note; the warning goes, a real sum error stays."""
    mixup = with_change("            amount: 1,000.00\n", "            amount: 10000000.00\n")
    acknowledged = mixup.replace("    unit: 元\n", "    unit: 元\n    acknowledge: [unit-mixup]\n"
                                 "    note: 原表如此。\n")
    status, output = check(project_factory, capsys, acknowledged)
    assert status == 0 and "mix-up" not in output, output
    wrong = acknowledged.replace("        amount: 1,000.00\n        parts:",
                                 "        amount: 1,234.00\n        parts:")
    status, output = check(project_factory, capsys, wrong)
    assert status == 1
    assert "'项目资金总额' (金额) is 1,234.00 元 but its parts add up to 10,000,000.00" in output


def with_funding(tables: str) -> str:
    """RECORD with its funding tables replaced by `tables`."""
    return RECORD.replace(RECORD[RECORD.index("  - caption: 项目资金"):RECORD.index("goals:")],
                          tables)


TWO_COLUMNS = """  - caption: 项目资金
    unit: 元
    columns: [财政资金, 其他资金, 总投入]
    total_column: 总投入
    rows:
      - label: 项目资金
        amounts: [100, 50, TOTAL]
"""


@pytest.mark.parametrize(("total", "error"), [("150", False), ("160", True)])
def test_a_total_column_must_be_the_sum_of_the_others(project_factory, capsys, total, error):
    record = with_funding(TWO_COLUMNS.replace("TOTAL", total))
    status, output = check(project_factory, capsys, record)
    assert status == (1 if error else 0), output
    message = "'项目资金' 总投入 is 160 元 but its parts add up to 150 元"
    assert (message in output) == error
    if error:
        assert f"{PATH}:{line_of(record, '- label: 项目资金')}:9: error: {message}" in output


INCOME_AND_SPENDING = """  - caption: 项目资金（收入）
    unit: 元
    kind: income
    rows:
      - label: 项目资金总额
        amount: 1,000.00
  - caption: 项目资金（支出）
    unit: 元
    kind: expenditure
    rows:
      - label: 培训
        amount: 600.00
      - label: 宣传
        amount: SPENT
"""


@pytest.mark.parametrize(("spent", "error"), [("400.00", False), ("500.00", True)])
def test_expenditure_rows_must_add_up_to_the_income(project_factory, capsys, spent, error):
    status, output = check(project_factory, capsys,
                           with_funding(INCOME_AND_SPENDING.replace("SPENT", spent)))
    assert status == (1 if error else 0), output
    message = ("income '项目资金总额' (金额) is 1,000.00 元 but the expenditure rows add up to "
               "1,100.00 元")
    assert (message in output) == error, output


def test_values_are_kept_as_typed(project_factory, capsys, tmp_path):
    from sitegen.build import build
    from sitegen.report import RecordingReporter

    record = with_change("  competent_department: 上海市司法局",
                         "  competent_department: 010\n  nature: NO")
    record = record.replace("amount: 1,000.00", "amount: 12.50")
    project = project_factory({"2023/a.yaml": record})
    build(project, RecordingReporter(), pdf=False)
    page = (project.build_dir / "zh/test-bureau/2023/a/index.html").read_text(encoding="utf-8")
    assert "<td>010</td>" in page and "<td>NO</td>" in page
    assert ">12.50<" in page


def test_unparsed_value_is_a_warning_and_kept_verbatim(project_factory, capsys):
    record = with_change('value: "=4(次)"', "value: 每月若干次")
    status, output = check(project_factory, capsys, record)
    assert status == 0
    assert f"{PATH}:{line_of(record, '每月若干次')}:" in output
    assert "warning: " in output and "'每月若干次' is neither a figure" in output
    status, _ = check(project_factory, capsys, record, "--strict")
    assert status == 1


def test_duplicate_ids_and_unsafe_names(project_factory, capsys):
    project = project_factory({"2023/a.yaml": RECORD, "2023/a.yml": RECORD,
                               "2023/Bad Name.yaml": RECORD})
    status, output = run_cli(capsys, project, "check")
    assert status == 1
    assert ("content/test-bureau/2023/a.yml: error: this record would be published at the "
            "same address as content/test-bureau/2023/a.yaml") in output
    assert "'Bad Name' is not a safe name for a web address" in output


def test_non_utf8_file_names_the_line(project_factory, capsys):
    project = project_factory({"2023/a.yaml": RECORD})
    path = project.content_dir / "test-bureau/2023/a.yaml"
    path.write_bytes(RECORD.replace("完成任务", "完成任务").encode("utf-8").replace(
        "测试项目".encode(), "测试项目".encode("gb18030")))
    status, output = run_cli(capsys, project, "check")
    assert status == 1
    assert f"{PATH}:{line_of(RECORD, '测试项目')}:1: error: this file is not UTF-8" in output


def test_a_utf16_file_is_named_as_such_not_as_gbk(project_factory, capsys):
    project = project_factory({"2023/a.yaml": RECORD})
    (project.content_dir / "test-bureau/2023/a.yaml").write_bytes(RECORD.encode("utf-16"))
    status, output = run_cli(capsys, project, "check")
    assert status == 1
    assert f"{PATH}:1:1: error: this file is UTF-16" in output and "GBK" not in output


def test_missing_publisher_file(project_factory, capsys):
    project = project_factory({"2023/a.yaml": RECORD})
    (project.content_dir / "test-bureau/publisher.yaml").unlink()
    status, output = run_cli(capsys, project, "check")
    assert status == 1
    assert "content/test-bureau/publisher.yaml: error: this publisher has no publisher.yaml" \
        in output


def test_no_traceback_reaches_the_user(project_factory):
    project = project_factory({"2023/a.yaml": "kind: [\n", "2023/b.yaml": "- just a list\n"})
    result = subprocess.run([sys.executable, "-m", "sitegen.cli", "--project",
                             str(project.root), "build"], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "b.yaml:1:1: error: '' must be a mapping of fields" not in result.stderr
    assert "b.yaml:1:1: error: the record must be a mapping of fields" in result.stderr
    assert "build failed: build/ was left as it was" in result.stderr


@pytest.mark.parametrize("text", [RECORD, with_change("year: 2023", "year: [2023"),
                                  with_change("year: 2023", "year: &y 2023")])
@pytest.mark.parametrize("enabled", [True, False])
def test_parsing_leaves_garbage_collection_as_it_found_it(text, enabled):
    """Parsing pauses the cyclic collector (collector.collector_paused): a parse that left it
    off, even after a YAML error, would let every later cycle leak for the whole run."""
    import gc

    from sitegen.errors import Diagnostics
    from sitegen.load import parse_yaml

    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        parse_yaml(text, PATH, Diagnostics())
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_a_repeated_warning_is_counted_and_all_lists_every_one(project_factory, capsys):
    """Many records missing the same kind of English: five shown, the rest counted with
    the way to see them; `--all` and `--strict` (where warnings fail the run) list all."""
    untranslated = RECORD.replace("{zh: 测试项目, en: Test project}", "未译项目")
    project = project_factory({f"2023/r{i}.yaml": untranslated.replace("未译项目", f"未译{i}")
                               for i in range(6)})
    shown = "warning: no English for"
    status, every = run_cli(capsys, project, "check", "--all")
    total = every.count(shown)
    assert status == 0 and total > 6, every
    status, output = run_cli(capsys, project, "check")
    assert status == 0 and output.count(shown) == 5, output
    assert (f"... and {total - 5} more warning(s) of the same kind (missing-translation); "
            "`sitegen check --all` lists every one") in output
    status, output = run_cli(capsys, project, "check", "--strict")
    assert status == 1 and output.count(shown) == total and "more warning(s)" not in output


def test_a_broken_template_is_reported_once_not_once_a_page(project_factory, capsys):
    project = project_factory({"2023/a.yaml": RECORD,
                               "2023/b.yaml": RECORD.replace("测试项目", "另一个项目")})
    facts = project.templates_dir / "_facts.html"
    facts.write_text(facts.read_text(encoding="utf-8") + "{% if %}\n", encoding="utf-8")
    status, output = run_cli(capsys, project, "build", "--no-pdf", "--no-search")
    assert status == 1
    errors = [row for row in output.splitlines() if "error: template syntax" in row]
    assert len(errors) == 1 and errors[0].startswith("templates/_facts.html:"), output


def test_a_level_name_one_character_off_a_standard_one_is_questioned(project_factory, capsys):
    """Level names are free text, so 产出指表 is published; but it is most likely a typo of
    产出指标 (it would become a level of its own in the data and the search filters), and
    the warning says so, where the translation warning alone sent the editor to the
    glossary."""
    record = with_change("    - name: 产出指标", "    - name: 产出指表")
    status, output = check(project_factory, capsys, record)
    assert status == 0
    assert (f"{PATH}:{line_of(record, '产出指表')}:7: warning: 'indicators.first_levels[0].name' "
            "is '产出指表', which is not a standard level name: did you mean '产出指标'?") in output
    status, output = check(project_factory, capsys, with_change("    - name: 产出指标",
                                                                "    - name: 产出指标 "))
    assert "standard level name" not in output


def test_a_level_name_numbered_as_printed_is_the_standard_level(project_factory, capsys):
    """Some forms number their levels (一、产出指标, （一）数量指标): the standard level all the
    same, so it is neither questioned nor left without English, and the data say its key."""
    record = with_change("    - name: 产出指标", "    - name: 一、产出指标").replace(
        "        - name: 数量指标", "        - name: （一）数量指标")
    assert "（一）数量指标" in record
    status, output = check(project_factory, capsys, record)
    assert status == 0
    assert "standard level name" not in output, output
    assert "产出指标" not in output and "数量指标" not in output, output  # no English asked
    from sitegen.glossary import load_glossary

    glossary = load_glossary()
    assert glossary.level(1, "一、产出指标").key == "output"
    assert glossary.english("（一）数量指标") == glossary.english("数量指标")
    assert glossary.level(1, "一级指标") is None  # a leading 一 that is no number stays


def test_a_pause_of_the_collector_ends_with_the_last_parse_and_not_in_a_fork():
    """Two threads' parses overlapping leave the collector on once both end; a process
    forked during a parse (the preview starts its PDF worker while its watcher thread
    parses) has it on from the start, or that worker would never collect cycles."""
    import gc
    import multiprocessing

    from sitegen.collector import collector_paused

    assert gc.isenabled()
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second parse is still under way
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(gc.isenabled) is True
    second.__exit__(None, None, None)
    assert gc.isenabled()


@pytest.mark.parametrize(("old", "new"), [
    ("            amount: 1,000.00", "            amount: 9OO.00\n"  # a part's
     "          - label: 其他资金\n            amount: 100.00"),
    ("        amount: 1,000.00\n        parts:", "        amount: l,000.00\n        parts:"),
], ids=["part", "total"])
def test_an_amount_that_does_not_read_is_one_error_not_also_a_wrong_sum(
        project_factory, capsys, old, new):
    """A mistyped amount used to be left out of its table's sums, which then reported a
    total its parts do not add up to (or a total with no amount) that is not in the file."""
    record = with_change(old, new)
    status, output = check(project_factory, capsys, record)
    typed = new.split("amount: ")[1].split("\n")[0]
    assert status == 1
    assert f"{PATH}:{line_of(record, typed)}:" in output and "which is not an amount" in output
    assert "1 error(s)" in output and "add up to" not in output, output
    assert "has no amount" not in output, output


def test_a_wrong_sum_is_still_reported_beside_another_error_in_its_table(project_factory,
                                                                         capsys):
    """Only a figure that does not read holds a table's sums back: a misspelt field or
    kind beside a wrong total leaves both to be reported in the same run."""
    record = with_change("        amount: 1,000.00\n        parts:",
                         "        amount: 1,200.00\n        nots: x\n        parts:")
    record = record.replace("    unit: 元\n", "    unit: 元\n    kind: incom\n", 1)
    status, output = check(project_factory, capsys, record)
    assert status == 1 and "3 error(s)" in output, output
    assert "is 1,200.00 元 but its parts add up to 1,000.00 元" in output, output
    assert "unknown field 'funding[0].rows[0].nots'" in output, output


def test_a_blank_total_over_its_parts_is_questioned_unless_acknowledged(project_factory,
                                                                        capsys):
    """Deleting a total's amount used to pass unseen (its cell blank on the page): a
    warning at its row, which a source that really prints it blank acknowledges."""
    record = with_change("        amount: 1,000.00\n        parts:", "        parts:")
    status, output = check(project_factory, capsys, record)
    row = line_of(record, "label: 项目资金总额")
    assert status == 0
    assert (f"{PATH}:{row}:" in output and "'项目资金总额' (金额) has no amount but its parts "
            "add up to 1,000.00 元") in output, output
    acknowledged = record.replace("    rows:\n", "    acknowledge: [blank-total]\n"
                                  "    note: 原表未填合计。\n    rows:\n", 1)
    status, output = check(project_factory, capsys, acknowledged)
    assert status == 0 and "has no amount" not in output, output


def test_the_same_project_twice_in_a_year_is_questioned_at_its_name(project_factory,
                                                                    capsys):
    project = project_factory({"2023/a.yaml": RECORD, "2023/b.yaml": RECORD})
    status, output = run_cli(capsys, project, "check")
    assert status == 0
    assert (f"content/test-bureau/2023/b.yaml:{line_of(RECORD, '测试项目')}:9: warning: the "
            "project '测试项目' is also published by content/test-bureau/2023/a.yaml for the "
            "same year: is it a duplicate?") in output, output


def test_a_symlinked_record_is_named_by_its_link(project_factory, capsys, tmp_path):
    """The editor opens content/…/b.yaml; messages name that file, not the link's target
    elsewhere (errors.relative keeps a file's own name, as discover does)."""
    project = project_factory({"2023/a.yaml": RECORD})
    elsewhere = tmp_path / "drafts" / "elsewhere.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(with_change("year: 2023", "year: twenty"), encoding="utf-8")
    link = project.content_dir / "test-bureau/2023/b.yaml"
    link.symlink_to(elsewhere)
    status, output = run_cli(capsys, project, "check")
    assert status == 1 and "elsewhere" not in output, output
    assert project.shown(link) == "content/test-bureau/2023/b.yaml"
    assert "content/test-bureau/2023/b.yaml:" in output and "must be a whole number" in output


def nested_parts(levels: int) -> str:
    """RECORD with funding rows `levels` deep, each row's parts inside it."""
    lines, indent = [], " " * 12
    for level in range(levels - 2):  # RECORD has a total and its part already
        lines += [f"{indent}parts:", f"{indent}  - label: 第{level}层",
                  f"{indent}    amount: 1,000.00"]
        indent += " " * 4
    anchor = "          - label: 其中：财政资金\n            amount: 1,000.00\n"
    return RECORD.replace(anchor, anchor + "".join(f"{line}\n" for line in lines))


def test_funding_rows_nested_past_the_limit_are_an_error_not_a_crash(project_factory,
                                                                     capsys):
    """Rows within rows are free, to a limit: the data files' JSON encoder stops at 255
    levels, and at 126 the build failed with an internal error."""
    from sitegen.validate import MAX_FUNDING_DEPTH

    deepest_allowed = nested_parts(MAX_FUNDING_DEPTH)
    for record in (deepest_allowed, deepest_allowed.replace(  # an empty list nests nothing
            "    - label: 第5层\n", "    - label: 第5层\n" + " " * 36 + "parts: []\n")):
        status, output = run_cli(capsys, project_factory({"2023/a.yaml": record}), "build",
                                 "--no-pdf", "--no-search")
        assert status == 0 and "levels deep" not in output, output
    record = nested_parts(130)
    status, output = check(project_factory, capsys, record)
    deepest = [n for n, line in enumerate(record.splitlines(), 1) if "parts:" in line]
    assert status == 1 and output.count("levels deep") == 1, output
    assert (f"{PATH}:{deepest[MAX_FUNDING_DEPTH - 1]}:" in output
            and f"nests funding rows more than {MAX_FUNDING_DEPTH} levels deep") in output


@pytest.mark.parametrize("opened", ['"上海市司法局', "'上海市司法局"])
def test_an_unclosed_quote_is_reported_where_it_opens(project_factory, capsys, opened):
    """YAML reads an unclosed quoted value on to the next quote and fails far below, at a
    line with nothing wrong ("did not find expected key" at an indicator): the error is
    put at the quote that was left open, naming where the parser gave up."""
    record = with_change("  competent_department: 上海市司法局",
                         f"  competent_department: {opened}")
    status, output = check(project_factory, capsys, record)
    line = line_of(record, "competent_department")
    assert status == 1, output
    assert f"{PATH}:{line}:25: error: this quoted value is not closed on its line" in output
    assert "failed on line" in output and output.count(" error: ") == 1, output
    # A quote closed on its line, then a real mistake further down: no blame on the quote.
    record = with_change("  competent_department: 上海市司法局",
                         '  competent_department: "上海市司法局"').replace(
                             'value: "=4(次)"', "value: [=4(次)")
    status, output = check(project_factory, capsys, record)
    assert status == 1 and "not valid YAML" in output and "not closed" not in output, output
    # Nor a quoted text of several lines written on purpose, nor a block text's line that
    # happens to start with a quote, above an unrelated mistake.
    for text in ('"完成任务，\n      并且验收。"', '|-\n      "放管服\n      改革"要求'):
        record = RECORD.replace("    text: 完成任务。", f"    text: {text}").replace(
            'value: "=4(次)"', "value: [=4(次)")
        status, output = check(project_factory, capsys, record)
        assert status == 1 and "not valid YAML" in output, output
        assert "not closed" not in output, output


@pytest.mark.parametrize(("old", "new", "column", "message"), [
    ("    - name: 产出指标\n", "    - name：产出指标\n", 11,
     "`name：` is written with a full-width colon (：), so YAML does not read it as the "
     "field name: write `name: ` with an ASCII colon and a space"),
    ("    - name: 产出指标\n", "    - name:产出指标\n", 11,
     "`name:` has no space after its colon"),
    ("        - name: 数量指标\n", "\u3000\u3000\u3000\u3000- name: 数量指标\n", 1,
     "this line is indented with full-width spaces (　): YAML indents with ordinary spaces"),
    ("        - name: 数量指标\n", "\t- name: 数量指标\n", 1,
     "this line is indented with a tab: YAML indents with ordinary spaces"),
    ("  competent_department: 上海市司法局\n", "  competent_department:\u00a0上海市司法局\n",
     23, "the space after `competent_department:` is a non-breaking space (copied from a "
     "word processor), so YAML does not read the field competent_department"),
    ("        - name: 数量指标\n", "\u00a0\u00a0\u00a0\u00a0- name: 数量指标\n", 1,
     "this line is indented with non-breaking spaces (from a word processor)"),
    ("        - name: 数量指标\n", "        -\tname: 数量指标\n", 10,
     "the `-` of this list item is followed by a tab: YAML needs an ordinary space after it"),
    ('              value: "=4(次)"', "              value: >=4(次)", 22,
     'a value that begins with > is read by YAML as the start of a block of text: put it '
     'in quotes, ">=4(次)"'),
    ("            - name: 培训次数", "            - name: ｛zh: 培训次数, en: Trainings｝", 21,
     "`｛` is a full-width bracket, which YAML reads as text: write {…} with ASCII brackets"),
    ("    text: 完成任务。", "    text: 目标: 完成任务。", 13,
     "the text of `text` holds a colon and a space, which YAML reads as the start of "
     "another field: put the whole text in quotes, or write the colon full-width (：)"),
], ids=["full-width-colon", "no-space-after-colon", "full-width-indent", "tab-indent",
        "non-breaking-space-after-colon", "non-breaking-space-indent", "tab-after-dash",
        "value-opening-with-a-block-sign", "full-width-brace", "colon-and-space-in-a-text"])
def test_an_input_method_slip_is_named_on_its_own_line(project_factory, capsys, old, new,
                                                       column, message):
    """A full-width colon or space typed by a Chinese input method, or a tab, makes YAML
    fail a line later in its own words ("mapping values are not allowed in this
    context"): the error is put on the slip, saying what to type instead."""
    record = with_change(old, new)
    status, output = check(project_factory, capsys, record)
    line = line_of(record, new.strip())
    assert status == 1, output
    assert f"{PATH}:{line}:{column}: error: {message}" in output, output
    assert "YAML stopped on line" in output and output.count(" error: ") == 1, output


@pytest.mark.parametrize(("old", "new", "needle", "column", "message"), [
    # The block under `text：|-` becomes one plain text with it; YAML fails lines below.
    ("    text: 完成任务。", "    text：|-\n      完成任务，\n      并且验收。", "text：|-", 9,
     "`text：` is written with a full-width colon (：)"),
    # Valid YAML: a key named `　second_levels` of the mapping the line closes.
    ("      second_levels:", "\u3000second_levels:", "second_levels", 1,
     "'\u3000second_levels' is not a field: this line is indented with full-width spaces"),
    ("- name: 培训次数", "- name: {zh：培训次数, en: Trainings}", "zh：", 22,
     "'zh：培训次数' is not a field: `zh：` is written with a full-width colon (：)"),
    ("  name: {zh: 测试项目, en: Test project}\n  competent_department: 上海市司法局\n"
     "  start: 2023-01-01\n  end: 2023-12-31\n", "  name：测试项目\n", "name：", 7,
     "'project' must be a mapping of fields, not a single value: `name：` is written with a "
     "full-width colon"),
    # A text's line indented with a full-width space instead of the block's spaces: not
    # a field, but near the failure, and outside any text, it is the slip.
    ("    text: 完成任务。", "    text: |-\n      完成任务，\n\u3000并且验收。", "并且验收", 1,
     "this line is indented with full-width spaces (　)"),
], ids=["block-under-a-slip", "indent-read-as-a-name", "slip-in-braces", "slip-as-value",
        "text-line-indented-with-full-width-space"])
def test_a_slip_is_named_where_yaml_reads_past_it(project_factory, capsys, old, new, needle,
                                                 column, message):
    record = RECORD.replace(old, new, 1)
    status, output = check(project_factory, capsys, record)
    assert status == 1, output
    assert f"{PATH}:{line_of(record, needle)}:{column}: error: {message}" in output, output


def test_a_slip_that_yaml_reads_as_text_is_named_too(project_factory, capsys):
    """`- name：培训次数` with nothing under it is valid YAML (one text): the record check
    says why it is not the mapping it should be."""
    record = with_change('            - name: 培训次数\n              value: "=4(次)"\n',
                         "            - name：培训次数\n")
    status, output = check(project_factory, capsys, record)
    assert status == 1, output
    assert (f"{PATH}:{line_of(record, 'name：培训次数')}:19: error: 'indicators.first_levels[0]"
            ".second_levels[0].indicators[0]' must be a mapping of fields") in output, output
    assert "`name：` is written with a full-width colon" in output
    # Quoted, it is a text on purpose: no advice about colons.
    status, output = check(project_factory, capsys, record.replace(
        "- name：培训次数", '- "name：培训次数"'))
    assert status == 1 and "must be a mapping of fields" in output, output
    assert "full-width colon" not in output, output


@pytest.mark.parametrize("text", [
    "其中：财政资金",  # as in RECORD's funding: ordinary Chinese
    "|-\n      \u3000\u3000完成任务。",  # a paragraph that opens with two full-width spaces
    "|-\n      完成任务，\n      \t并且验收。",  # a tab, once the block's indentation is set
    "|-\n      Source:page 3",
    "完成任务，\n      name：并且验收。",  # a plain text of two lines
], ids=["colon-in-value", "full-width-paragraph", "tab-in-block", "colon-in-block",
        "plain-two-lines"])
def test_text_near_a_yaml_mistake_is_not_taken_for_a_slip(project_factory, capsys, text):
    """Inside a text (a value, a `|-` block, a plain text of several lines) a full-width
    colon or space, a tab, `word:word` are the text's own: the YAML mistake just below
    (a colon and a space in a text) is the one named, at its own line."""
    record = RECORD.replace("    text: 完成任务。", f"    text: {text}\n    label: 目标: 二")
    status, output = check(project_factory, capsys, record)
    assert status == 1 and output.count(" error: ") == 1, output
    assert (f"{PATH}:{line_of(record, 'label: 目标: 二')}:14: error: the text of `label` "
            "holds a colon and a space") in output, output
    assert "full-width colon (：), so" not in output and "indented with" not in output, output
    assert "no space after" not in output, output


def test_an_unclosed_quote_above_a_full_width_paragraph_is_still_named():
    """The quote left open is what broke the file, not the paragraph YAML read into it."""
    from sitegen.errors import Diagnostics
    from sitegen.load import parse_yaml

    diagnostics = Diagnostics()
    parse_yaml('goals:\n  - label: "年度总体目标\n    text: |-\n      \u3000\u3000完成任务。\n'
               '  - label: "x"\n', "a.yaml", diagnostics)
    [error] = diagnostics.items
    assert (error.position.line, error.position.column) == (2, 12), error
    assert error.message.startswith("this quoted value is not closed on its line"), error


@pytest.mark.parametrize("written", [
    "{zh: 培训, en: Training}", "{zh: ' 培训 ', en: ' '}", "{zh: 培训, en: ~}", "{zh: 培训}",
    "{zh: '', en: Training}", "{zh: ~, en: Training}", "{en: Training}", "{zh: [培训]}",
    "{zh: 培训, en: [Training]}", "{zh: 培训, en: {x: 1}}", "{zh: 培训, fr: Formation}",
    "{zh: 培训, en: Training, note: x}", "{}", "{zh: '~', en: 'null'}"])
def test_a_text_reads_the_same_the_short_way_and_the_long_way(monkeypatch, written):
    """fields._translated_text reads `{zh: …, en: …}` without the checks only when they
    would find nothing: the same Text and the same messages as the long way."""
    from sitegen import fields
    from sitegen.errors import Diagnostics
    from sitegen.load import parse_yaml

    def read(short_way: bool) -> tuple:
        if not short_way:
            monkeypatch.setattr(fields, "_translated_text", lambda node: None)
        diagnostics = Diagnostics()
        node = parse_yaml(f"name: {written}\n", "a.yaml", diagnostics).values["name"]
        return fields.read_text(node, "name", diagnostics), diagnostics.items

    assert read(True) == read(False)


# One indicator, as `- name: 培训次数 / value: "=4(次)"` is written in RECORD, in forms the
# short way reads and forms it must leave to the long way.
INDICATOR_FORMS = [
    'value: "=4(次)"', "value: 提升", "value: 每年2次以上", 'value: ""', "value: ~",
    'values: ["=4(次)"]', 'values: ["=4(次)", 提升]', "values: []", "values: ~",
    "value: {zh: 每年2次以上, en: Twice a year or more}", 'value: ["=4(次)"]',
    'value: "=4(次)"\n              values: ["=4(次)"]', 'value: "=4(次)"\n              note: 注',
    'missing: 原表缺失', 'value: "=4(次)"\n              missing: 原表缺失', "values: [~]",
]
INDICATOR_NAMES = ["培训次数", '" "', "~", "{zh: 培训次数, en: Trainings}", "{zh: 培训次数}",
                   "[培训次数]", "{zh: '', en: Trainings}"]


def test_an_indicator_reads_the_same_the_short_way_and_the_long_way(project_factory,
                                                                    monkeypatch, tmp_path):
    """validate.plain_indicator reads `{name, value(s)}` without a Fields each only where
    the long way finds nothing to say: the same tables and the same messages, for every
    form above (one and two target columns) and for the benchmark's own records."""
    from sitegen.bench import write_corpus
    from sitegen.content import load_site
    from sitegen.errors import Diagnostics
    from sitegen.glossary import load_glossary
    from sitegen.project import Project
    from sitegen.validate import RecordValidator

    written = '- name: 培训次数\n              value: "=4(次)"'
    assert written in RECORD
    two_columns = RECORD.replace("targets: [年度指标值]", "targets: [半年指标值, 全年指标值]")
    records = {f"2023/r{number}-{columns}.yaml": record.replace(
        written, f"- name: {name}\n              {form}")
        for columns, record in ((1, RECORD), (2, two_columns))
        for number, (name, form) in enumerate(
            [(name, INDICATOR_FORMS[0]) for name in INDICATOR_NAMES]
            + [(INDICATOR_NAMES[0], form) for form in INDICATOR_FORMS])}
    write_corpus(tmp_path / "corpus", 24)
    short_ways = []
    plain = RecordValidator.plain_indicator

    def counted(self, node, width):
        short_ways.append(found := plain(self, node, width))
        return found

    def read(project: Project, short_way: bool) -> tuple:
        monkeypatch.setattr(RecordValidator, "plain_indicator",
                            counted if short_way else lambda self, node, width: None)
        diagnostics = Diagnostics()
        site = load_site(project, load_glossary(), diagnostics)
        return site.tables, [str(found) for found in diagnostics.items]

    for project in (project_factory(records), Project(tmp_path / "corpus")):
        short_ways.clear()
        assert read(project, True) == read(project, False)
        assert sum(found is not None for found in short_ways) > 5  # it was taken
    short_ways.clear()
    read(project_factory(records), True)
    forms = [found is not None for found in short_ways]
    assert forms.count(True) > 5 and forms.count(False) > 20  # taken, and left alone


def test_a_text_cut_short_by_a_comment_is_questioned(project_factory, capsys):
    """`完成任务 #以上为合格` publishes 完成任务: a `#` after a space starts a comment. A `#`
    with no space after it is taken for part of the text and questioned at its column;
    a comment written `# like this` is not."""
    record = with_change("    text: 完成任务。", "    text: 完成率达到95% #以上为合格")
    record = record.replace("  start: 2023-01-01", "  start: 2023-01-01  # 原表如此", 1)
    status, output = check(project_factory, capsys, record)
    line = line_of(record, "#以上为合格")
    assert status == 0, output
    assert (f"{PATH}:{line}:20: warning: '完成率达到95%' is followed by `#以上为合格`, which "
            "YAML reads as a comment, so the page shows only '完成率达到95%'") in output, output
    assert '"完成率达到95% #以上为合格"' in output and output.count("as a comment") == 1, output


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("  targets: [年度指标值]", "  targets: [半年指标值，年度指标值]", "targets:",
     "'半年指标值，年度指标值' is one item of `targets`: its parts are separated by a "
     "full-width comma (，), and YAML separates items only with an ASCII comma. Write "
     "[半年指标值, 年度指标值]"),
    ("  headers: [一级指标, 二级指标, 三级指标]", "  headers: [一级指标，二级指标, 三级指标]",
     "headers:", "'一级指标，二级指标' is one item of `headers`: its parts are separated by "
     "a full-width comma (，), and YAML separates items only with an ASCII comma. Write "
     "[一级指标, 二级指标, 三级指标]"),
    ('              value: "=4(次)"', "              values: [=4(次)，=5(次)]", "values:",
     "has 1 values but the table has 2 target columns: '=4(次)，=5(次)' is one item of "
     "`values`"),
], ids=["targets", "headers", "values"])
def test_a_full_width_comma_in_a_list_is_one_error_that_names_it(project_factory, capsys,
                                                                 old, new, needle, message):
    """An input method's comma between list items makes them one: said once, on its line,
    not as every indicator's "has 2 values but the table has 1 target columns"."""
    record = with_change(old, new)
    if "values:" in new:  # a table of two target columns, one indicator's values slipped
        record = record.replace("  targets: [年度指标值]", "  targets: [半年指标值, 年度指标值]")
    status, output = check(project_factory, capsys, record)
    assert status == 1, output
    assert f"{PATH}:{line_of(record, needle)}:" in output and message in output, output
    assert output.count(" error: ") == 1, output


def test_a_value_that_is_no_figure_is_questioned_once(project_factory, capsys):
    """Not also "no English for the value": the first warning asks for its English."""
    record = with_change('              value: "=4(次)"', "              value: 第一批")
    status, output = check(project_factory, capsys, record)
    assert status == 0 and "value '第一批' is neither a figure" in output, output
    assert "no English for the value" not in output, output


def test_a_short_level_name_one_character_off_is_questioned(project_factory, capsys):
    """数理 for 数量: one character of two, too far for a ratio, near enough for a slip."""
    record = with_change("        - name: 数量指标", "        - name: 数理")
    status, output = check(project_factory, capsys, record)
    assert status == 0, output
    assert (f"{PATH}:{line_of(record, 'name: 数理')}:11: warning: "
            "'indicators.first_levels[0].second_levels[0].name' is '数理', which is not a "
            "standard level name: did you mean '数量'?") in output, output


def test_an_invisible_character_is_named_once_and_left_out(project_factory, capsys,
                                                           tmp_path):
    """A zero-width space pasted after 产出指标 made it no standard level, with no
    English, each said in words that showed two identical names. Now the character is
    named at its column, and the name read without it."""
    record = with_change("    - name: 产出指标", "    - name: 产出指标\u200b")
    project = project_factory({"2023/a.yaml": record})
    status, output = run_cli(capsys, project, "check")
    assert status == 0, output
    assert (f"{PATH}:{line_of(record, '产出指标')}:17: warning: an invisible character (ZERO "
            "WIDTH SPACE, U+200B) is here") in output, output
    assert output.count(" warning: ") == output.count(" warning: no English") + 1, output
    assert "not a standard level name" not in output, output
    assert run_cli(capsys, project, "build", "--no-pdf", "--no-search")[0] == 0
    page = (project.root / "build/en/test-bureau/2023/a/index.html").read_text("utf-8")
    assert "Output indicators" in page and "\u200b" not in page


@pytest.mark.parametrize("name", ["另一项目", "设备&购置"], ids=["plain", "with-an-ampersand"])
def test_a_second_record_pasted_below_the_first_is_one_error(project_factory, capsys, name):
    """Not one "duplicate key" error per field of the second table; the same where a
    text holds `&` (read event by event, where anchors are refused)."""
    record = RECORD + RECORD.replace("测试项目", name)
    status, output = check(project_factory, capsys, record)
    second = RECORD.count("\n") + 1
    assert status == 1 and output.count(" error: ") == 1, output
    assert (f"{PATH}:{second}:1: error: `kind:` again: a second record seems to start "
            "here") in output, output


def test_an_indicator_pasted_twice_into_its_group_is_questioned(project_factory, capsys):
    row = '            - name: 培训次数\n              value: "=4(次)"\n'
    record = with_change(row, row + row)
    status, output = check(project_factory, capsys, record)
    assert status == 0, output
    assert (f"{PATH}:{line_of(record, 'name: 培训次数', 2)}:15: warning: the indicator "
            f"'培训次数' is already in this group, on line {line_of(record, 'name: 培训次数')}"
            ) in output, output
    noted = record.replace(row + row, row + row.replace(
        '"=4(次)"\n', '"=4(次)"\n              note: 原表此行重复印出。\n'))
    assert "already in this group" not in check(project_factory, capsys, noted)[1]


# A note above the funding (a comment line) and a goal text with a line that reads like
# one: only the comment is a note.
WITH_NOTES = with_change("funding:\n  - caption: 项目资金", (
    "funding:\n  # REVIEW: the source may mix 元 and 万元; check the unit\n"
    "  - caption: 项目资金")).replace("    text: 完成任务。", (
        "    text: |-\n      完成任务。\n      # REVIEW: 原表此处为目标文字\n"
        "    # REVIEW: check the goal's label"))


@pytest.mark.parametrize("draft", [True, False], ids=["draft", "published"])
def test_a_review_note_left_in_a_record_keeps_it_from_being_published(project_factory,
                                                                      capsys, draft):
    """`sitegen import`'s REVIEW comments: warnings while the record is a draft, errors
    once it would be published, each at its own line; text that reads like one is not."""
    record = WITH_NOTES.replace("year: 2023\n", "year: 2023\ndraft: true\n") if draft else (
        WITH_NOTES)
    status, output = check(project_factory, capsys, record)
    unit_note, label_note = line_of(record, "check the unit"), line_of(record, "goal's label")
    if draft:
        assert status == 0, output
        assert (f"{PATH}:{unit_note}:3: warning: a REVIEW note is still here (\"the source "
                "may mix 元 and 万元; check the unit\"): check what this note says, then delete "
                "the line") in output
        assert f"{PATH}:{label_note}:5: warning: a REVIEW note is still here" in output
    else:
        assert status == 1, output
        assert (f"{PATH}:{unit_note}:3: error: a REVIEW note is still here (\"the source "
                "may mix 元 and 万元; check the unit\"), and this record would be published (it "
                "has no `draft: true`): check what this note says, then delete the line"
                ) in output
        assert f"{PATH}:{label_note}:5: error: a REVIEW note is still here" in output
    assert "      # REVIEW: 原表此处为目标文字" in record
    assert output.count("a REVIEW note is still here") == 2  # not the goal's own text


def test_a_review_note_in_a_file_with_windows_line_ends_is_quoted_without_its_cr(
        project_factory, capsys):
    """A carriage return in the message sent the terminal back over the file's name."""
    record = WITH_NOTES.replace("year: 2023\n", "year: 2023\ndraft: true\n")
    project = project_factory({"2023/a.yaml": ""})
    (project.content_dir / "test-bureau/2023/a.yaml").write_bytes(
        record.replace("\n", "\r\n").encode("utf-8"))
    status, output = run_cli(capsys, project, "check")
    assert status == 0 and "\r" not in output, repr(output)
    assert "check the unit\"): check what this note says" in output, output


@pytest.mark.parametrize("draft", [True, False], ids=["draft", "published"])
def test_a_review_note_in_publisher_yaml_blocks_its_first_published_record(project_factory,
                                                                           capsys, draft):
    record = RECORD.replace("year: 2023\n", "year: 2023\ndraft: true\n") if draft else RECORD
    publisher = "# REVIEW: written by `sitegen import`; check the name\nname: 测试局\n"
    project = project_factory({"2023/a.yaml": record, "2023/b.yaml": record.replace(
        "测试项目", "另一项目")}, publisher=publisher)
    status, output = run_cli(capsys, project, "check")
    where = "content/test-bureau/publisher.yaml:1:1"
    if draft:
        assert status == 0 and f"{where}: warning: a REVIEW note is still here" in output
    else:
        assert status == 1, output
        assert (f"{where}: error: a REVIEW note is still here (\"written by `sitegen import`; "
                "check the name\"), and this publisher would be published with "
                "content/test-bureau/2023/a.yaml (not a draft): check what this note says, "
                "then delete the line") in output
    assert output.count("a REVIEW note is still here") == 1


def _tree(node):
    """A parsed tree as plain data: every text, its quoting and its line and column."""
    from sitegen.load import Scalar, Sequence

    if isinstance(node, Scalar):
        return node.text, node.quoted, node.path, node.line, node.column
    if isinstance(node, Sequence):
        return [_tree(item) for item in node.items], node.line, node.column
    return {key: (_tree(value), node.position_of(key).line, node.position_of(key).column)
            for key, value in node.values.items()}, node.line, node.column


def test_libyaml_composing_and_the_event_path_read_every_record_alike(monkeypatch):
    """Records are composed by libyaml with sitegen's node classes (load._compose); files
    with anchors, aliases or tags, and a PyYAML whose composer would not take them, go
    the event path. Both must read each text, quote, line and column the same."""
    from pathlib import Path

    import sitegen.load as load
    from sitegen.errors import Diagnostics

    assert load._COMPOSES_OUR_NODES  # else this compares the event path with itself
    files = sorted(Path(__file__).parent.parent.joinpath("content").rglob("*.yaml"))
    assert len(files) >= 17
    for file in files:
        text = file.read_text(encoding="utf-8")
        composed = load.parse_yaml(text, file.name, Diagnostics())
        with monkeypatch.context() as patch:
            patch.setattr(load, "_COMPOSES_OUR_NODES", False)
            from_events = load.parse_yaml(text, file.name, Diagnostics())
        assert _tree(composed) == _tree(from_events), file


@pytest.mark.parametrize("marker", ["", "# &a *b !c\n"])  # composed, and from events
def test_a_duplicate_inside_the_value_left_out_is_said_too(marker):
    """Of a key given twice the first value is kept; a duplicate inside the second, left
    out, is still said, with the first: both mistakes in one run."""
    from sitegen.errors import Diagnostics
    from sitegen.load import parse_yaml

    diagnostics = Diagnostics()
    root = parse_yaml(marker + "a:\n  x: 1\na:\n  x: 3\n  x: 4\n", PATH, diagnostics)
    shift = marker.count("\n")
    said = [(d.position.line - shift, d.message.split(":")[0]) for d in diagnostics.sorted()]
    assert said == [(3, "duplicate key 'a'"), (5, "duplicate key 'x'")]
    assert root.values["a"].values["x"].text == "1"


def test_a_duplicate_above_a_yaml_failure_is_said_with_it():
    """A file YAML cannot read to its end: a duplicate in a mapping that ended above the
    failure is said beside it (anchors and tags make such a file take the event path)."""
    import yaml

    from sitegen.errors import Diagnostics
    from sitegen.load import parse_yaml

    diagnostics = Diagnostics()
    assert parse_yaml("# &a\nc:\n  x: 1\n  x: 2\nb: [1\n", PATH, diagnostics) is None
    said = [(d.position.line, d.message.split(":")[0]) for d in diagnostics.sorted()]
    assert said[0] == (4, "duplicate key 'x'") and "not valid YAML" in said[1][1], said
    # PyYAML's own loaders are left as they were, even after a failed parse.
    assert yaml.load("k: [1, 2]", Loader=yaml.CSafeLoader) == {"k": [1, 2]}


def test_a_process_forked_while_another_thread_composes_can_parse():
    """The preview forks its PDF worker while its watcher thread may be parsing: the
    child must not inherit the composer's lock held, nor sitegen's node classes in
    PyYAML's place (load._after_fork_in_child)."""
    import os
    import time

    import yaml

    import sitegen.load as load
    from sitegen.errors import Diagnostics

    with load._composing:  # as if another thread were composing at the fork
        vars(yaml._yaml).update(load._OUR_NODES)
        try:
            child = os.fork()
            if child == 0:  # pragma: no cover - the child reports by its exit status
                try:
                    root = load.parse_yaml("a: b\n", PATH, Diagnostics())
                    plain = yaml.load("k: [1]", Loader=yaml.CSafeLoader)
                    os._exit(0 if root.values["a"].text == "b" and plain == {"k": [1]} else 1)
                finally:
                    os._exit(2)
        finally:
            vars(yaml._yaml).update(load._PYYAML_NODES)
    deadline = time.monotonic() + 20
    while (done := os.waitpid(child, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    if done[0] == 0:
        os.kill(child, 9)
        os.waitpid(child, 0)
    assert done[0] == child and os.waitstatus_to_exitcode(done[1]) == 0
