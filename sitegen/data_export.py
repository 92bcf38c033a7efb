"""The numbers as data, for journalists and auditors: a JSON and a CSV file per table,
and one CSV of every indicator on the site.

JSON mirrors the record model (both languages, amounts as exact decimal strings, each
value with its parsed parts); CSV has one row per indicator value, so a spreadsheet can
filter "every 满意度 indicator below 90 %" without reading a page.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
from decimal import Decimal
from typing import Any

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


def to_data(value: Any, glossary: Glossary | None = None) -> Any:
    """Model objects as JSON-ready values; positions and internals left out; standard
    terms get their English from the glossary."""
    kind = type(value)
    if kind in _PLAIN:  # most of a record's ~800 nodes: answered by one set lookup
        return value
    if kind is Decimal:
        return str(value)
    if isinstance(value, Text):
        return {"zh": value.zh,
                "en": english_text(value, glossary) if glossary else value.en}
    if kind is IndicatorValue:
        # Its English as the English page shows it (提升 → Improved), not only as written.
        data = {name: to_data(getattr(value, name), glossary) for name in _exported_fields(kind)}
        data["en"] = english_value(value, glossary) if glossary else value.en
        return data
    if isinstance(value, Publisher):
        return {"id": value.id, "name": to_data(value.name, glossary)}
    if (names := _exported_fields(kind)) is not None:
        return {name: to_data(getattr(value, name), glossary) for name in names}
    if isinstance(value, dict):
        return {key: to_data(item, glossary) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_data(item, glossary) for item in value]
    return value


_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _exported_fields(kind: type) -> tuple[str, ...] | None:
    """The fields of a model class that go into the data files; None for other types."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind) if f.name not in _SKIPPED)


def table_json(table: TargetTable, glossary: Glossary) -> str:
    """One line of JSON: with `indent` the json module falls back from its C encoder to
    pure Python, 20x slower, which cost a third of a whole build; browsers and `jq` show it
    indented anyway."""
    return json.dumps(to_data(table, glossary), ensure_ascii=False,
                      separators=(",", ":")) + "\n"


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
    """CSV text; with its header it is a whole file, and starts with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header:
        out.write(BYTE_ORDER_MARK)
        writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    return out.getvalue()
