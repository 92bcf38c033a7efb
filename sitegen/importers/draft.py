"""The record being written: mappings in the order an editor writes them, with REVIEW notes.

Parts of the importer build `Block`s (ordered mappings) and attach `review` notes where an
editor must check a decision; `emit` writes them as `# REVIEW:` comments above the entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..glossary import Glossary
from .grid import Cell, Grid, Ledger
from .recognise import Family


class Block(dict[str, Any]):
    """An ordered mapping of the record with the REVIEW notes shown above it."""

    def __init__(self, *args: object, **fields: object) -> None:
        super().__init__(*args, **fields)
        self.reviews: list[str] = []

    def review(self, message: str) -> Block:
        self.reviews.append(message)
        return self


class Quoted(str):
    """Written in double quotes: indicator values (`">=19000个"` means text to YAML)."""


MISSING_VALUE = "原表此行指标值缺失"
NO_FIRST_LEVEL = "原表未给出一级指标。"
NO_SECOND_LEVEL = "原表未给出二级指标。"


@dataclass(eq=False)
class Context:
    """What every part of one table's import shares."""

    glossary: Glossary
    grid: Grid
    family: Family
    ledger: Ledger = field(default_factory=Ledger)
    reviews: list[str] = field(default_factory=list)
    """Notes for the top of the record (the form family guess, unplaced cells…)."""
    unknown_levels: list[Cell] = field(default_factory=list)
    """Level cells whose names the glossary does not know (REVIEW notes on their levels)."""

    def at(self, cell: Cell | None) -> str:
        """A cell's address for notes and messages: `line 17, cell 3`."""
        return cell.where if cell is not None else "?"


def span_of(cells: list[Cell]) -> str:
    """`line 40` or `lines 40–43`: where a run of cells starts and ends."""
    places = [cell.where.split(",")[0] for cell in cells]
    if not places:
        return "?"
    if places[0] == places[-1]:
        return places[0]
    if places[0].startswith("line ") and places[-1].startswith("line "):
        return f"lines {places[0][5:]}–{places[-1][5:]}"
    return f"{places[0]} – {places[-1]}"
