"""Text exports → a grid: tab-separated rows, or one cell per line in blank-line blocks.

Two layouts occur (FORMS.md): most exports put a table row on one line with tab-separated
cells (merged cells leave empty or missing columns); Kunming's puts every cell on its own
tab-indented line and separates rows by blank lines. Which one a file uses is decided
once per file: if no line holds two cells, the file is one-cell-per-line.
"""

from __future__ import annotations

from pathlib import Path

from . import clean
from .grid import Cell, Grid, Row


class UnreadableFile(Exception):
    """A file that cannot be read as text at all; the message says why, in one line."""


def read_text(path: Path) -> Grid:
    """Read a text export; GB18030 (old Windows tools) is accepted as well as UTF-8."""
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise UnreadableFile("this is a binary file, not a text export of a table")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return parse_text(data.decode(encoding), path.name)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("this file is neither UTF-8 nor GB18030 text")


def parse_text(text: str, source: str) -> Grid:
    """Pure parse: the text of an export → its grid (see the module docstring)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if _one_cell_per_line(lines):
        return Grid(source, _blocks(lines), exact_columns=True)
    return Grid(source, _tab_rows(lines))


def _one_cell_per_line(lines: list[str]) -> bool:
    tabbed = [line for line in lines if "\t" in line]
    many = [line for line in tabbed
            if sum(1 for part in line.split("\t") if part.strip()) > 1]
    return bool(tabbed) and not many


def _tab_rows(lines: list[str]) -> list[Row]:
    rows: list[Row] = []
    after_break = False
    for number, line in enumerate(lines, 1):
        if not line.strip():
            after_break = True
            continue
        cells = [Cell(part, column, f"line {number}, cell {column + 1}")
                 for column, part in enumerate(line.split("\t"))]
        rows.extend(_split_paragraphs(Row(cells, f"line {number}", after_break)))
        after_break = False
    return rows


def _blocks(lines: list[str]) -> list[Row]:
    """One-cell-per-line: tab-indented lines up to a blank line make one row.

    Lines without a tab are running text (a narrative before the form): each is a row
    of its own, as printed.
    """
    rows: list[Row] = []
    block: list[tuple[int, str]] = []
    after_break = False

    def close() -> None:
        nonlocal after_break
        if block and any(text.strip() for _, text in block):
            first = block[0][0]
            cells = [Cell(text, column, f"line {number}")
                     for column, (number, text) in enumerate(block)]
            rows.append(Row(cells, f"line {first}" if len(block) == 1
                            else f"lines {first}-{block[-1][0]}", after_break))
            after_break = False
        block.clear()

    for number, line in enumerate(lines, 1):
        if not line.strip() and "\t" not in line:
            close()
            after_break = True
        elif line.startswith("\t"):
            block.append((number, line.split("\t")[-1]))
        else:
            close()
            rows.append(Row([Cell(line.strip(), 0, f"line {number}")], f"line {number}",
                            after_break))
            after_break = False
    close()
    return rows


def _split_paragraphs(row: Row) -> list[Row]:
    """A single-cell row of several <p> paragraphs (a title block) is several rows.

    000_….txt prints the second table's title, year and reporting unit as three <p>
    paragraphs on one line; cells with paragraphs among other cells stay whole (text).
    """
    filled = row.filled()
    if len(filled) != 1 or "<p" not in filled[0].text:
        return [row]
    parts = clean.paragraphs(filled[0].text)
    if len(parts) < 2 or any(clean.is_prose(part) for part in parts):
        return [row]
    cell = filled[0]
    return [Row([Cell(part, cell.column, f"{cell.where}, paragraph {index}")], row.where,
                row.after_break and index == 1)
            for index, part in enumerate(parts, 1)]
