"""Reading one row of an indicator table: which cell is a level, the name, the values.

Where columns are exact (Word, Excel, one-cell-per-line text) a cell is what its column's
header says. Tab-separated text loses empty cells at merges and at page breaks, so there
a cell is read by what it says, left to right:

1. pieces of the block's merged label (`绩效`, `指标`, `标`) and repeated headers are noise;
2. leading cells that are known level names (glossary) are levels: first level if the
   name is only known as one, second if only known as one; a name known as both
   (`成本指标`, `满意度`) is a first level only left of where first levels stood so far;
3. of the rest, the last cells (one per target column) are the values and the cell
   before them is the indicator's name; cells before the name are level names the
   glossary does not know (kept, with a REVIEW note).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import clean
from .draft import Context
from .grid import Cell, Row

_LEVEL_HEADER = re.compile(r"^([一二三])级(指标|目标)$")


@dataclass
class Header:
    """The indicator header row: level columns, target columns, the block's label."""

    row: Row
    columns: dict[str, int]
    """`first`, `second`, `third` → column."""
    names: tuple[str, str, str]
    targets: list[Cell]
    section_label: str = "绩效指标"
    label_cell: Cell | None = None
    period: dict[str, int] = field(default_factory=dict)
    """Kunming prints a second period side by side: its `second`, `third`, `value` columns."""


def find_header(row: Row) -> Header | None:
    """The row as an indicator header, if it has the three level headings."""
    found: dict[str, Cell] = {}
    period: dict[str, int] = {}
    targets: list[Cell] = []
    for cell in row.filled():
        match = _LEVEL_HEADER.match(clean.squeeze(cell.text))
        key = {"一": "first", "二": "second", "三": "third"}[match.group(1)] if match else None
        if key and key not in found:
            found[key] = cell
        elif key and targets:  # the same headings again: a second period side by side
            period.setdefault(key, cell.column)
        elif len(found) == 3 and not period:
            targets.append(cell)
        elif period and "third" in period:
            period.setdefault("value", cell.column)
    if len(found) != 3 or not targets:
        return None
    label = next((c for c in row.filled() if c.column < found["first"].column), None)
    return Header(row, {key: cell.column for key, cell in found.items()},
                  tuple(clean.label(found[k].text) for k in ("first", "second", "third")),
                  targets, clean.squeeze(label.text) if label else "绩效指标", label, period)


@dataclass
class Reading:
    """One data row read into its parts; `state` is given | carry | none per level."""

    first: Cell | None = None
    second: Cell | None = None
    name: Cell | None = None
    values: list[Cell | None] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=lambda: {"first": "carry",
                                                          "second": "carry"})
    unknown: list[Cell] = field(default_factory=list)
    """Level cells whose names the glossary does not know."""
    noise: list[Cell] = field(default_factory=list)
    echoes: list[Cell] = field(default_factory=list)
    """Kunming's repeat of the level and name for its second period: part of the row."""
    stray: list[Cell] = field(default_factory=list)
    """Cells that fit nowhere in the row: reported as unplaced."""
    shifted: bool = False


def is_noise(cell: Cell, header: Header) -> bool:
    """A piece of the block label or a repeated heading, left at a page break."""
    squeezed = clean.squeeze(cell.text)
    return (clean.is_fragment(squeezed, "绩效指标")
            or clean.is_fragment(squeezed, header.section_label)
            or squeezed in header.names or bool(_LEVEL_HEADER.match(squeezed)))


def read_exact(row: Row, header: Header, merged_levels: bool) -> Reading:
    """Columns mean what the header says; merges tell "same as above" from "none"."""
    reading = Reading()
    taken = {header.columns["first"], header.columns["second"], header.columns["third"],
             *(cell.column for cell in header.targets), *header.period.values()}
    for key in ("first", "second"):
        cell = row.at(header.columns[key])
        if cell is not None and cell.filled:
            setattr(reading, key, cell)
            reading.state[key] = "given"
        elif merged_levels and not (cell is not None and cell.merged_above):
            reading.state[key] = "none"
    name = row.at(header.columns["third"])
    reading.name = name if name is not None and name.filled else None
    reading.values = [_filled(row.at(cell.column)) for cell in header.targets]
    if header.period:
        _second_period(row, header, reading)
    for cell in row.filled():
        if cell.column not in taken:
            (reading.noise if is_noise(cell, header) else reading.stray).append(cell)
    return reading


