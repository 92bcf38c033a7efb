"""Which parts of a record have no English yet: warnings with positions, and coverage.

A text counts as translated when the record gives its English (`{zh:, en:}`) or the
glossary knows it as a standard term; a target value when its English can be built from
its parts (or the record gives it). Missing English is a warning (an error under
`sitegen check --strict`); the English page then shows the Chinese, marked as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .errors import Diagnostics, Position
from .glossary import Glossary
from .localize import english_value
from .model import TargetTable, Text

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")  # a text without Chinese needs no translation


def record_texts(table: TargetTable) -> Iterator[tuple[str, Text]]:
    """Every text of a table with the field it fills, in form order."""
    yield "title", table.title
    yield "project.name", table.project.name
    for key, value in table.project.facts.items():
        if key not in ("start", "end", "contact_person"):
            yield f"project.{key}", value
    if table.preamble:
        yield "preamble.title", table.preamble.title
    for section in (table.preamble.sections if table.preamble else ()) + table.narrative:
        yield "label", section.label
        if section.text:
            yield f"{section.label} text", section.text
        for fact in section.facts:
            yield "fact label", fact.label
            yield f"{fact.label}", fact.value
    for funding in table.funding:
        yield "funding caption", funding.caption
        yield from (("funding column", column) for column in funding.columns)
        stack = list(funding.rows)
        while stack:
            row = stack.pop(0)
            yield "funding row", row.label
            stack[:0] = row.parts
    for goal in table.goals:
        yield "goal label", goal.label
        yield f"{goal.label} text", goal.text
    indicators = table.indicators
    yield from (("indicator header", header) for header in indicators.headers)
    yield from (("target column", target) for target in indicators.targets)
    if indicators.caption:
        yield "indicator caption", indicators.caption
    for first in indicators.first_levels:
        if first.name:
            yield "first level", first.name
        for second in first.second_levels:
            if second.name:
                yield "second level", second.name
            for indicator in second.indicators:
                yield "indicator", indicator.name
    for note in _notes(table):
        yield "note", note


def _notes(table: TargetTable) -> Iterator[Text]:
    yield from table.notes
    for funding in table.funding:
        if funding.note:
            yield funding.note
    for section in table.narrative:
        if section.note:
            yield section.note
    for first, second, indicator in table.indicators.indicators():
        for note in (first.note, second.note, indicator.note, indicator.missing):
            if note:
                yield note


def audit_translations(table: TargetTable, glossary: Glossary, diagnostics: Diagnostics
                       ) -> tuple[int, int]:
    """Warn about every text and value with no English; returns (translated, total)."""
    translated = total = 0
    reported: set[str] = set()
    for field, text in record_texts(table):
        total += 1
        if text.en or glossary.english(text.zh) or not CJK.search(text.zh):
            translated += 1
        elif text.zh not in reported:  # a repeated label is reported once per record
            reported.add(text.zh)
            diagnostics.warning(
                text.position or Position(table.source_path),
                f"no English for the {field} '{_short(text.zh)}': write it as "
                "{zh: …, en: …}, or add the term to sitegen/data/glossary.yaml",
                "missing-translation")
    for _first, _second, indicator in table.indicators.indicators():
        for value in indicator.values:
            if value is None:
                continue
            total += 1
            if english_value(value, glossary):
                translated += 1
            else:
                diagnostics.warning(
                    indicator.position or Position(table.source_path),
                    f"no English for the value '{value.raw}' of '{_short(indicator.name.zh)}': "
                    "write it as {zh: …, en: …}, or add its word or unit to the glossary",
                    "missing-translation")
    return translated, total


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
