"""The numbers as data, for journalists and auditors: a JSON and a CSV file per record
(target table or evaluation report), one CSV of every table's indicators on the site, and
one of the records themselves (tables.csv: a row each, with its amount).

JSON mirrors the record model (both languages, amounts as exact decimal strings, each
value with its parsed parts); a table's CSV has one row per indicator value, so a
spreadsheet can filter "every 满意度 indicator below 90 %" without reading a page, and a
report's one row per scored indicator, with its weight, score, explanation and rule.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import orjson

from .evaluation import (
    EvaluationReport,
    MarkdownBlock,
    ScoredFirstLevel,
    ScoredSecondLevel,
    ScoreTable,
    Section,
    StatedFigures,
    TableBlock,
)
from .glossary import Glossary
from .localize import english_text, english_value
from .model import IndicatorValue, Publisher, TargetTable, Text
from .site import LANGUAGES, TableSummary, data_base

Record = TargetTable | EvaluationReport

LEVEL_KEY_COLUMNS = ("first_level_key", "second_level_key")
CSV_HEADER = ("publisher", "year", "record", "project_zh", "project_en", "first_level",
              "second_level", "indicator_zh", "indicator_en", "target_column", "value",
              "operator", "number", "unit", "qualitative", "missing_in_source",
              # Added after the first release, so at the end: what the English page shows,
              "first_level_en", "second_level_en", "value_en",
              # and what the page says beside the indicator: its note, and why the source
              # lost its values (where missing_in_source is "yes").
              "note", "note_en", "missing_reason", "missing_reason_en",
              # and the standard level each level name stands for, whatever its spelling
              # (产出指标, 产出, 产出 指标 → output): the glossary's key (level_sets in
              # sitegen/data/glossary.yaml), blank for a name that is no standard level.
              *LEVEL_KEY_COLUMNS)
# A report's CSV: one row per scored indicator. Its own columns, not CSV_HEADER's: a
# score is not a target value, so these rows stay out of data/indicators.csv.
REPORT_CSV_HEADER = ("publisher", "year", "record", "project_zh", "project_en", "first_level",
                     "second_level", "indicator_zh", "indicator_en", "target", "weight",
                     "score", "explanation", "rule",
                     # What the English page shows, and the standard levels, as in
                     # CSV_HEADER's last columns.
                     "first_level_en", "second_level_en", "target_en", "explanation_en",
                     "rule_en", *LEVEL_KEY_COLUMNS)
TABLES_CSV = "data/tables.csv"
INDICATORS_CSV = "data/indicators.csv"
# data/tables.csv: one row per published record, what the listings show of it, with the
# addresses of its pages and data files, so that the site can be read as one table (every
# project's amount by publisher and year) without opening each record.
TABLES_CSV_HEADER = ("publisher", "publisher_zh", "publisher_en", "year", "record", "kind",
                     "project_zh", "project_en", "amount_yuan", "indicators",
                     *(f"page_{language}" for language in LANGUAGES), "json", "csv")
_SKIPPED = {"position", "positions", "score_position", "english_coverage",
            "source_path",
            # A report's Markdown as the page's sanitised HTML: its source text is the data.
            "html", "html_en"}
# Written before a class's fields: which kind of block each of a report's body blocks is
# (a class constant, not a field), since `body` and a section's `content` mix the three.
_LEADING: dict[type, tuple[str, ...]] = {
    MarkdownBlock: ("kind",), TableBlock: ("kind",), Section: ("kind",)}
# Written after a class's fields: the totals and grade the model computes from the
# indicators, which a reader would otherwise have to add up. Exact sums only: the rate
# (score / weight, 17 / 19 say) has no exact decimal, so it is left to the reader.
_COMPUTED: dict[type, tuple[str, ...]] = {
    ScoreTable: ("weight", "score", "grade"),
    ScoredFirstLevel: ("weight", "score"),
    ScoredSecondLevel: ("weight", "score"),
}


# Grades (优秀, 良好 …), computed or as a report states them, are standard terms the model
# keeps as Chinese strings: in the data they are texts like any other, {zh, en}.
_GRADES: dict[type, str] = {ScoreTable: "grade", StatedFigures: "grade"}


def data_path(record: Record | TableSummary, suffix: str) -> str:
    return f"{data_base(record)}.{suffix}"


def _json_value(value: Any, glossary: Glossary) -> Any:
    """orjson's hook for what it does not write itself: each model object as a mapping of
    its exported fields and figures (_exported_fields; orjson writes their strings,
    numbers, lists and tuples), standard terms with their English from the glossary,
    amounts as exact decimal strings."""
    kind = type(value)
    if kind is Text:
        return {"zh": value.zh, "en": english_text(value, glossary)}
    if kind is IndicatorValue:  # fifty a table: its number written here, not by a call back
        return {"raw": value.raw, "operator": value.operator,
                "number": None if value.number is None else str(value.number),
                "unit": value.unit, "qualitative": value.qualitative, "subject": value.subject,
                # Its English as the English page shows it (提升 → Improved), not only as
                # an editor wrote it.
                "en": english_value(value, glossary)}
    if kind is Decimal:
        return str(value)
    if kind is Publisher:
        return {"id": value.id, "name": value.name}
    exported = _exported_fields(kind)
    if exported is None:
        raise TypeError(f"{kind.__name__} has no place in the data files")
    names, values_of = exported
    return dict(zip(names, values_of(value), strict=True))


@functools.cache
def _exported_fields(kind: type) -> tuple[tuple[str, ...], Callable[[Any], tuple]] | None:
    """The fields of a model class that go into the data files, and a function that gives
    their values in that order; None for other types."""
    if not dataclasses.is_dataclass(kind):
        return None
    names = (*_LEADING.get(kind, ()),
             *(f.name for f in dataclasses.fields(kind) if f.name not in _SKIPPED),
             *_COMPUTED.get(kind, ()))
    if len(names) < 2:  # attrgetter gives a tuple only of two or more
        return names, lambda value: tuple(getattr(value, name) for name in names)
    values_of = operator.attrgetter(*names)
    if kind not in _GRADES:
        return names, values_of
    grade = names.index(_GRADES[kind])

    def with_grade_as_text(value: Any) -> tuple:
        values = list(values_of(value))
        if values[grade] is not None:
            values[grade] = Text(values[grade])
        return tuple(values)

    return names, with_grade_as_text


def record_json(record: Record, glossary: Glossary) -> bytes:
    """One line of JSON, positions and internals left out. orjson (not the json module):
    it walks the model itself, where the json module needed the whole table copied into
    dicts and lists first; 0.38 → 0.16 ms a table, 6 % of a build's CPU. One line, because
    browsers and `jq` show it indented anyway."""
    return orjson.dumps(withheld_left_out(record),
                        default=functools.partial(_json_value, glossary=glossary),
                        option=orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_APPEND_NEWLINE)


def withheld_facts(record: Record) -> list[str]:
    """The project facts the record gives that its publisher withholds from the public
    (Publisher.withholds); a report's project has none of them."""
    facts = record.project.facts if isinstance(record, TargetTable) else {}
    return [key for key in facts if record.publisher.withholds(key)]


