"""Validation of a report's scoring table: levels, scored indicators, and stated figures.

Part of `validate_report`, kept apart because the scoring table is the largest part of a
report. Figures the report states (`total`, `stated`, an appendix heading's weight) are
read into `StatedFigures`; comparing them with the indicators is `checks_report`'s job.
"""

from __future__ import annotations

from decimal import Decimal

from .errors import Diagnostics
from .evaluation import (
    GRADES,
    ScoreAppendix,
    ScoredFirstLevel,
    ScoredIndicator,
    ScoredSecondLevel,
    ScoreTable,
    StatedFigures,
)
from .fields import Fields, read_fields
from .load import Sequence
from .model import IndicatorValue, Text
from .validate import BLANK_SCORED_VALUE, RecordValidator
from .values import parse_amount

FIGURES = ("weight", "score", "rate", "grade")
STATED_FIELDS = ("at", "quote", *FIGURES, "acknowledge", "note")
# Findings on stated figures an editor may acknowledge as the source's own (with a note).
ACKNOWLEDGEABLE = ("score-subtotal", "score-total", "score-rate", "score-grade")
INDICATOR_FIELDS = ("name", "value", "weight", "score", "explanation", "rule", "appendix",
                    "note")
APPENDIX = Text("附件", "Appendix")


def read_number(fields: Fields, key: str, required: bool = True) -> Decimal | None:
    """A plain number (权重分 3, 得分 1.5, 支出金额 22.76) as an exact decimal."""
    text = fields.string(key, required)
    if text is None:
        return None
    number = parse_amount(text)
    if number is None:
        fields.error(key, f"'{fields.field(key)}' is '{text}', which is not a number: write "
                          "digits such as 3, 1.5 or 22.76", "bad-number")
    return number


def read_percent(fields: Fields, key: str, required: bool = False) -> Decimal | None:
    """A percentage as printed (`94.87%`) → 94.87, keeping its decimals for rounding."""
    text = fields.string(key, required)
    if text is None:
        return None
    number = parse_amount(text.rstrip("%％ "))
    if number is None:
        fields.error(key, f"'{fields.field(key)}' is '{text}', which is not a percentage: "
                          "write it as printed, e.g. 94.87%", "bad-number")
    return number


def table_number(fields: Fields) -> Text | None:
    """A table's number as printed (表3-1), with its English (Table 3-1)."""
    number = fields.string("number", required=False)
    return Text(number, number.replace("表", "Table ", 1)) if number else None


