"""Lay a record out as the official form it came from, then save it as .docx or .xlsx.

The tests write the curated seed records into Word and Excel files the way the budget
system prints them (merged level cells, a merged block label, funding pairs side by
side, Kunming's two periods side by side) and check that `sitegen import` reads them
back to the same records. A record is plain data here (`dict`s from its YAML).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WIDTH = 8
FACT_LABELS = {
    "name": "项目名称", "reporting_unit": "申报单位名称", "nature": "项目性质",
    "category": "项目类别", "type": "项目类型", "level": "项目级次", "period": "项目期",
    "competent_department": "主管部门",
    "implementing_unit": "实施单位", "start": "计划开始日期", "end": "计划完成日期",
    "government_procurement": "是否含有政府购买服务", "performance_type": "绩效类型",
    "contact_person": "项目负责人/联系电话",
}
FORM_LABELS = {"lianyungang-2024": {"start": "开始时间", "end": "完成时间"},
               "kunming-2020": {"competent_department": "主管部门及代码"}}


def zh(text: object) -> str:
    return text["zh"] if isinstance(text, dict) else str(text)


@dataclass
class Layout:
    """Paragraphs before the table, then the table's rows with merged ranges."""

    before: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    def add(self, *cells: str, at: int = 0) -> int:
        row = [""] * WIDTH
        for offset, text in enumerate(cells):
            row[at + offset] = text
        self.rows.append(row)
        return len(self.rows) - 1

    def merge(self, top: int, left: int, bottom: int, right: int) -> None:
        """Merge a range; as in the forms, only its first cell keeps its text."""
        if (top, left) == (bottom, right):
            return
        self.merges.append((top, left, bottom, right))
        for row in range(top, bottom + 1):
            for column in range(left, right + 1):
                if (row, column) != (top, left):
                    self.rows[row][column] = ""


def layout(record: dict) -> Layout:
    form = record["form"]
    out = Layout()
    if "preamble" in record:
        _preamble(out, record["preamble"])
    out.before += [zh(record["title"]), f"({record['year']}年度)"]
    project = dict(record["project"])
    if "reporting_unit" in project:
        out.before.append(f"申报单位名称：{project.pop('reporting_unit')}")
    _facts(out, project, form)
    for entry in record.get("narrative", []):
        _text_row(out, entry["label"], zh(entry["text"]), form)
    _funding(out, record.get("funding", []))
    _goals(out, record.get("goals", []), form)
    _indicators(out, record["indicators"], form)
    return out


def _preamble(out: Layout, preamble: dict) -> None:
    out.before.append(zh(preamble["title"]))
    for section in preamble["sections"]:
        out.before.append(section["label"])
        out.before += [f"{f['label']}：{zh(f['value'])}" for f in section.get("facts", [])]
        if "text" in section:
            out.before += zh(section["text"]).split("\n\n")


def _facts(out: Layout, project: dict, form: str) -> None:
    labels = {**FACT_LABELS, **FORM_LABELS.get(form, {})}
    colon = "：" if form == "shanghai-2020" else ""
    pairs = [(labels[key] + colon, zh(value)) for key, value in project.items()]
    for index in range(0, len(pairs), 2):
        out.add(*(cell for pair in pairs[index:index + 2] for cell in pair))


def _text_row(out: Layout, label: str, text: str, form: str) -> None:
    row = out.add(label + ("：" if form == "shanghai-2020" else ""), text)
    out.merge(row, 1, row, WIDTH - 1)


def _funding(out: Layout, tables: list[dict]) -> None:
    plain = [t for t in tables if "columns" not in t]
    if any("parts" in row for t in plain for row in t["rows"]):
        _pairs(out, plain)
    elif plain:
        for table in plain:
            out.merge(out.add(table["caption"]), 0, len(out.rows) - 1, WIDTH - 1)
            rows = [(f"{r['label']}（{table['unit']}）：", r.get("amount", ""))
                    for r in table["rows"]]
            for index in range(0, len(rows), 2):
                out.add(*(cell for pair in rows[index:index + 2] for cell in pair))
    columned = [t for t in tables if "columns" in t]
    for number, table in enumerate(columned):
        _columns(out, table, heading=number == 0)


def _pairs(out: Layout, tables: list[dict]) -> None:
    """Shanghai 2023: total and parts of each table down a label and an amount column."""
    columns = [_flatten(table["rows"]) for table in tables]
    first = len(out.rows)
    for index in range(max(len(rows) for rows in columns)):
        cells = [f"{tables[0]['caption']}（{tables[0]['unit']}）" if index == 0 else ""]
        for rows in columns:
            label, amount = rows[index] if index < len(rows) else ("", "")
            cells += [label, amount]
        out.add(*cells)
    out.merge(first, 0, len(out.rows) - 1, 0)


def _flatten(rows: list[dict], depth: int = 0) -> list[tuple[str, str]]:
    flat = []
    for row in rows:
        flat.append((row["label"], row.get("amount", "")))
        flat += _flatten(row.get("parts", []), depth + 1)
    return flat


def _columns(out: Layout, table: dict, heading: bool) -> None:
    """Column headings over indented labels (Lianyungang) or labels with a unit (Kunming)."""
    names = table["columns"]
    right = WIDTH - len(names)
    kind = {"income": "收入", "expenditure": "支出"}.get(table.get("kind", ""))
    caption = re.sub(r"（(收入|支出)）$", "", table["caption"])
    lead = [""]
    if kind:
        lead = [f"{caption}（{table['unit']}）", kind] if heading else [kind]
    top = out.add(*lead, *[""] * (right - len(lead)), *names)
    for row, depth in _indented(table["rows"]):
        label = row["label"] if kind else f"{row['label']}（{table['unit']}）"
        amounts = row.get("amounts") or [row.get("amount")]
        out.add(*[""] * (1 + depth), *label.split(" "),
                *[""] * (right - 1 - depth - len(label.split(" "))),
                *[a if a is not None else "" for a in amounts])
    if kind and heading:
        out.merge(top, 0, len(out.rows) - 1, 0)


