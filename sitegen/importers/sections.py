"""Project facts, narrative rows, goals and the preamble: the labelled parts of a form.

A fact is a known label (forms.yaml `fact_labels`, all families) followed by its value;
labels and values alternate along a row (`项目名称 | X | 项目性质 | Y`) or share a cell
(`申报单位名称：X`). A text row is a short label and one text (`项目概况 | …`): a goal when
the label names a 目标, narrative otherwise. Goals may also be printed as a row of goal
labels over a row of texts, matched by column (Shanghai 2023, Kunming).
"""

from __future__ import annotations

import re

from ..glossary import Glossary
from . import clean
from .draft import Block, Context
from .grid import Cell, Row

# Text rows of the known forms (FORMS.md). A label not listed here is still read as a
# text row when its text is running prose, with a REVIEW note; extend this list when a
# new form's text rows are known.
NARRATIVE_LABELS = frozenset({
    "项目概况", "立项依据", "项目立项依据", "项目设立的必要性", "立项必要性", "实施可行性",
    "保证项目实施的制度、措施", "单位已有的保障项目实施的制度措施", "项目实施计划", "项目实施内容",
    "项目基本概况", "资金安排情况", "项目实施成效", "预算绩效说明", "项目实施单位",
})
_INLINE_FACT = re.compile(r"^(?P<label>[^：:]{2,12})[：:](?P<value>.+)$", re.DOTALL)


def fact_labels(glossary: Glossary) -> dict[str, str]:
    """Squeezed label → project key, from every family's `fact_labels`."""
    found = {"项目名称": "name"}
    for family in glossary.forms.values():
        for key, printed in family.fact_labels.items():
            found.setdefault(clean.squeeze(printed), key)
    return found


def is_fact_row(row: Row, labels: dict[str, str]) -> bool:
    """A row with a known fact label in it (an unknown label beside it is not placed)."""
    filled = row.filled()
    if any(clean.squeeze(cell.text) in labels for cell in filled[::2]):
        return True
    inline = _INLINE_FACT.match(clean.strip_markup(filled[0].text)) if filled else None
    return len(filled) == 1 and bool(inline) and clean.squeeze(inline["label"]) in labels


def read_facts(row: Row, labels: dict[str, str], project: Block, ctx: Context) -> None:
    """Label/value pairs along the row into `project`; an unknown label is not placed."""
    cells = row.filled()
    inline = _INLINE_FACT.match(clean.strip_markup(cells[0].text)) if len(cells) == 1 else None
    if inline:
        _set_fact(project, labels[clean.squeeze(inline["label"])], inline["value"], ctx)
        ctx.ledger.place(cells[0])
        return
    index = 0
    while index < len(cells):
        key = labels.get(clean.squeeze(cells[index].text))
        value = cells[index + 1] if index + 1 < len(cells) else None
        if value is not None and clean.squeeze(value.text) in labels:
            value = None  # the label's own value cell is empty
        if key and value is not None and _set_fact(project, key, value.text, ctx):
            ctx.ledger.place(cells[index], value)
        elif key and value is None:
            ctx.ledger.place(cells[index])
        else:
            ctx.ledger.refuse(cells[index], value)  # a label no form has: editor decides
        index += 2 if value is not None else 1


def _set_fact(project: Block, key: str, text: str, ctx: Context) -> bool:
    value = clean.label(text)
    if key in project and project[key] != value:
        ctx.reviews.append(f"the form gives two values for {key}: '{project[key]}' and "
                           f"'{value}'; the first is kept")
        return False
    project[key] = value
    return True


def read_text_row(row: Row, ctx: Context) -> tuple[str, Block] | None:
    """`label | text`: ("goals" | "narrative", the entry), or None if the row is not one."""
    cells = row.filled()
    if len(cells) != 2 or clean.is_prose(cells[0].text) or len(clean.squeeze(
            cells[0].text)) > 24:
        return None
    name, span = clean.split_span(cells[0].text)
    known = name in NARRATIVE_LABELS
    if not (known or "目标" in name or clean.is_prose(cells[1].text)):
        return None
    entry = Block(label=name)
    if span:
        entry["span"] = span
    entry["text"] = _prose(cells[1], entry)
    if not known and "目标" not in name:
        entry.review(f"'{name}' is not a text row of the known forms: check the label")
    ctx.ledger.place(*cells)
    return ("goals" if "目标" in name else "narrative"), entry