class ScoringValidator:
    """Reads `scoring:`; the target-table reader supplies indicator values."""

    def __init__(self, values: RecordValidator, diagnostics: Diagnostics) -> None:
        self.values = values
        self.diagnostics = diagnostics

    def score_table(self, fields: Fields) -> ScoreTable | None:
        table = fields.mapping("scoring", ("number", "caption", "total", "stated", "appendix",
                                           "first_levels"))
        if table is None:
            return None
        caption, number = table.text("caption"), table_number(table)
        firsts = tuple(self.first_levels(table))
        if caption is None:
            return None
        return ScoreTable(caption, firsts, number, self.total_row(table, number or caption),
                          tuple(self.stated(table)), self.appendix(table), table.position())

    # -- stated figures ---------------------------------------------------------------
    def figures(self, item: Fields, where: Text, quote: Text | None,
                label: Text | None = None) -> StatedFigures:
        positions = {key: item.position(key) for key in FIGURES if item.has(key)}
        return StatedFigures(where, quote, label, read_number(item, "weight", False),
                             read_number(item, "score", False), read_percent(item, "rate"),
                             item.choice("grade", GRADES, required=False), positions,
                             self.acknowledged(item), item.text("note", required=False))

    def acknowledged(self, item: Fields) -> tuple[str, ...]:
        """`acknowledge: [score-subtotal]` — the report's own disagreement, kept as printed."""
        codes = tuple(text.zh for text in item.texts("acknowledge", required=False) or ())
        for code in codes:
            if code not in ACKNOWLEDGEABLE:
                item.error("acknowledge", f"'{code}' cannot be acknowledged here; only: "
                                          f"{', '.join(ACKNOWLEDGEABLE)}", "bad-choice")
        if codes and not item.has("note"):
            item.error("acknowledge", "say in a `note` why these figures are published as "
                                      "they are", "missing-field")
        return codes

    def stated(self, level: Fields) -> list[StatedFigures]:
        """`stated:` — figures the report's prose or headings give, each with its words."""
        found = []
        for where, node in level.items("stated"):
            item = read_fields(node, where, self.diagnostics, STATED_FIELDS)
            if item is None:
                continue
            at, quote = item.text("at"), item.text("quote")
            if not any(item.has(key) for key in FIGURES):
                item.error(None, f"'{where}' states no figure: give its weight, score, rate "
                                 "or grade as the report prints them", "missing-field")
            if at and quote:
                found.append(self.figures(item, at, quote))
        return found

    def total_row(self, table: Fields, where: Text) -> StatedFigures | None:
        """A table's printed total row: `{label: 合计, weight: 100, score: 91}`."""
        total = table.mapping("total", ("label", *FIGURES, "acknowledge", "note"),
                              required=False)
        if total is None:
            return None
        return self.figures(total, where, None, total.text("label"))

    def appendix(self, table: Fields) -> ScoreAppendix | None:
        appendix = table.mapping("appendix", ("caption", "total"), required=False)
        if appendix is None:
            return None
        caption = appendix.text("caption")
        total = self.total_row(appendix, APPENDIX)
        return ScoreAppendix(caption, total) if caption else None

    def appendix_name(self, level: Fields, allowed: tuple[str, ...] = ("name",)
                      ) -> tuple[Text | None, Fields | None]:
        """`appendix: {name: …}` — how the appendix prints this level, where it differs."""
        appendix = level.mapping("appendix", allowed, required=False)
        return (appendix.text("name") if appendix else None), appendix

    # -- levels and indicators --------------------------------------------------------
    def first_levels(self, table: Fields) -> list[ScoredFirstLevel]:
        found = []
        for where, node in table.items("first_levels", required=True):
            level = read_fields(node, where, self.diagnostics,
                                ("name", "appendix", "stated", "second_levels", "note"))
            if level is None:
                continue
            name = level.text("name")
            appendix_name, appendix = self.appendix_name(
                level, ("name", "weight", "score", "acknowledge", "note"))
            heading = (self.figures(appendix, APPENDIX, appendix_name)
                       if appendix and appendix_name else None)
            seconds = tuple(self.second_levels(level))
            self.not_empty(level, "second_levels", "a first-level indicator")
            if name:
                found.append(ScoredFirstLevel(name, seconds, heading, tuple(self.stated(level)),
                                              level.text("note", required=False)))
        return found

    def second_levels(self, first: Fields) -> list[ScoredSecondLevel]:
        found = []
        for where, node in first.items("second_levels", required=True):
            level = read_fields(node, where, self.diagnostics,
                                ("name", "appendix", "stated", "indicators", "note"))
            if level is None:
                continue
            name = level.text("name")
            appendix_name, _ = self.appendix_name(level)
            indicators = tuple(self.indicators(level))
            self.not_empty(level, "indicators", "a second-level indicator")
            if name:
                found.append(ScoredSecondLevel(name, indicators, appendix_name,
                                               tuple(self.stated(level)),
                                               level.text("note", required=False)))
        return found

    def not_empty(self, level: Fields, key: str, what: str) -> None:
        """A scored level with nothing under it would drop out of the score table (and
        shift its columns): the report scores indicators, not empty headings."""
        # The list itself, not read again through `items`: that would repeat its errors
        # (a value that is not a list) and call such a value empty too.
        entries = level.node_of(key)
        if isinstance(entries, Sequence) and not entries.items:
            level.error(key, f"{what} needs at least one entry under '{key}'", "empty-level")

    def indicators(self, second: Fields) -> list[ScoredIndicator]:
        found = []
        for where, node in second.items("indicators", required=True):
            item = read_fields(node, where, self.diagnostics, INDICATOR_FIELDS)
            if item is None:
                continue
            name = item.text("name")
            weight, score = read_number(item, "weight"), read_number(item, "score")
            value = self.value(item)
            appendix_name, _ = self.appendix_name(item)
            if name and weight is not None and score is not None:
                found.append(ScoredIndicator(
                    name, weight, score, value, item.text("explanation", required=False),
                    item.text("rule", required=False), appendix_name,
                    item.text("note", required=False), item.position("name"),
                    item.position("score")))
        return found

    def value(self, item: Fields) -> IndicatorValue | None:
        node = item.node_of("value")
        return None if node is None else self.values.indicator_value(
            item.field("value"), node, BLANK_SCORED_VALUE)
