"""The numbers as data, for journalists and auditors: a JSON and a CSV file per table,
and one CSV of every indicator on the site.

JSON mirrors the record model (both languages, amounts as exact decimal strings, each
value with its parsed parts); CSV has one row per indicator value, so a spreadsheet can
filter "every 满意度 indicator below 90 %" without reading a page.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson

from .glossary import Glossary
from .localize import english_text, english_value
from .model import IndicatorValue, Publisher, TargetTable, Text

CSV_HEADER = ("publisher", "year", "record", "project_zh", "project_en", "first_level",
              "second_level", "indicator_zh", "indicator_en", "target_column", "value",
              "operator", "number", "unit", "qualitative", "missing_in_source",
              # Added after the first release, so at the end: what the English page shows.
              "first_level_en", "second_level_en", "value_en")
_SKIPPED = {"position", "known", "english_coverage", "source_path"}


def data_path(table: TargetTable, suffix: str) -> str:
    return f"data/{table.publisher.id}/{table.year}/{table.id}.{suffix}"


def _json_value(value: Any, glossary: Glossary) -> Any:
    """orjson's hook for what it does not write itself: each model object as a mapping of
    its exported fields (orjson writes their strings, numbers, lists and tuples), standard
    terms with their English from the glossary, amounts as exact decimal strings."""
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
    names = tuple(f.name for f in dataclasses.fields(kind) if f.name not in _SKIPPED)
    if len(names) < 2:  # attrgetter gives a tuple only of two or more
        return names, lambda value: tuple(getattr(value, name) for name in names)
    return names, operator.attrgetter(*names)


def table_json(table: TargetTable, glossary: Glossary) -> bytes:
    """One line of JSON, positions and internals left out. orjson (not the json module):
    it walks the model itself, where the json module needed the whole table copied into
    dicts and lists first; 0.38 → 0.16 ms a table, 6 % of a build's CPU. One line, because
    browsers and `jq` show it indented anyway."""
    return orjson.dumps(table, default=functools.partial(_json_value, glossary=glossary),
                        option=orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_APPEND_NEWLINE)


def csv_rows(table: TargetTable, glossary: Glossary) -> list[list[str]]:
    rows = []
    for first, second, indicator in table.indicators.indicators():
        levels_en = [(english_text(level, glossary) or "") if level else ""
                     for level in (first.name, second.name)]
        for target, value in zip(table.indicators.targets, indicator.values, strict=True):
            rows.append([
                table.publisher.id, str(table.year), table.id, table.project.name.zh,
                table.project.name.en or "", first.name.zh if first.name else "",
                second.name.zh if second.name else "", indicator.name.zh,
                indicator.name.en or "", target.zh, value.raw if value else "",
                (value.operator or "") if value else "",
                str(value.number) if value and value.number is not None else "",
                (value.unit or "") if value else "", (value.qualitative or "") if value else "",
                "yes" if indicator.missing else "", *levels_en,
                (english_value(value, glossary) or "") if value else ""])
    return rows


# Excel, on Chinese Windows above all, reads a CSV without a byte-order mark as GBK and
# shows mojibake; with one it reads UTF-8. Python (encoding="utf-8-sig"), pandas and
# LibreOffice take it in their stride.
BYTE_ORDER_MARK = "\ufeff"


def to_csv(rows: list[list[str]], header: bool = True) -> str:
    """CSV text of rows as wide as the header; with the header it is a whole file, and
    starts with a byte-order mark.

    Written as the csv module writes it (QUOTE_MINIMAL, quotes doubled), to the byte; a
    test holds the two together. Joined here, not by csv.writer: nearly every row needs
    no quoting at all, which one join tells, and the writer took 2.7 times as long (5 % of
    a build's CPU) looking at each character of each field.

    Rows end in CRLF, as RFC 4180 has it. A field holding a carriage return or a line feed
    is quoted: Python 3.11's own writer did that for a bare "\\r" only if it was in the line
    ending, and with "\\n" alone such a field split its row in two for Excel and for
    Python's own reader."""
    lines = [BYTE_ORDER_MARK + ",".join(CSV_HEADER)] if header else []
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
