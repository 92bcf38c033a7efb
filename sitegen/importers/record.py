"""One table → one record: each row is given to the part of the form it belongs to.

Rows are read top to bottom. What a row is follows from what it says, in this order:
the indicator header (一级/二级/三级) and everything under it; facts (known labels with
values); goal labels over goal texts; a label with its text; funding (a heading with a
unit, or amounts); a lone short cell is a heading kept for the part that follows (the
caption of a funding or indicator block). Whatever none of them takes is unplaced.
"""

from __future__ import annotations

from typing import Any

from ..glossary import Glossary
from . import clean
from .draft import Block, Context
from .funding import read_funding
from .grid import Cell, Row
from .indicators import read_indicators
from .levels import Header, find_header
from .recognise import TablePart, fallback_year, family_of, year_of
from .sections import (
    NARRATIVE_LABELS,
    fact_labels,
    is_fact_row,
    read_facts,
    read_goal_rows,
    read_preamble,
    read_text_row,
)


def read_table(part: TablePart, glossary: Glossary) -> tuple[Block, Context]:
    """The record of one table, and the context that knows what was (not) placed."""
    family, certain = family_of(part)
    ctx = Context(glossary, part.grid, family)
    if not certain:
        ctx.reviews.append(f"the title '{part.title}' is not one of the known forms; read "
                           f"as its nearest family, {family.id}: check `form`")
    year, year_cell = year_of(part)
    if year is None:
        year = fallback_year(part)
        ctx.reviews.append("no budget year (e.g. (2023年度)) is printed under the title: "
                           f"{year or 'none'} is taken from the dates; check `year`")
    ctx.ledger.place(year_cell, *part.titles)
    if len(part.titles) > 1:
        ctx.reviews.append("the heading above the form's title ('" + "', '".join(
            clean.label(c.text) for c in part.titles[:-1]) + "') is not kept")
    # A draft until an editor has checked its REVIEW notes: `check` refuses to publish
    # a record that still has one, and an imported record always needs a look.
    record = Block(kind="target-table", form=family.id, title=part.title, year=year,
                   draft=True, source=f"{part.grid.source}#{part.index}")
    parts = _Body(part.body, ctx, year_cell).read()
    record["project"] = parts.pop("project")
    if part.preamble and (preamble := read_preamble(part.preamble, ctx)):
        record["preamble"] = preamble
    record.update((key, value) for key, value in parts.items() if value)
    _name_periods(record)
    ctx.ledger.sweep(part.preamble + part.body)
    return record, ctx


class _Body:
    """The rows under the title, handed one at a time to the part they belong to."""

    def __init__(self, rows: list[Row], ctx: Context, year_cell: Cell | None) -> None:
        self.rows, self.ctx, self.year_cell = rows, ctx, year_cell
        self.labels = fact_labels(ctx.glossary)
        self.parts: dict[str, Any] = {"project": Block(), "narrative": [], "funding": [],
                                      "goals": [], "indicators": None}
        self.heading: Cell | None = None  # a lone short cell: the caption of what follows

    def read(self) -> dict[str, Any]:
        index = 0
        while index < len(self.rows):
            before = self.heading
            index += self._row(index)
            if before is not None and self.heading is before:
                self.heading = None  # it names only the part right below it; else unplaced
        _check_units(self.parts["funding"])
        return self.parts

    def _row(self, index: int) -> int:
        """Read the row at `index` (and what belongs to it); returns how many rows it took."""
        row, ctx = self.rows[index], self.ctx
        below = self.rows[index + 1] if index + 1 < len(self.rows) else None
        filled = row.filled()
        if not filled or (self.year_cell is not None and self.year_cell in filled):
            return 1
        if header := find_header(row):
            block, used = read_indicators(self.rows[index + 1:], header, ctx, _known_text_row)
            self.parts["indicators"] = _with_caption(block, header, self._take_heading(), ctx)
            return 1 + used
        if is_fact_row(row, self.labels):
            read_facts(row, self.labels, self.parts["project"], ctx)
        elif goals := read_goal_rows(row, below, ctx):
            self.parts["goals"].extend(goals)
            return 2
        elif text_row := read_text_row(row, ctx):
            self.parts[text_row[0]].append(text_row[1])
        elif found := read_funding(self.rows[index:], self.heading, ctx, self._stop):
            self.parts["funding"].extend(found[0])
            if found[2]:
                self._take_heading()
            return found[1]
        elif len(filled) == 1 and not clean.is_prose(filled[0].text):
            self.heading = filled[0]
        else:
            ctx.ledger.refuse(*filled)
        return 1

    def _take_heading(self) -> Cell | None:
        heading, self.heading = self.heading, None
        self.ctx.ledger.place(heading)
        return heading

    def _stop(self, row: Row) -> bool:
        return (is_fact_row(row, self.labels) or _known_text_row(row)
                or find_header(row) is not None)


def _known_text_row(row: Row) -> bool:
    """A text row of a known form: it ends a funding or indicator block (Kunming prints two
    text rows after its indicators)."""
    filled = row.filled()
    return len(filled) == 2 and clean.squeeze(filled[0].text) in NARRATIVE_LABELS


def _with_caption(block: Block, header: Header, heading: Cell | None, ctx: Context) -> Block:
    caption = None
    if heading is not None:
        caption = clean.label(heading.text)
    elif ctx.family.caption_from_section_label and header.label_cell is not None:
        caption = clean.label(header.label_cell.text)
    return Block(caption=caption, **block) if caption else block


def _name_periods(record: Block) -> None:
    """Kunming prints two periods side by side under the same heading (指标值 twice): name
    them after the periods of the goals (中期目标, 年度目标 → 中期指标值, 年度指标值)."""
    indicators = record.get("indicators")
    if not indicators or len(set(indicators["targets"])) == len(indicators["targets"]):
        return
    periods = [goal["label"].removesuffix("目标") for goal in record.get("goals", [])
               if goal["label"].endswith("目标") and goal["label"] != "目标"]
    if len(periods) == len(indicators["targets"]):
        indicators["targets"] = [f"{period}{target}" for period, target in
                                 zip(periods, indicators["targets"], strict=True)]
        indicators.review("the form prints the same heading over both periods' values; "
                          "they are named after the goals' periods: check `targets`")
    else:
        indicators.review("two target columns have the same heading: name them")


def _check_units(tables: list[Block]) -> None:
    """元 vs 万元: a heading that says 万元 over figures that look like 元, or the reverse."""
    totals = [(table, _largest(table)) for table in tables]
    figures = [total for _, total in totals if total]
    if len(figures) < 2:
        return
    smallest = min(figures)
    for table, total in totals:
        if total and smallest and total / smallest >= 1000:
            table.review(f"its figures are {total / smallest:,.0f} times those of another "
                         f"funding table of this form although both say {table['unit']}: "
                         "the source may mix 元 and 万元; check the unit")


def _largest(table: Block) -> float:
    found = 0.0
    for row in table["rows"]:
        for text in [row.get("amount"), *row.get("amounts", [])]:
            if text:
                found = max(found, float(text.replace(",", "")))
    return found
