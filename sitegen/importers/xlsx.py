"""Excel (.xlsx) → one grid per sheet, merged ranges kept, numbers shown as formatted.

A merged range's text lives in its top-left cell; the cells below it are marked
`merged_above` (same level as above), those to its right are simply empty. Numbers are
turned back into the text the sheet shows (`#,##0.00` → `9,593,190.00`), because records
keep amounts as printed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any  # openpyxl sheets carry no types

import openpyxl
from openpyxl.utils import get_column_letter

from .grid import Cell, Grid, Row
from .text import UnreadableFile


def read_xlsx(path: Path) -> list[Grid]:
    """Every sheet of the workbook, as a grid of its own.

    Values come from the cached results; a cell typed `=50%` is stored by Excel as a
    formula with no cached result, so where there is none the formula's text is shown.
    """
    try:
        book = openpyxl.load_workbook(str(path), data_only=True)
        formulas = openpyxl.load_workbook(str(path), data_only=False)
    except Exception as failure:  # openpyxl raises many kinds on a broken workbook
        raise UnreadableFile(f"this is not an Excel (.xlsx) workbook openpyxl can open "
                             f"({type(failure).__name__})") from failure
    return [_sheet_grid(sheet, formulas[sheet.title], path.name)
            for sheet in book.worksheets]


def _sheet_grid(sheet: Any, formulas: Any, source: str) -> Grid:
    below = _merged_below(sheet)
    rows: list[Row] = []
    after_break = False
    for number in range(1, (sheet.max_row or 0) + 1):
        cells = []
        for column in range(1, (sheet.max_column or 0) + 1):
            where = f"{sheet.title}!{get_column_letter(column)}{number}"
            cell = sheet.cell(number, column)
            value = cell.value
            if value is None:
                value = formulas.cell(number, column).value
            continued = (number, column) in below
            text = "" if continued else shown(value, cell.number_format)
            cells.append(Cell(text, column - 1, where, continued))
        row = Row(cells, f"{sheet.title}!{number}", after_break)
        if row.blank and not any(cell.merged_above for cell in cells):
            after_break = True
            continue
        rows.append(row)
        after_break = False
    return Grid(source, rows, exact_columns=True, merges=True)


def _merged_below(sheet: Any) -> set[tuple[int, int]]:
    """Cells under the first row of a merged range: they continue the cell above."""
    found = set()
    for merged in sheet.merged_cells.ranges:
        for row in range(merged.min_row + 1, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                found.add((row, column))
    return found


def shown(value: Any, number_format: str = "General") -> str:
    """A cell's value as the sheet displays it."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return _number(value, number_format or "General")
    return str(value)


def _number(value: float, number_format: str) -> str:
    if number_format.endswith("%"):
        decimals = _decimals(number_format.rstrip("%"))
        return f"{value * 100:.{decimals}f}%"
    # Shown as 1.20E+07, an amount is rounded on the screen, not in the file: its digits
    # are the figure (12,034,567 is also 1.20E+07), and YAML would read no exponent.
    if number_format == "General" or "E" in number_format.upper():
        return _plain(value)
    decimals = _decimals(number_format)
    grouping = "," if "," in number_format else ""
    return f"{value:{grouping}.{decimals}f}"


def _plain(value: float) -> str:
    """The value in plain digits, as exact as the file holds it: 12000000, never 1.2e+07."""
    if float(value).is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def _decimals(number_format: str) -> int:
    head = number_format.split(";")[0]
    return len(head.split(".")[1].rstrip("_)-\" ")) if "." in head else 0