def withheld_left_out(record: Record) -> Record:
    """The record as it may be published: without the facts its publisher withholds,
    as its pages show it."""
    withheld = withheld_facts(record)
    if not withheld:
        return record
    project = record.project
    kept = {key: value for key, value in project.facts.items() if key not in withheld}
    return dataclasses.replace(record, project=dataclasses.replace(project, facts=kept))


def data_files(record: Record, glossary: Glossary) -> tuple[tuple[str, bytes], tuple[str, str]]:
    """A record's two data files, (address, content) each: its JSON and its CSV (a
    table's rows in CSV_HEADER's columns, a report's in REPORT_CSV_HEADER's)."""
    json_file = (data_path(record, "json"), record_json(record, glossary))
    if isinstance(record, EvaluationReport):
        return json_file, (data_path(record, "csv"),
                           to_csv(report_csv_rows(record, glossary), REPORT_CSV_HEADER))
    return json_file, (data_path(record, "csv"), to_csv(csv_rows(record, glossary)))


def rows_of(table_csv: bytes) -> bytes:
    """A table's CSV file without its byte-order mark and header: its part of
    data/indicators.csv."""
    return table_csv.split(b"\n", 1)[1]


def _record_columns(record: Record) -> list[str]:
    """The first columns of every row of a record's CSV: which record and project."""
    return [record.publisher.id, str(record.year), record.id, record.project.name.zh,
            record.project.name.en or ""]


def csv_rows(table: TargetTable, glossary: Glossary) -> list[list[str]]:
    rows = []
    record = _record_columns(table)
    for first, second, indicator in table.indicators.indicators():
        levels_en = [(english_text(level, glossary) or "") if level else ""
                     for level in (first.name, second.name)]
        notes = [_chinese(indicator.note), _english(indicator.note, glossary),
                 _chinese(indicator.missing), _english(indicator.missing, glossary)]
        for target, value in zip(table.indicators.targets, indicator.values, strict=True):
            rows.append([
                *record, first.name.zh if first.name else "",
                second.name.zh if second.name else "", indicator.name.zh,
                indicator.name.en or "", target.zh, value.raw if value else "",
                (value.operator or "") if value else "",
                str(value.number) if value and value.number is not None else "",
                (value.unit or "") if value else "", (value.qualitative or "") if value else "",
                "yes" if indicator.missing else "", *levels_en,
                (english_value(value, glossary) or "") if value else "", *notes,
                first.key or "", second.key or ""])
    return rows


