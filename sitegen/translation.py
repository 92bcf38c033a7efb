"""Which parts of a record have no English yet: warnings with positions, and coverage.

A text counts as translated when the record gives its English (`{zh:, en:}`) or the
glossary knows it as a standard term; a target value when its English can be built from
its parts (or the record gives it). Missing English is a warning (an error under
`sitegen check --strict`); the English page then shows the Chinese, marked as such.
Target tables and evaluation reports are audited alike: a report's tables, scored
indicators (with 指标解释 and 指标说明), stated figures' words, body and notes.
"""

from __future__ import annotations

from collections.abc import Iterator

from .errors import Diagnostics, Position
from .evaluation import Block, EvaluationReport, Section, StatedFigures
from .glossary import Glossary
from .localize import english_value
from .markup import CJK
from .model import IndicatorTable, IndicatorValue, TargetTable, Text
from .skeleton import PLACEHOLDERS


def record_texts(table: TargetTable) -> list[tuple[str, Text]]:
    """Every text of a table with the field it fills, in form order.

    A list made with appends, not a generator of generators: it is walked twice for each
    record (here and by the placeholder check), and handing each of a table's ~150 texts
    up through three generators cost as much as the checks themselves."""
    texts = [("title", table.title), ("project.name", table.project.name)]
    add = texts.append
    for key, value in table.project.facts.items():
        if key not in ("start", "end", "contact_person"):
            add((f"project.{key}", value))
    if table.preamble:
        add(("preamble.title", table.preamble.title))
    for section in (table.preamble.sections if table.preamble else ()) + table.narrative:
        add(("label", section.label))
        if section.text:
            add((f"{section.label} text", section.text))
        for fact in section.facts:
            add(("fact label", fact.label))
            add((f"{fact.label}", fact.value))
    for funding in table.funding:
        add(("funding caption", funding.caption))
        texts.extend(("funding column", column) for column in funding.columns)
        stack = list(funding.rows)
        while stack:
            row = stack.pop(0)
            add(("funding row", row.label))
            stack[:0] = row.parts
    for goal in table.goals:
        add(("goal label", goal.label))
        add((f"{goal.label} text", goal.text))
    texts += _indicator_texts(table.indicators)
    texts.extend(("note", note) for note in _notes(table))
    return texts


def _indicator_texts(indicators: IndicatorTable) -> list[tuple[str, Text]]:
    texts = [("indicator header", header) for header in indicators.headers]
    texts.extend(("target column", target) for target in indicators.targets)
    add = texts.append
    if indicators.caption:
        add(("indicator caption", indicators.caption))
    for first in indicators.first_levels:
        if first.name:
            add(("first level", first.name))
        for second in first.second_levels:
            if second.name:
                add(("second level", second.name))
            for indicator in second.indicators:
                add(("indicator", indicator.name))
    return texts


def _notes(table: TargetTable) -> list[Text]:
    notes = list(table.notes)
    notes.extend(funding.note for funding in table.funding if funding.note)
    notes.extend(section.note for section in table.narrative if section.note)
    return notes + _indicator_notes(table.indicators)


def _indicator_notes(indicators: IndicatorTable) -> list[Text]:
    notes = []
    add = notes.append
    for first in indicators.first_levels:
        for second in first.second_levels:
            for indicator in second.indicators:
                # In the order the rows print them: a level's note on each of its rows.
                if first.note:
                    add(first.note)
                if second.note:
                    add(second.note)
                if indicator.note:
                    add(indicator.note)
                if indicator.missing:
                    add(indicator.missing)
    return notes


def report_texts(report: EvaluationReport) -> Iterator[tuple[str, Text | None]]:
    """Every text of an evaluation report with the field it fills, in record order."""
    project = report.project
    yield "title", report.title
    yield "project.name", project.name
    yield "project.competent_department", project.competent_department
    yield "project.executing_department", project.executing_department
    yield "project.evaluator", project.evaluator
    yield "project.evaluation_period", project.evaluation_period
    if units := report.implementing_units:
        yield "table caption", units.caption
        for row in units.rows:
            yield "implementing unit", row.unit
            yield "unit's duty", row.duty
    if spending := report.spending:
        yield "table caption", spending.caption
        for spent in (*spending.rows, spending.total):
            yield "use of funds", spent.purpose if spent else None
    if execution := report.execution:
        yield "table caption", execution.caption
        yield "execution project", execution.project
        yield from (("execution period", row.period) for row in execution.rows)
    if targets := report.targets:
        yield "table caption", targets.caption
        yield from _indicator_texts(targets.indicators)
        yield from (("note", note) for note in _indicator_notes(targets.indicators))
    yield from _scoring_texts(report)
    yield from _body_texts(report.body)
    yield from (("note", note) for note in report.notes)


