"""`sitegen new`: a commented skeleton record that already passes `sitegen check`.

It is laid out as the form family the editor names — its title, project facts, text rows,
funding tables, goals, indicator headings and level names — from that family's
`skeleton` in sitegen/data/forms.yaml, not one layout for all. It starts as a draft, so an
editor can preview it while filling it in without it being published by accident.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from .glossary import FormFamily, load_forms
from .importers.emit import scalar
from .model import PERSONAL_FACTS
from .project import Project
from .values import publisher_name_problem, record_name_problem, year_folder_problem

HEAD = """\
# {publisher}/{year}/{record_id}.yaml: a performance target table (绩效目标表) on the form
# {form_name}.
# Fill in every field, replacing each 【…】 and [...]; `sitegen check` tells you what is
# missing or wrong. Captions, labels, headings and level names are the form's own: keep
# those the table prints and delete the rows and levels it does not have.
# The record format is described in docs/record-format.md.
kind: target-table
"""
# The English stand-ins beside the Chinese ones: the editor translates every text.
PROJECT_NAME = ("【项目名称】", "[Project name]")
INDICATOR_NAME = ("【指标名称】", "[Indicator name]")
PREAMBLE_TITLE = ("【申报文本的标题】", "[Title of the application text]")
TEXT_IN_ENGLISH = "[The text in English]"
COMMENT_COLUMN = 31

PUBLISHER = """\
# The publisher's own facts; every record under this folder is published under its name.
name:
  zh: 【发布单位名称】
  en: '[Publisher name in English]'
show_contact_person: false     # show 项目负责人 on pages (personal data)
"""


def skeleton_record(form: FormFamily, families: list[str], publisher: str, year: int,
                    record_id: str) -> str:
    """The commented record `sitegen new` writes for `form`'s family."""
    spec = form.skeleton
    lines = [HEAD.format(publisher=publisher, year=year, record_id=record_id,
                         form_name=form.name.zh).rstrip("\n"),
             _commented(f"form: {form.id}", " | ".join(families)),
             _commented(f"title: {_scalar(form.title)}", "the form's title as printed"),
             f"year: {year}",
             _commented("draft: true", "remove this line (or write false) to publish"),
             *_project(form, year)]
    if "preamble" in spec:
        lines += _preamble(spec["preamble"])
    if spec.get("narrative"):
        lines += ["", _commented("narrative:", "text rows of the form, in form order")]
        lines += [line for label in spec["narrative"] for line in _section(2, label)]
    lines += _funding(spec["funding"], year)
    lines += _goals(spec["goals"], year)
    lines += _indicators(spec["indicators"], year)
    return "\n".join(lines) + "\n"


def _project(form: FormFamily, year: int) -> list[str]:
    lines = ["", "project:", "  name:",
             _commented(f"    zh: {PROJECT_NAME[0]}", "项目名称, as printed"),
             _commented(f"    en: '{PROJECT_NAME[1]}'", "English translation")]
    for key, value in form.skeleton["facts"].items():
        label = form.fact_labels[key]
        # Personal data is written as a comment, not a stand-in: the check of stand-ins
        # leaves personal names alone and would not catch one left in.
        if key in PERSONAL_FACTS:
            lines += [f"  # {label} is personal data: pages show it only where publisher.yaml",
                      "  # says show_contact_person: true. Remove the # to give it.",
                      f"  # {key}: 【{label}】"]
        else:
            lines.append(_commented(f"  {key}: {_scalar(value or f'【{label}】', year)}",
                                    label))
    return lines


def _preamble(sections: list[Any]) -> list[str]:
    lines = ["", _commented("preamble:", "the application text printed above the table"),
             *_bilingual(2, "title", PREAMBLE_TITLE),
             _commented("  sections:", "one per heading, in form order")]
    for section in sections:
        lines += _section(4, section)
    return lines


def _section(indent: int, section: str | dict[str, Any]) -> list[str]:
    """A text row (`- label:` and its text), or a row of facts (label and value pairs)."""
    entry = _entry(section, "label")
    pad = " " * indent
    lines = [f"{pad}- label: {_scalar(entry['label'])}"]
    if "facts" not in entry:
        return lines + _bilingual(indent + 2, "text",
                                  (f"【{entry['label']}的文字】", TEXT_IN_ENGLISH))
    lines.append(_commented(f"{pad}  facts:", "label and value pairs, as printed"))
    for fact in entry["facts"]:
        lines += [f"{pad}    - label: {_scalar(fact)}",
                  f"{pad}      value: {_scalar(f'【{fact}】')}"]
    return lines


def _funding(tables: list[dict[str, Any]], year: int) -> list[str]:
    lines = ["", _commented("funding:", "the form's funding tables, in form order")]
    for table in tables:
        lines.append(f"  - caption: {_scalar(table['caption'], year)}")
        lines.append(_commented(f"    unit: {table['unit']}", "as the form prints it"))
        if "kind" in table:
            lines.append(f"    kind: {table['kind']}")
        if "columns" in table:
            lines.append(_commented(f"    columns: {_flow(table['columns'])}",
                                    "one amount per column, in order"))
        if "total_column" in table:
            lines.append(_commented(f"    total_column: {_scalar(table['total_column'])}",
                                    "the sum of the other columns"))
        lines.append(_commented("    rows:", "leave a blank cell's amount out"))
        for row in table["rows"]:
            lines += _funding_row(6, row, len(table.get("columns", [None])))
    return lines


