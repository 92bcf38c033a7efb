"""The numbers as data: a JSON and a CSV per table, one CSV for the whole site."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

from conftest import RECORD, REPO, run_cli

from sitegen.content import load_site
from sitegen.errors import Diagnostics
from sitegen.glossary import load_glossary
from sitegen.project import Project


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
    assert any(r["missing_in_source"] == "yes" for r in rows)
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

    from sitegen.data_export import BYTE_ORDER_MARK, CSV_HEADER, to_csv

    def by_the_csv_module(rows: list[list[str]]) -> str:
        out = io.StringIO()
        out.write(BYTE_ORDER_MARK)
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_HEADER)
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
    assert to_csv([[""], ["a"], ["", ""]], header=False) == out.getvalue()
    for table in sorted((seed_site / "data").rglob("*.csv")):
        with table.open(encoding="utf-8-sig", newline="") as file:
            rows = list(csv.reader(file))[1:]
        assert by_the_csv_module(rows).encode("utf-8") == table.read_bytes(), table


def test_table_json_is_one_compact_utf8_line_without_internals(seed_site: Path):
    """The JSON's bytes as data users get them: one line of compact UTF-8 (Chinese as
    written, not \\u escapes), fields in the model's order, and none of the build's own
    bookkeeping (source positions, coverage counts, standard-term keys)."""
    import dataclasses

    from sitegen.model import IndicatorValue

    internal = {"position", "source_path", "english_coverage", "known"}
    value_fields = [field.name for field in dataclasses.fields(IndicatorValue)]

    def keys(value: object) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for item in value.values() for k in keys(item)}
        return {k for item in value for k in keys(item)} if isinstance(value, list) else set()

    files = sorted((seed_site / "data").glob("*/*/*.json"))
    assert len(files) >= 16
    for path in files:
        data = path.read_bytes()
        parsed = json.loads(data)
        assert data == (json.dumps(parsed, ensure_ascii=False, separators=(",", ":"))
                        + "\n").encode("utf-8"), path
        assert not keys(parsed) & internal, path
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