def _scoring_texts(report: EvaluationReport) -> Iterator[tuple[str, Text | None]]:
    scoring = report.scoring
    yield "table caption", scoring.caption
    yield from _stated_texts(scoring.total)
    yield from (text for stated in scoring.stated for text in _stated_texts(stated))
    if scoring.appendix:
        yield "table caption", scoring.appendix.caption
        yield from _stated_texts(scoring.appendix.total)
    for first in scoring.first_levels:
        yield "first level", first.name
        yield from _stated_texts(first.appendix)
        yield from (text for stated in first.stated for text in _stated_texts(stated))
        yield "note", first.note
        for second in first.second_levels:
            yield "second level", second.name
            yield "second level (appendix)", second.appendix_name
            yield from (text for stated in second.stated for text in _stated_texts(stated))
            yield "note", second.note
            for indicator in second.indicators:
                yield "indicator", indicator.name
                yield "indicator (appendix)", indicator.appendix_name
                yield f"{_short(indicator.name.zh, 12)} explanation", indicator.explanation
                yield f"{_short(indicator.name.zh, 12)} rule", indicator.rule
                yield "note", indicator.note


def _stated_texts(stated: StatedFigures | None) -> Iterator[tuple[str, Text | None]]:
    if stated is not None:
        yield "stated figures' place", stated.where
        yield "stated figures' words", stated.quote
        yield "total label", stated.label
        yield "note", stated.note


def _body_texts(blocks: tuple[Block, ...]) -> Iterator[tuple[str, Text | None]]:
    for block in blocks:
        if isinstance(block, Section):
            yield "section heading", block.heading
            yield from _body_texts(block.content)
        elif block.kind == "markdown":
            yield "body text", block.text


def _values(record: TargetTable | EvaluationReport
            ) -> Iterator[tuple[Text, IndicatorValue, Position | None]]:
    """Every target value with the name and position of its indicator."""
    if isinstance(record, TargetTable):
        for _first, _second, indicator in record.indicators.indicators():
            for value in filter(None, indicator.values):
                yield indicator.name, value, indicator.position
        return
    if record.targets:
        for _first, _second, indicator in record.targets.indicators.indicators():
            for value in filter(None, indicator.values):
                yield indicator.name, value, indicator.position
    for _first, _second, scored in record.scoring.indicators():
        if scored.value is not None:
            yield scored.name, scored.value, scored.position


def audit_translations(record: TargetTable | EvaluationReport, glossary: Glossary,
                       diagnostics: Diagnostics) -> tuple[int, int]:
    """Warn about every text and value with no English; returns (translated, total)."""
    translated = total = 0
    reported: set[str] = set()
    where = Position(record.source_path)
    texts = (record_texts(record) if isinstance(record, TargetTable)
             else report_texts(record))
    for field, text in texts:
        if text is None:
            continue
        total += 1
        if text.en or glossary.english(text.zh) or not CJK.search(text.zh):
            translated += 1
        # A repeated label is reported once per record; a stand-in of `sitegen new` not at
        # all, since the placeholder check already asks for the text itself.
        elif text.zh not in reported and text.zh not in PLACEHOLDERS:
            reported.add(text.zh)
            diagnostics.warning(
                text.position or where,
                f"no English for the {field} '{_short(text.zh)}': write it as "
                "{zh: …, en: …}, or add the term to sitegen/data/glossary.yaml",
                "missing-translation")
    for name, value, position in _values(record):
        total += 1
        if english_value(value, glossary):
            translated += 1
        # A value that is no figure has had its warning, which asks for its English too.
        elif value.parsed:
            diagnostics.warning(
                position or where,
                f"no English for the value '{value.raw}' of '{_short(name.zh)}': "
                "write it as {zh: …, en: …}, or add its word or unit to the glossary",
                "missing-translation")
    return translated, total


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
