"""Where tables start, which form family each one is, and its budget year.

A table starts at its form title: a row with a single cell whose text ends like a target
table's title (`…绩效目标表`, `…绩效目标申报表`, `…（生成表）`). Rows before the first title
are the narrative printed before the form (Kunming's preamble). A caption inside a report
(`表1-4 …绩效目标表`) is not a form title, so an evaluation report is not taken for a form.

The family is the known form the table resembles most: its printed title first, then the
labels only that form uses. A table that is not one of the four but looks like one is
imported as its nearest family, with a REVIEW note saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import clean
from .grid import Cell, Grid, Row

_TITLE = re.compile(r"^.{0,30}?绩效目标(?:申报)?表(?:[(（]生成表[)）])?$")
_CAPTION = re.compile(r"^表\s*\d")


@dataclass(frozen=True)
class Family:
    """What is known about one official form beyond its labels."""

    id: str
    titles: tuple[str, ...]
    marks: tuple[str, ...]
    """Labels (squeezed) that only this form prints; they decide between look-alikes."""
    caption_from_section_label: bool = False
    """Kunming prints the indicator block's label (绩效指标) as the block's caption."""


FAMILIES = (
    Family("shanghai-2020", ("财政项目支出绩效目标表",),
           ("申报单位名称", "是否含有政府购买服务", "绩效类型", "一级目标", "指标目标值")),
    Family("shanghai-2023", ("财政项目支出绩效目标申报表",),
           ("项目性质", "计划开始日期", "项目资金总额", "年度(/项目)指标值", "项目总体目标")),
    Family("lianyungang-2024", ("连云港市本级项目预算绩效目标表", "市本级项目预算绩效目标表"),
           ("项目级次", "开始时间", "项目负责人/联系电话", "半年(程)指标值", "中长期目标")),
    Family("kunming-2020", ("项目支出绩效目标申报表（生成表）",),
           ("主管部门及代码", "项目期", "中期目标", "总投入", "中期资金来源（元）"),
           caption_from_section_label=True),
)


@dataclass(eq=False)
class TablePart:
    """The rows of one table in a grid: its preamble, title rows and body."""

    grid: Grid
    index: int
    titles: list[Cell]
    preamble: list[Row] = field(default_factory=list)
    body: list[Row] = field(default_factory=list)

    @property
    def title(self) -> str:
        return clean.label(self.titles[-1].text)


def title_of(row: Row) -> Cell | None:
    """The row's form title cell, if the row is a form title."""
    filled = row.filled()
    if len(filled) != 1:
        return None
    text = clean.squeeze(filled[0].text)
    return filled[0] if _TITLE.match(text) and not _CAPTION.match(text) else None


def split_tables(grid: Grid, first_index: int = 1) -> list[TablePart]:
    """Cut a grid at form titles; consecutive titles are one table's heading and title."""
    parts: list[TablePart] = []
    preamble: list[Row] = []
    for row in grid.rows:
        title = title_of(row)
        if title is not None:
            if parts and not parts[-1].body:
                parts[-1].titles.append(title)  # 项目绩效目标表 then the form's own title
                continue
            if parts:
                preamble = _narrative_before(parts[-1])
            parts.append(TablePart(grid, first_index + len(parts), [title], preamble))
        elif parts:
            parts[-1].body.append(row)
        else:
            preamble.append(row)
    return parts


def _narrative_before(previous: TablePart) -> list[Row]:
    """Paragraphs that end the previous table's rows belong to the next form's preamble:
    the single-cell rows at its end, from the first that follows a break (a blank line,
    the end of a Word table)."""
    start = len(previous.body)
    while start > 0 and len(previous.body[start - 1].filled()) == 1:
        start -= 1
    while start < len(previous.body) and not previous.body[start].after_break:
        start += 1
    moved = previous.body[start:]
    del previous.body[start:]
    return moved


def family_of(part: TablePart) -> tuple[Family, bool]:
    """The family the table is, and whether its title says so outright."""
    title = clean.squeeze(part.title)
    for family in FAMILIES:
        if title in family.titles:
            return family, True
    words = {clean.squeeze(cell.text) for row in part.body for cell in row.filled()}
    scores = [(sum(mark in words for mark in family.marks)
               + 2 * any(title.endswith(known) for known in family.titles), index)
              for index, family in enumerate(FAMILIES)]
    best = max(scores)
    return FAMILIES[best[1]], False


def year_of(part: TablePart) -> tuple[int | None, Cell | None]:
    """The budget year printed under the title (`(2023年度)`), and its cell."""
    for row in part.body[:4]:
        filled = row.filled()
        if len(filled) == 1 and (year := clean.year_of(filled[0].text)):
            return year, filled[0]
    return None, None


def fallback_year(part: TablePart) -> int | None:
    """A year from the title or the dates when no year row is printed."""
    for row in part.body:
        for cell in row.filled():
            found = re.match(r"^(\d{4})-\d{2}-\d{2}$", cell.text.strip())
            if found:
                return int(found.group(1))
    found = re.search(r"(\d{4})年", part.title)
    return int(found.group(1)) if found else None
