"""`sitegen new`: a commented skeleton record that already passes `sitegen check`.

It starts as a draft, so an editor can preview it while filling it in without it being
published by accident.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from .project import Project
from .values import publisher_name_problem, record_name_problem, year_folder_problem

RECORD = """\
# {publisher}/{year}/{record_id}.yaml: a performance target table (绩效目标表).
# Fill in every field, replacing each 【…】 and [...]; `sitegen check` tells you what is
# missing or wrong.
# The record format is described in docs/record-format.md.
kind: target-table
form: {form}                   # shanghai-2020 | shanghai-2023 | lianyungang-2024 | kunming-2020
title: 财政项目支出绩效目标申报表  # the form's title as printed
year: {year}
draft: true                    # remove this line (or write false) to publish

project:
  name:
    zh: 【项目名称】          # 项目名称, as printed
    en: '[Project name]'       # English translation
  competent_department: 【主管部门】   # 主管部门
  implementing_unit: 【实施单位】      # 实施单位
  start: {year}-01-01           # 计划开始日期
  end: {year}-12-31             # 计划完成日期
{preamble}
narrative:                     # text rows of the form, in form order
  - label: 项目概况
    text:
      zh: 【项目概况的文字】
      en: '[The project overview]'

funding:
  - caption: 项目资金
    unit: 元                   # 元 or 万元
    rows:
      - label: 项目资金总额
        amount: 0.00
        parts:                 # rows that add up to the total
          - label: 其中：财政资金
            amount: 0.00

goals:
  - label: 年度总体目标
    text:
      zh: 【年度目标的文字】
      en: '[The annual goal]'

indicators:
  headers: [{headers}]
  targets: [{targets}]
  first_levels:
    - name: 产出指标
      second_levels:
        - name: 数量指标
          indicators:
            - name:
                zh: 【指标名称】
                en: '[Indicator name]'
              {values}
"""

# Each form family's indicator headings and target columns, as its seed prints them:
# a skeleton of the family the editor names, not one layout for all.
_INDICATOR_LAYOUTS = {
    "shanghai-2020": (("一级目标", "二级目标", "三级目标"), ("指标目标值",)),
    "shanghai-2023": (("一级指标", "二级指标", "三级指标"), ("年度指标值",)),
    "lianyungang-2024": (("一级指标", "二级指标", "三级指标"),
                         ("半年(程) 指标值", "全年(程) 指标值")),
    "kunming-2020": (("一级指标", "二级指标", "三级指标"), ("中期指标值", "年度指标值")),
}
# The text some families print above the table, as the Kunming seed does (立项依据,
# 项目实施单位 and its facts, 项目基本概况 …): its shape, for the editor to extend.
_PREAMBLES = {
    "kunming-2020": """
preamble:                      # the application text printed above the table
  title:
    zh: 【申报文本的标题】
    en: '[Title of the application text]'
  sections:                    # one per heading, in order: 立项依据, 项目实施单位 …
    - label: 立项依据
      text:
        zh: 【立项依据的文字】
        en: '[The basis for the project]'
    - label: 项目实施单位
      facts:                   # label and value pairs: 单位名称, 地址, 联系电话 …
        - label: 单位名称
          value: 【单位名称】
""",
}
_ONE_VALUE = 'value: "=100(%)"    # quote values: ≥90(%), =20(次), 提升 …'
_VALUES = 'values: [{}]    # one per target column, in order; quote them'


def _indicator_layout(form: str) -> dict[str, str]:
    headers, targets = _INDICATOR_LAYOUTS.get(form, _INDICATOR_LAYOUTS["shanghai-2023"])
    values = (_ONE_VALUE if len(targets) == 1 else
              _VALUES.format(", ".join('"=100(%)"' for _ in targets)))
    return {"headers": ", ".join(headers), "targets": ", ".join(targets), "values": values,
            "preamble": _PREAMBLES.get(form, "")}


PUBLISHER = """\
# The publisher's own facts; every record under this folder is published under its name.
name:
  zh: 【发布单位名称】
  en: '[Publisher name in English]'
show_contact_person: false     # show 项目负责人 on pages (personal data)
"""

# The skeleton's stand-in words, read from the skeleton itself so the two cannot drift:
# 【…】 in Chinese and '[…]' in English, brackets no form prints (项目名称 itself is a real
# label in some forms). `sitegen check` names any left in a record (checks.py), so a
# skeleton cannot be published as it was written.
PLACEHOLDERS = frozenset(
    stand_in for match in re.finditer(r"(【[^】…]+】)|'(\[[^\]]+\])'",
                                      RECORD + PUBLISHER + "".join(_PREAMBLES.values()))
    for stand_in in match.groups() if stand_in)


def form_problem(form: str, forms: tuple[str, ...]) -> str | None:
    """Why `--form` names no known form family (sitegen/data/forms.yaml), if it does not."""
    if form in forms:
        return None
    guess = difflib.get_close_matches(form, forms, n=1, cutoff=0.5)
    hint = f"did you mean '{guess[0]}'? " if guess else ""
    return f"there is no form family '{form}': {hint}choose one of {', '.join(forms)}"


def write_skeleton(project: Project, publisher: str, year: int, record_id: str,
                   form: str, forms: tuple[str, ...]) -> tuple[list[Path], str | None]:
    """Create the record (and the publisher file if new); returns paths or a refusal."""
    for problem in (publisher_name_problem(publisher), year_folder_problem(year),
                    record_name_problem(record_id), form_problem(form, forms)):
        if problem:
            return [], problem
    folder = project.content_dir / publisher
    record = folder / str(year) / f"{record_id}.yaml"
    if record.exists():
        return [], f"{record} already exists; choose another id or edit it"
    written = []
    if not (folder / "publisher.yaml").exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "publisher.yaml").write_text(PUBLISHER, encoding="utf-8")
        written.append(folder / "publisher.yaml")
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(RECORD.format(publisher=publisher, year=year, record_id=record_id,
                                    form=form, **_indicator_layout(form)), encoding="utf-8")
    written.append(record)
    return written, None