def _indented(rows: list[dict], depth: int = 0) -> list[tuple[dict, int]]:
    """A total's parts stand at its own indent (资金总额 over 财政拨款), deeper parts further."""
    found = []
    for row in rows:
        found.append((row, depth))
        total = bool(re.search(r"(总额|合计|总计)$", row["label"]))
        found += _indented(row.get("parts", []), depth if total else depth + 1)
    return found


def _goals(out: Layout, goals: list[dict], form: str) -> None:
    if form in ("shanghai-2023", "kunming-2020"):
        label = "项目绩效目标" if form == "shanghai-2023" else "总体目标"
        out.add(label, *(g["label"] + (f" {g['span']}" if "span" in g else "") for g in goals))
        out.add("", *(zh(g["text"]) for g in goals))
        out.merge(len(out.rows) - 2, 0, len(out.rows) - 1, 0)
        return
    for goal in goals:
        _text_row(out, goal["label"], zh(goal["text"]), form)


def _indicators(out: Layout, table: dict, form: str) -> None:
    side_by_side = form == "kunming-2020"
    if "caption" in table and not side_by_side:
        out.merge(out.add(table["caption"]), 0, len(out.rows) - 1, WIDTH - 1)
    heads = list(table["headers"])
    targets = ["指标值", *heads[1:], "指标值"] if side_by_side else table["targets"]
    top = out.add(table.get("caption", "绩效指标") if side_by_side else "绩效指标",
                  *heads, *targets)
    for first in table["first_levels"]:
        start = len(out.rows)
        for second in first["second_levels"]:
            begin = len(out.rows)
            for indicator in second["indicators"] or [None]:
                _indicator_row(out, first, second, indicator, side_by_side)
            if "name" in second:
                out.merge(begin, 2, len(out.rows) - 1, 2)
                if side_by_side:
                    out.merge(begin, 5, len(out.rows) - 1, 5)
        if "name" in first:
            out.merge(start, 1, len(out.rows) - 1, 1)
    out.merge(top, 0, len(out.rows) - 1, 0)


def _indicator_row(out: Layout, first: dict, second: dict, indicator: dict | None,
                   side_by_side: bool) -> None:
    name = zh(indicator["name"]) if indicator else ""
    values = ([] if indicator is None or "missing" in indicator
              else indicator.get("values") or [indicator["value"]])
    values = [zh(v) for v in values] or [""] * (2 if side_by_side else 1)
    levels = [first.get("name", ""), second.get("name", "")]
    if side_by_side:
        out.add("", *levels, name, values[0], levels[1], name, values[1])
    else:
        out.add("", *levels, name, *values)


def word_export(text: str) -> list[Layout]:
    """Rows of a text export (tab-separated) as a Word export of them lays them out: a run
    of rows is a table, a lone cell between tables a paragraph (`<b>` becomes plain text),
    and the text beside a label is one cell merged across the rest of its row."""
    forms = [Layout()]
    for line in text.splitlines():
        cells = [re.sub(r"</?b>", "", cell).strip() for cell in line.split("\t")]
        filled = [cell for cell in cells if cell]
        if len(filled) == 1:
            if forms[-1].rows:
                forms.append(Layout())
            forms[-1].before.append(filled[0])
        elif filled:
            row = forms[-1].add(*filled)
            if len(filled) == 2:
                forms[-1].merge(row, 1, row, WIDTH - 1)
    return forms


def save_docx(forms: Layout | list[Layout], path: Path) -> None:
    """One document; several forms follow each other, each a title then its table."""
    import docx

    document = docx.Document()
    for form in forms if isinstance(forms, list) else [forms]:
        for text in form.before:
            document.add_paragraph(text)
        table = document.add_table(rows=len(form.rows), cols=WIDTH)
        cells = table._cells  # one snapshot: table.cell() rebuilds the whole list per call
        for r, row in enumerate(form.rows):
            for c, text in enumerate(row):
                paragraphs = text.split("\n\n")
                cell = cells[r * WIDTH + c]
                cell.text = paragraphs[0]
                for more in paragraphs[1:]:
                    cell.add_paragraph(more)
        for top, left, bottom, right in form.merges:  # ranges never overlap
            cells[top * WIDTH + left].merge(cells[bottom * WIDTH + right])
    document.save(str(path))


def save_xlsx(sheets: Layout | list[list[Layout]], path: Path) -> None:
    """One workbook: a form, or sheets each holding one or more forms one below another."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for number, forms in enumerate(sheets if isinstance(sheets, list) else [[sheets]], 1):
        sheet = book.create_sheet("绩效目标表" if number == 1 else f"绩效目标表{number}")
        for form in forms:
            _sheet_form(sheet, form)
    book.save(str(path))


def _sheet_form(sheet: Any, form: Layout) -> None:
    for text in form.before:
        sheet.append([text])
    offset = sheet.max_row  # every form has a title above its table
    for row in form.rows:
        sheet.append([text or None for text in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # `=50%` is a value typed as text, not a formula
    for top, left, bottom, right in form.merges:
        sheet.merge_cells(start_row=top + offset + 1, start_column=left + 1,
                          end_row=bottom + offset + 1, end_column=right + 1)
