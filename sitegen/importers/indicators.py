"""The indicator block: its rows read one by one (`levels`) and built into levels
(`builder`), with every cell accounted for in the ledger."""

from __future__ import annotations

from collections.abc import Callable

from . import clean
from .builder import LevelBuilder
from .draft import Block, Context
from .grid import Row
from .levels import Header, Reading, read_by_content, read_exact


def read_indicators(rows: list[Row], header: Header, ctx: Context,
                    stop: Callable[[Row], bool]) -> tuple[Block, int]:
    """The indicator block from the rows after its header; returns it and rows used."""
    by_content = not ctx.grid.exact_columns
    builder = LevelBuilder(ctx, len(header.targets) + bool(header.period), by_content)
    merged = ctx.grid.merges and _uses_merges(rows, header)
    expected, first_column = header.columns["third"], header.columns["first"]
    used = 0
    for row in rows:
        if stop(row):
            break
        used += 1
        if row.blank:
            continue
        if by_content:
            if row.after_break:
                expected = None
            r = read_by_content(row, header, ctx, first_column)
            expected = _mark_shift(r, expected)
            if r.first is not None:
                first_column = r.first.column
        else:
            r = read_exact(row, header, merged)
        _account(r, ctx)
        builder.feed(r)
    block = Block(headers=list(header.names),
                  targets=[clean.label(cell.text) for cell in header.targets])
    if header.period:
        second = header.row.at(header.period.get("value", -1))
        block["targets"].append(clean.label(second.text) if second else "")
    block["first_levels"] = builder.finish()
    ctx.ledger.place(header.label_cell, *header.row.filled())
    return block, used


def _mark_shift(r: Reading, expected: int | None) -> int | None:
    """A row whose name sits left of where names stood has lost its leading cells."""
    if r.name is None:
        return expected
    if "given" in r.state.values() or expected is None:
        return r.name.column
    if r.name.column < expected:
        r.shifted = True
        return expected
    return r.name.column


def _account(r: Reading, ctx: Context) -> None:
    ctx.ledger.place(r.first, r.second, r.name, *r.values, *r.echoes)
    ctx.ledger.drop(*r.noise)
    ctx.ledger.refuse(*r.stray)
    ctx.unknown_levels.extend(r.unknown)


def _uses_merges(rows: list[Row], header: Header) -> bool:
    columns = (header.columns["first"], header.columns["second"])
    return any(cell.merged_above for row in rows for cell in row.cells
               if cell.column in columns)