def report_csv_rows(report: EvaluationReport, glossary: Glossary) -> list[list[str]]:
    """A report's scored indicators, one row each, in REPORT_CSV_HEADER's columns."""
    record = _record_columns(report)
    # Looked up here (the validator keeps no key for a report's levels), a dictionary
    # lookup a row.
    return [[*record, first.name.zh, second.name.zh, indicator.name.zh,
             _english(indicator.name, glossary),
             indicator.value.raw if indicator.value else "", str(indicator.weight),
             str(indicator.score), _chinese(indicator.explanation), _chinese(indicator.rule),
             _english(first.name, glossary), _english(second.name, glossary),
             (english_value(indicator.value, glossary) or "") if indicator.value else "",
             _english(indicator.explanation, glossary), _english(indicator.rule, glossary),
             _level_key(glossary, 1, first.name), _level_key(glossary, 2, second.name)]
            for first, second, indicator in report.scoring.indicators()]


def _level_key(glossary: Glossary, depth: int, name: Text) -> str:
    """The key of the standard level (depth 1 or 2) a level name stands for, or blank."""
    term = glossary.level(depth, name.zh)
    return term.key if term else ""


def tables_csv_rows(summaries: list[TableSummary], glossary: Glossary) -> list[list[str]]:
    """The rows of data/tables.csv, in TABLES_CSV_HEADER's columns; addresses relative to
    the site's root, amounts in 元 as exact decimals (blank where a record states none)."""
    return [[summary.publisher.id, summary.publisher.name.zh,
             _english(summary.publisher.name, glossary), str(summary.year), summary.id,
             summary.kind, summary.name.zh, _english(summary.name, glossary),
             "" if summary.amount_in_yuan is None else str(summary.amount_in_yuan),
             str(summary.indicator_count),
             *(summary.page_path(language) for language in LANGUAGES),
             data_path(summary, "json"), data_path(summary, "csv")]
            for summary in summaries]


def tables_csv_line(summary: TableSummary, glossary: Glossary) -> bytes:
    """One record's row of data/tables.csv, with its line ending, in UTF-8."""
    return to_csv(tables_csv_rows([summary], glossary), header=None).encode("utf-8")


def _chinese(text: Text | None) -> str:
    return text.zh if text else ""


def _english(text: Text | None, glossary: Glossary) -> str:
    """A text's English as the English page shows it; blank where the page has none."""
    return (english_text(text, glossary) or "") if text else ""


# Excel, on Chinese Windows above all, reads a CSV without a byte-order mark as GBK and
# shows mojibake; with one it reads UTF-8. Python (encoding="utf-8-sig"), pandas and
# LibreOffice take it in their stride.
BYTE_ORDER_MARK = "\ufeff"


def to_csv(rows: list[list[str]], header: Sequence[str] | None = CSV_HEADER) -> str:
    """CSV text of rows as wide as the header; with a header (a table's, by default) it is
    a whole file, and starts with a byte-order mark; with None, only the rows.

    Written as the csv module writes it (QUOTE_MINIMAL, quotes doubled), to the byte; a
    test holds the two together. Joined here, not by csv.writer: nearly every row needs
    no quoting at all, which one join tells, and the writer took 2.7 times as long (5 % of
    a build's CPU) looking at each character of each field.

    Rows end in CRLF, as RFC 4180 has it. A field holding a carriage return or a line feed
    is quoted: Python 3.11's own writer did that for a bare "\\r" only if it was in the line
    ending, and with "\\n" alone such a field split its row in two for Excel and for
    Python's own reader."""
    lines = [BYTE_ORDER_MARK + ",".join(header)] if header is not None else []
    for row in rows:
        line = ",".join(row)
        if line.count(",") != len(row) - 1 or '"' in line or "\n" in line or "\r" in line:
            line = ",".join(map(_csv_field, row))
        elif not line and len(row) == 1:
            line = '""'  # as csv.writer: a row of one empty field is not an empty line
        lines.append(line)
    lines.append("")  # the last row's line ending
    return "\r\n".join(lines)


def _csv_field(text: str) -> str:
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text