def _funding_row(indent: int, row: str | dict[str, Any], columns: int) -> list[str]:
    entry = _entry(row, "label")
    pad = " " * indent
    amounts = ("amount: 0.00" if columns == 1 else
               f"amounts: {_flow(['0.00'] * columns)}")
    lines = [f"{pad}- label: {_scalar(entry['label'])}", f"{pad}  {amounts}"]
    if entry.get("parts"):
        lines.append(_commented(f"{pad}  parts:", "rows that add up to this one"))
        for part in entry["parts"]:
            lines += _funding_row(indent + 4, part, columns)
    return lines


def _goals(goals: list[str | dict[str, Any]], year: int) -> list[str]:
    lines = ["", _commented("goals:", "绩效目标, in form order")]
    for goal in goals:
        entry = _entry(goal, "label")
        lines.append(f"  - label: {_scalar(entry['label'])}")
        if "span" in entry:
            lines.append(_commented(f"    span: {_scalar(entry['span'], year)}", "as printed"))
        lines += _bilingual(4, "text", (f"【{entry['label']}的文字】", TEXT_IN_ENGLISH))
    return lines


def _indicators(spec: dict[str, Any], year: int) -> list[str]:
    targets = spec["targets"]
    example = json.dumps(spec["example_value"], ensure_ascii=False)
    value = (f"value: {example}" if len(targets) == 1 else
             f"values: [{', '.join([example] * len(targets))}]")
    lines = ["", "indicators:"]
    if "caption" in spec:
        lines.append(f"  caption: {_text(spec['caption'], year)}")
    lines += [f"  headers: {_flow(spec['headers'])}",
              _commented(f"  targets: {_flow(targets)}", "one heading per target column"),
              "  # The form's levels, an indicator under each to copy for more. Quote values",
              "  # (≥90(%), =20(次), 提升 …), one per target column.",
              "  first_levels:"]
    for first in spec["first_levels"]:
        entry = _entry(first, "name")
        lines += [f"    - name: {_scalar(entry['name'])}", "      second_levels:"]
        for second in entry["second_levels"]:
            lines += [f"        - name: {_scalar(second)}", "          indicators:",
                      "            - name:",
                      f"                zh: {INDICATOR_NAME[0]}",
                      f"                en: '{INDICATOR_NAME[1]}'",
                      f"              {value}"]
    return lines


def _bilingual(indent: int, key: str, stand_in: tuple[str, str]) -> list[str]:
    pad = " " * indent
    return [f"{pad}{key}:", f"{pad}  zh: {stand_in[0]}", f"{pad}  en: '{stand_in[1]}'"]


def _entry(item: str | dict[str, Any], key: str) -> dict[str, Any]:
    """forms.yaml writes an entry with nothing but its label as the bare label."""
    return item if isinstance(item, dict) else {key: item}


def _scalar(text: str, year: int | None = None) -> str:
    """`text` as a YAML scalar, `{year}` in it replaced; quoted where YAML needs it (as
    the importer writes them)."""
    return scalar(text if year is None else text.replace("{year}", str(year)))


def _text(text: str | dict[str, str], year: int) -> str:
    """A text as YAML: Chinese alone, or both languages where no glossary term fits
    (a caption with the year in it)."""
    if isinstance(text, str):
        return _scalar(text, year)
    return f"{{zh: {_scalar(text['zh'], year)}, en: {_scalar(text['en'], year)}}}"


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(_scalar(item) for item in items) + "]"


def _commented(line: str, comment: str) -> str:
    """`line` with its comment in the comment column, Chinese counted as two columns wide
    as editors' fonts show it."""
    width = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)
    return f"{line}{' ' * max(COMMENT_COLUMN - 1 - width, 1)} # {comment}"


def _stand_ins(text: str) -> set[str]:
    return {stand_in for match in re.finditer(r"(【[^】…]+】)|'(\[[^\]]+\])'", text)
            for stand_in in match.groups() if stand_in}


# The skeleton's stand-in words, read from the skeletons themselves so the two cannot
# drift: 【…】 in Chinese and '[…]' in English, brackets no form prints (项目名称 itself is a
# real label in some forms). `sitegen check` names any left in a record (checks.py), so a
# skeleton cannot be published as it was written.
_FORMS = load_forms()
PLACEHOLDERS = frozenset(_stand_ins(PUBLISHER + "".join(
    skeleton_record(form, list(_FORMS), "publisher", 2000, "record")
    for form in _FORMS.values() if form.skeleton and form.title)))


def form_problem(form: str, forms: dict[str, FormFamily]) -> str | None:
    """Why `--form` names no form family of sitegen/data/forms.yaml with a skeleton, if
    it does not."""
    if form in forms:
        if forms[form].skeleton and forms[form].title:
            return None
        return (f"the form family '{form}' has no skeleton: give it a `title` and a "
                "`skeleton` in sitegen/data/forms.yaml, as the other families have")
    names = tuple(sorted(forms))
    guess = difflib.get_close_matches(form, names, n=1, cutoff=0.5)
    hint = f"did you mean '{guess[0]}'? " if guess else ""
    return f"there is no form family '{form}': {hint}choose one of {', '.join(names)}"


def write_skeleton(project: Project, publisher: str, year: int, record_id: str,
                   form: str, forms: dict[str, FormFamily]) -> tuple[list[Path], str | None]:
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
    record.write_text(skeleton_record(forms[form], list(forms), publisher, year, record_id),
                      encoding="utf-8")
    written.append(record)
    return written, None
