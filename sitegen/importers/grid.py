"""The common grid every reader produces: rows of cells, each with its place in the source.

Text exports, Word tables and Excel sheets differ only in how they are read; from here on
the importer sees rows of cells. A cell keeps its column and where it came from (a text
line, a Word table row, an Excel sheet!cell) so that whatever cannot be placed is listed
with an address the editor can open.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, eq=False)
class Cell:
    """One cell as read. `merged_above`: it continues a vertical merge (Word, Excel)."""

    text: str
    column: int
    where: str
    merged_above: bool = False

    @property
    def filled(self) -> bool:
        return bool(self.text.strip())


@dataclass(eq=False)
class Row:
    """A row of cells; `after_break` when a blank line or page break comes before it."""

    cells: list[Cell]
    where: str
    after_break: bool = False

    def filled(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.filled]

    def at(self, column: int) -> Cell | None:
        for cell in self.cells:
            if cell.column == column:
                return cell
        return None

    @property
    def blank(self) -> bool:
        return not self.filled()


@dataclass(eq=False)
class Grid:
    """The rows of one file (or one Excel sheet), before it is cut into tables.

    `exact_columns`: a cell's column means what the header above it says (Word, Excel,
    one-cell-per-line text). Tab-separated text loses empty cells at merges, so there
    columns only hint and the importer reads cells by what they say.
    `merges`: the source records vertical merges, so an empty level cell that is not
    merged with the one above really is empty rather than "same as above".
    """

    source: str
    rows: list[Row]
    exact_columns: bool = False
    merges: bool = False


@dataclass(eq=False)
class Ledger:
    """Which cells of a table were placed in the record, dropped as noise, or not placed."""

    placed: set[int] = field(default_factory=set)
    noise: set[int] = field(default_factory=set)
    unplaced: list[Cell] = field(default_factory=list)

    def place(self, *cells: Cell | None) -> None:
        for cell in cells:
            if cell is not None and cell.filled:
                self.placed.add(id(cell))

    def drop(self, *cells: Cell | None) -> None:
        """A cell that is extraction noise by a rule (a repeated header fragment)."""
        for cell in cells:
            if cell is not None and cell.filled:
                self.noise.add(id(cell))

    def refuse(self, *cells: Cell | None) -> None:
        for cell in cells:
            if cell is not None and cell.filled and not self.seen(cell):
                self.unplaced.append(cell)

    def seen(self, cell: Cell) -> bool:
        return id(cell) in self.placed or id(cell) in self.noise or any(
            cell is other for other in self.unplaced)

    def sweep(self, rows: list[Row]) -> None:
        """Every filled cell nobody took is unplaced: nothing is dropped silently."""
        for row in rows:
            for cell in row.filled():
                if not self.seen(cell):
                    self.unplaced.append(cell)