def read_goal_rows(row: Row, below: Row | None, ctx: Context) -> list[Block] | None:
    """A row of goal labels over a row of texts (`项目总体目标 (…) | 年度总体目标`).

    Every label names a goal (ends in 目标, with its span if any), and the texts stand
    under the goals' labels, not under the first cell alone: that cell is the block's
    label (项目绩效目标), or the row is a label beside its text (`总目标及阶段性目标： |
    总目标文字。`, for `read_text_row`) with the next part's heading below it.
    """
    labels = row.filled()
    if (below is None or not labels or any(clean.is_prose(c.text) for c in labels)
            or not all(_names_a_goal(c.text) for c in labels)):
        return None
    texts = below.filled()
    columns = {cell.column: cell for cell in labels}
    if not texts or not all(cell.column in columns for cell in texts):
        return None
    if len(labels) > 1 and {cell.column for cell in texts} == {labels[0].column}:
        return None
    goals = []
    for text in texts:
        name, span = clean.split_span(columns[text.column].text)
        goal = Block(label=name)
        if span:
            goal["span"] = span
        goal["text"] = _prose(text, goal)
        goals.append(goal)
    used = {text.column for text in texts}
    ctx.ledger.place(*texts, *(c for c in labels if c.column in used))
    ctx.ledger.place(labels[0])  # over no text: the block's own label (项目绩效目标, 总体目标)
    ctx.ledger.refuse(*labels[1:])  # a goal whose text the source left empty
    return goals


def _names_a_goal(text: str) -> bool:
    return clean.squeeze(clean.split_span(text)[0]).endswith("目标")


def _prose(cell: Cell, entry: Block) -> str:
    text, bullets = clean.prose(cell.text)
    if bullets:
        entry.review(f"{bullets} '?' where the source lost bullet glyphs became paragraph "
                     "breaks")
    return text


def read_preamble(rows: list[Row], ctx: Context) -> Block | None:
    """Narrative printed before the form: a title, then labels each followed by text or
    by `label：value` facts (Kunming: 项目实施单位 → 单位名称：…)."""
    cells = [row.filled()[0] for row in rows if len(row.filled()) == 1]
    ctx.ledger.refuse(*(c for row in rows if len(row.filled()) > 1 for c in row.filled()))
    if not cells:
        return None
    preamble = Block(title=clean.label(cells[0].text), sections=[])
    ctx.ledger.place(cells[0])
    section: Block | None = None
    for cell in cells[1:]:
        text = clean.strip_markup(cell.text)
        if _is_section_label(text):
            section = Block(label=clean.label(text))
            preamble["sections"].append(section)
            ctx.ledger.place(cell)
        elif section is None:
            ctx.ledger.refuse(cell)
        else:
            _add_to_section(section, cell)
            ctx.ledger.place(cell)
    for entry in preamble["sections"]:
        if "text" not in entry and "facts" not in entry:
            entry["text"] = ""
            entry.review("this heading has no text under it in the source")
    return preamble


def _is_section_label(text: str) -> bool:
    squeezed = clean.squeeze(text)
    return squeezed in NARRATIVE_LABELS or (
        len(squeezed) <= 12 and not clean.is_prose(text) and not _INLINE_FACT.match(text)
        and not re.search(r"[。；;，,：:\d]", squeezed))


def _add_to_section(section: Block, cell: Cell) -> None:
    text = clean.strip_markup(cell.text)
    fact = _INLINE_FACT.match(text)
    if fact and "text" not in section:
        section.setdefault("facts", []).append(
            Block(label=clean.label(fact["label"]), value=clean.prose(fact["value"])[0]))
        return
    paragraph, _ = clean.prose(text)
    section["text"] = f"{section['text']}\n\n{paragraph}" if "text" in section else paragraph
