"""Word (.docx) → a grid: paragraphs and table rows in document order, merges kept.

Paragraphs outside tables (the title, the year, a narrative before the form) become
one-cell rows; table rows keep their grid columns. We read the cell XML ourselves rather
than python-docx's `row.cells`, because only the XML says whether an empty cell is a
continuation of a vertical merge (`w:vMerge` without `restart`) — which is how the
importer tells "same level as above" from "no level given".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any  # lxml elements carry no types

from .grid import Cell, Grid, Row
from .text import UnreadableFile

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_docx(path: Path) -> Grid:
    """Read every paragraph and table of the document body, in order."""
    import docx  # only Word files need it

    try:
        document = docx.Document(str(path))
    except Exception as failure:  # python-docx raises many kinds on a broken package
        raise UnreadableFile(f"this is not a Word (.docx) file python-docx can open "
                             f"({type(failure).__name__})") from failure
    rows: list[Row] = []
    paragraph_number = table_number = 0
    after_break = False
    for element in document.element.body.iterchildren():
        if element.tag == f"{_W}p":
            paragraph_number += 1
            text = _text(element)
            if not text.strip():
                after_break = True
                continue
            where = f"paragraph {paragraph_number}"
            rows.append(Row([Cell(text, 0, where)], where, after_break))
            after_break = False
        elif element.tag == f"{_W}tbl":
            table_number += 1
            rows.extend(_table_rows(element, table_number))
            after_break = True
    return Grid(path.name, rows, exact_columns=True, merges=True)


def _table_rows(table: Any, number: int) -> list[Row]:
    rows = []
    for index, tr in enumerate(table.iterchildren(f"{_W}tr"), 1):
        where = f"table {number}, row {index}"
        rows.append(Row(_cells(tr, where), where))
    return rows


def _cells(tr: Any, where: str) -> list[Cell]:
    cells: list[Cell] = []
    column = _grid_before(tr)
    for tc in tr.iterchildren(f"{_W}tc"):
        span, continued = _merge_of(tc)
        text = "" if continued else _text(tc)
        cells.append(Cell(text, column, f"{where}, cell {column + 1}", continued))
        column += span  # the grid columns a horizontal merge covers stay empty
    return cells


def _grid_before(tr: Any) -> int:
    found = tr.find(f"{_W}trPr/{_W}gridBefore")
    return int(found.get(f"{_W}val", "0")) if found is not None else 0


def _merge_of(tc: Any) -> tuple[int, bool]:
    properties = tc.find(f"{_W}tcPr")
    if properties is None:
        return 1, False
    span = properties.find(f"{_W}gridSpan")
    vmerge = properties.find(f"{_W}vMerge")
    continued = vmerge is not None and vmerge.get(f"{_W}val", "continue") == "continue"
    return (int(span.get(f"{_W}val", "1")) if span is not None else 1), continued


def _text(element: Any) -> str:
    """Text of a paragraph or cell; paragraphs of one cell are separated by a blank line."""
    paragraphs = ([element] if element.tag == f"{_W}p"
                  else list(element.iter(f"{_W}p")))
    texts = (_paragraph_text(p).strip() for p in paragraphs)
    return "\n\n".join(text for text in texts if text)


def _paragraph_text(paragraph: Any) -> str:
    parts = []
    for node in paragraph.iter():
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
    return "".join(parts)