def _second_period(row: Row, header: Header, reading: Reading) -> None:
    """Kunming's second period repeats the level and name beside the first: one indicator
    with two values, if the repeats agree; otherwise the repeats are not placed."""
    repeats = [row.at(header.period.get(key, -1)) for key in ("second", "third")]
    mine = [reading.second, reading.name]
    agree = all(clean.squeeze(r.text if r else "") == clean.squeeze(m.text if m else "")
                or (r is not None and r.merged_above) for r, m in zip(repeats, mine,
                                                                      strict=True))
    value = _filled(row.at(header.period.get("value", -1)))
    if agree:
        reading.values.append(value)
        reading.echoes.extend(r for r in repeats if r is not None and r.filled)
    else:
        reading.values.append(None)
        reading.stray.extend(c for c in (*repeats, value) if c is not None and c.filled)


def _filled(cell: Cell | None) -> Cell | None:
    return cell if cell is not None and cell.filled else None


def read_by_content(row: Row, header: Header, ctx: Context, first_column: int | None
                    ) -> Reading:
    """Tab-separated text: read the cells by what they say (see the module docstring)."""
    reading = Reading()
    cells = []
    for cell in row.filled():
        (reading.noise if is_noise(cell, header) else cells).append(cell)
    width = len(header.targets)
    levels = _leading_levels(cells, ctx, first_column, width)
    for key, cell in levels:
        setattr(reading, key, cell)
        reading.state[key] = "given"
    rest = cells[len(levels):]
    if len(rest) > width + 1:
        extra = rest[: len(rest) - width - 1]
        _place_unknown(reading, extra, ctx)
        rest = rest[len(extra):]
    if len(rest) == width + 1:
        reading.name, reading.values = rest[0], list(rest[1:])
    elif rest:
        reading.stray.extend(rest)  # a lone cell, or too few values: cannot be placed
    return reading


def _leading_levels(cells: list[Cell], ctx: Context, first_column: int | None,
                    width: int) -> list[tuple[str, Cell]]:
    found: list[tuple[str, Cell]] = []
    for cell in cells[:2]:
        depth = _depth(cell, ctx, first_column, bool(found))
        if depth is None or (found and (found[-1][0] == "second" or depth == "first")):
            break  # not a level, or a first level after a second: not leading levels
        found.append((depth, cell))
    if len(found) == len(cells):
        return found  # a row of levels only (a level printed with no indicators)
    return found[: max(len(cells) - (width + 1), 0)]


def _depth(cell: Cell, ctx: Context, first_column: int | None, after_level: bool
           ) -> str | None:
    name = clean.squeeze(cell.text)
    first = ctx.glossary.level(1, name) is not None
    second = ctx.glossary.level(2, name) is not None
    if first and second:  # e.g. 成本指标: by where first levels were printed so far
        left = first_column is None or cell.column <= first_column
        return "second" if after_level or not left else "first"
    return "first" if first else "second" if second else None


def _place_unknown(reading: Reading, extra: list[Cell], ctx: Context) -> None:
    """Level cells that were not read as leading levels: the free slots, left to right."""
    slots = [key for key in ("first", "second") if reading.state[key] != "given"]
    if len(extra) > len(slots):
        reading.stray.extend(extra[: len(extra) - len(slots)])
        extra = extra[len(extra) - len(slots):]
    if len(extra) == 1 and len(slots) == 2:
        slots = ["second"]  # one unknown level: a second level under the open first
    for key, cell in zip(slots[-len(extra):] if extra else [], extra, strict=False):
        setattr(reading, key, cell)
        reading.state[key] = "given"
        depth = 1 if key == "first" else 2
        if ctx.glossary.level(depth, clean.squeeze(cell.text)) is None:
            reading.unknown.append(cell)
