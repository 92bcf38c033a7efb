"""Funding blocks (项目资金): amounts kept as printed, their unit taken from the heading.

Three layouts occur, told apart by where the amounts stand:

- pairs beside a heading (`项目资金 (元) | 项目资金总额 | 9,593,190.00 | 年度资金申请总额 | …`):
  each label column with its amount column is one table, read down the rows;
- pairs that carry their own unit (`项目总预算（元）： | 1,805,000 | …`) under a heading row:
  one flat table read row by row;
- column headings over rows (`收入 | … | 全年(程) 预算数`, Kunming's `总投入 | 中央财政 | …`):
  amounts stand under the headings, labels to their left; `收入`/`支出` start a table of
  that kind, and a label further right is a part of the one above it.

A first row labelled as a total (总额, 合计, 总计) has the rows below it as its parts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from . import clean
from .draft import Block, Context
from .grid import Cell, Row

_KINDS = {"收入": "income", "支出": "expenditure"}
_TOTAL = re.compile(r"(申请总额|总额|合计|总计)$")
_TOTAL_COLUMN = ("总投入", "合计", "总计")


def read_funding(rows: list[Row], heading: Cell | None, ctx: Context,
                 stop: Callable[[Row], bool]) -> tuple[list[Block], int, bool] | None:
    """Funding tables starting at rows[0]: (tables, rows used, heading used) or None."""
    first = rows[0].filled()[0]
    caption, unit = clean.split_unit(first.text)
    if unit and "资金" in caption and len(rows[0].filled()) > 1:
        used = 1 + _region(rows[1:], first.column, stop)
        region = rows[:used]
        ctx.ledger.place(first)
        if _amounts(rows[0]):
            return _pairs(region, caption, unit, ctx), used, False
        return _columns(region, caption, unit, first.column, ctx), used, False
    if heading is not None and _own_unit_pairs(rows[0]):
        used = 1 + sum(1 for _ in _while(rows[1:], _own_unit_pairs))
        return [_flat(rows[:used], heading, ctx)], used, True
    if len(rows) > 1 and _column_headings(rows[0], rows[1]):
        used = 1 + sum(1 for _ in _while(rows[1:], lambda r: bool(_amounts(r))))
        return _columns(rows[:used], "", None, -1, ctx), used, False
    return None


def _while(rows: list[Row], test: Callable[[Row], bool]) -> list[Row]:
    taken = []
    for row in rows:
        if not test(row):
            break
        taken.append(row)
    return taken


def _region(rows: list[Row], heading_column: int, stop: Callable[[Row], bool]) -> int:
    """Rows under a heading cell: its column empty (merged) or naming 收入/支出."""
    used = 0
    for row in rows:
        lead = [c for c in row.filled() if c.column <= heading_column]
        if stop(row) or (lead and clean.squeeze(lead[0].text) not in _KINDS):
            break
        used += 1
    return used


def _amounts(row: Row) -> list[Cell]:
    return [cell for cell in row.filled() if clean.amount(cell.text) is not None]


def _own_unit_pairs(row: Row) -> bool:
    cells = row.filled()
    return (len(cells) % 2 == 0 and len(cells) > 0
            and all(clean.split_unit(c.text)[1] for c in cells[::2])
            and all(clean.amount(c.text) is not None for c in cells[1::2]))


def _column_headings(row: Row, below: Row) -> bool:
    cells, amounts = row.filled(), _amounts(below)
    columns = {cell.column for cell in cells}
    return (len(cells) >= 2 and not _amounts(row) and bool(amounts)
            and not any(clean.is_prose(c.text) for c in cells)
            and all(cell.column in columns for cell in amounts))


def _pairs(region: list[Row], caption: str, unit: str, ctx: Context) -> list[Block]:
    """Label and amount columns side by side; each pair of columns is one table."""
    cells = [c for c in region[0].filled() if c.column > region[0].filled()[0].column]
    pairs = [(label.column, amount.column) for label, amount in pairwise(cells)
             if clean.amount(label.text) is None and clean.amount(amount.text) is not None]
    tables = []
    for number, (label_column, amount_column) in enumerate(pairs):
        items = []
        for row in region:
            label, amount = row.at(label_column), row.at(amount_column)
            if label is not None and label.filled:
                items.append((0, _row(clean.label(label.text), [amount], ctx)))
                ctx.ledger.place(label)
        title = caption if number == 0 else _TOTAL.sub("", items[0][1]["label"]) or caption
        tables.append(Block(caption=title, unit=unit, rows=_tree(items)))
    _refuse_rest(region, {c for p in pairs for c in p}, ctx)
    return tables


def _flat(region: list[Row], heading: Cell, ctx: Context) -> Block:
    """Labels carrying their unit, read row by row: `项目总预算（元）： | 1,805,000`."""
    items, units = [], set()
    for row in region:
        cells = row.filled()
        for label, amount in zip(cells[::2], cells[1::2], strict=True):
            name, unit = clean.split_unit(label.text)
            units.add(unit)
            items.append((0, _row(name, [amount], ctx)))
            ctx.ledger.place(label)
    ctx.ledger.place(heading)
    table = Block(caption=clean.label(heading.text), unit=sorted(u for u in units if u)[0],
                  rows=[item for _, item in items])
    if len(units) > 1:
        table.review(f"the labels give different units ({', '.join(map(str, units))})")
    return table


def _columns(region: list[Row], caption: str, unit: str | None, heading_column: int,
             ctx: Context) -> list[Block]:
    """Column headings over rows of labels and amounts; 收入/支出 start a new table."""
    tables: list[Block] = []
    headings: dict[int, str] = {}
    items: list[tuple[float, Block, str | None]] = []
    kind = None
    for index, row in enumerate(region):
        cells = [c for c in row.filled() if c.column > heading_column]
        lead = [c for c in row.filled() if c.column <= heading_column]
        words = [c for c in lead + cells if clean.squeeze(c.text) in _KINDS]
        if index > 0 and not words:
            items.append(_labelled(row, headings, ctx))
            continue
        if items:
            tables.append(_table(caption, unit, headings, items, kind))
        kind = clean.squeeze(words[0].text) if words else None
        headings = {c.column: clean.label(c.text) for c in cells if c not in words} or headings
        items = []
        ctx.ledger.place(*cells, *words)
    if items:
        tables.append(_table(caption, unit, headings, items, kind))
    return tables


def _labelled(row: Row, headings: dict[int, str], ctx: Context
              ) -> tuple[float, Block, str | None]:
    start = min(headings, default=0)
    labels = [c for c in row.filled() if c.column < start]
    pieces = [clean.split_unit(c.text) for c in labels]
    name = " ".join(piece for piece, _ in pieces)  # `财政拨款 | 小计`: two cells, one label
    unit = next((own for _, own in pieces if own), None)
    amounts = [row.at(column) for column in sorted(headings)]
    ctx.ledger.place(*labels)
    _refuse_rest([row], {*headings, *(c.column for c in labels)}, ctx)
    return (labels[0].column if labels else start), _row(name, amounts, ctx), unit


def _table(caption: str, unit: str | None, headings: dict[int, str],
           items: list[tuple[float, Block, str | None]], kind: str | None) -> Block:
    labels = [item["label"] for _, item, _ in items]
    unit = unit or next((own for _, _, own in items if own), None)
    printed = caption or _common_suffix(labels)
    if printed and kind:
        printed = f"{printed}（{kind}）"  # 收入 and 支出 share one heading: tell them apart
    table = Block(caption=printed or "项目资金", unit=unit or "元")
    if not printed:
        table.review("the source prints no caption for this table: check it")
    if unit is None:
        table.review("the source gives no unit for these amounts: 元 is assumed")
    table["columns"] = [headings[column] for column in sorted(headings)]
    total = next((name for name in table["columns"] if name in _TOTAL_COLUMN), None)
    if total and _adds_up(items, table["columns"].index(total)):
        table["total_column"] = total
    if kind:
        table["kind"] = _KINDS[kind]
    table["rows"] = _tree([(indent, item) for indent, item, _ in items])
    return table


def _row(label: str, amounts: list[Cell | None], ctx: Context) -> Block:
    """A funding row; a filled amount cell that is not an amount is not placed."""
    texts = [clean.amount(c.text) if c is not None and c.filled else None for c in amounts]
    for cell, text in zip(amounts, texts, strict=True):
        (ctx.ledger.place if text is not None else ctx.ledger.refuse)(cell)
    block = Block(label=label)
    if len(texts) == 1:
        if texts[0] is not None:
            block["amount"] = texts[0]
    elif any(texts):
        block["amounts"] = texts
    return block


def _tree(items: list[tuple[float, Block]]) -> list[Block]:
    """Rows to parts by indentation; a first row labelled as a total holds the rest."""
    if items and _TOTAL.search(items[0][1]["label"]):
        items = [(items[0][0] - 0.5, items[0][1]), *items[1:]]
    roots: list[Block] = []
    stack: list[tuple[float, Block]] = []
    for indent, block in items:
        while stack and stack[-1][0] >= indent:
            stack.pop()
        (stack[-1][1].setdefault("parts", []) if stack else roots).append(block)
        stack.append((indent, block))
    return roots


def _adds_up(items: list[tuple[float, Block, str | None]], total: int) -> bool:
    for _, block, _ in items:
        figures = [clean.amount(a) if a else None for a in block.get("amounts", [])]
        values = [float(f.replace(",", "")) if f else 0.0 for f in figures]
        if values and abs(values[total] - (sum(values) - values[total])) > 0.005:
            return False
    return True


def _common_suffix(labels: list[str]) -> str:
    if len(labels) < 2:
        return ""
    suffix = labels[0]
    for text in labels[1:]:
        while suffix and not text.endswith(suffix):
            suffix = suffix[1:]
    return suffix if len(suffix) >= 2 else ""


def _refuse_rest(region: list[Row], columns: set[int], ctx: Context) -> None:
    ctx.ledger.refuse(*(c for row in region for c in row.filled() if c.column not in columns))
