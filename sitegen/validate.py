"""Validate stage: positioned nodes → typed records, with every problem as a diagnostic.

One function per part of the form; each reads its fields through `Fields`, which reports
unknown, missing and mistyped fields itself. Rules that compare figures (sums, dates)
live in `checks`; rules across records in `site`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from .errors import Diagnostics, Position
from .fields import Fields, plain_text, read_amount, read_fields, read_text
from .glossary import Glossary, LevelTerm
from .load import Mapping, Node, Scalar, Sequence
from .model import (
    PROJECT_FACT_KEYS,
    Fact,
    FirstLevel,
    FundingRow,
    FundingTable,
    Goal,
    Indicator,
    IndicatorTable,
    IndicatorValue,
    NarrativeSection,
    Preamble,
    ProjectFacts,
    Publisher,
    SecondLevel,
    TargetTable,
    Text,
)
from .skeleton import PLACEHOLDERS
from .values import parse_indicator_value

# Funding rows within rows: the seeds go three deep. A limit, because the data files are
# written by orjson, which stops at 255 levels of nesting (two a funding level).
MAX_FUNDING_DEPTH = 8


def parse_period_bound(text: str, at_end: bool) -> date | None:
    """`2023-01-01` as a date; `2024年` or `2024` as the first (or last) day of that year."""
    match = re.fullmatch(r"(\d{4})年?(?:度)?", text)
    if match:
        return date(int(match[1]), 12, 31) if at_end else date(int(match[1]), 1, 1)
    try:
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


RECORD_FIELDS = ("kind", "form", "title", "year", "source", "draft", "project", "preamble",
                 "narrative", "funding", "goals", "indicators", "notes")
KINDS = ("target-table",)
ACKNOWLEDGEABLE = ("unit-mixup", "blank-total")  # a source's own quirk, published as filed


def validate_publisher(node: Node | None, publisher_id: str, path: str,
                       diagnostics: Diagnostics) -> Publisher | None:
    if node is None:
        diagnostics.error(Position(path), "publisher.yaml is empty: give at least `name`")
        return None
    fields = read_fields(node, "", diagnostics, ("name", "region", "show_contact_person"))
    if fields is None:
        return None
    name = fields.text("name")
    region = fields.text("region", required=False)
    show = fields.boolean("show_contact_person")
    return Publisher(publisher_id, name, region, show, path) if name else None


# How each place holding a target value is written when the source gives none: said by
# the error for an empty value (""), which would be published as an unexplained blank.
BLANK_VALUE = "or `missing: <why>` instead of `value` if the source lost it"
BLANK_IN_VALUES = ("`~` for a cell the source prints blank, or `missing: <why>` instead of "
                   "`values` if the source lost them")
BLANK_SCORED_VALUE = "or leave `value` out if the report gives no target"


class RecordValidator:
    """Reads one target-table record; collects diagnostics instead of stopping."""

    def __init__(self, glossary: Glossary, diagnostics: Diagnostics) -> None:
        self.glossary = glossary
        self.diagnostics = diagnostics
        self.qualitative = glossary.qualitative_words
        self.figures_lost = False  # in the funding table being read: see funding()

    def record(self, node: Node | None, *, record_id: str, publisher: Publisher,
               folder_year: int, path: str) -> TargetTable | None:
        if node is None:
            self.diagnostics.error(Position(path), "this record is empty: start from "
                                   "`sitegen new` or docs/record-format.md", "empty")
            return None
        fields = read_fields(node, "", self.diagnostics, RECORD_FIELDS)
        if fields is None:
            return None
        fields.choice("kind", KINDS)
        form = fields.choice("form", tuple(self.glossary.forms))
        year = self._year(fields, folder_year)
        title = fields.text("title")
        project = self.project(fields, year)
        indicators = self.indicator_table(fields)
        parts = dict(
            preamble=self.preamble(fields),
            narrative=tuple(self.sections(fields, "narrative")),
            funding=tuple(self.funding(fields)),
            goals=tuple(self.goals(fields)),
            notes=tuple(self.texts(fields, "notes")),
            draft=fields.boolean("draft"),
            source=fields.string("source", required=False),
        )
        if None in (form, year, title, project, indicators):
            return None
        return TargetTable(id=record_id, publisher=publisher, year=year, form=form,
                           title=title, project=project, indicators=indicators,
                           source_path=path, **parts)

    # -- header and project facts -----------------------------------------------------
    def _year(self, fields: Fields, folder_year: int) -> int | None:
        year = fields.integer("year")
        if year is not None and year != folder_year:
            fields.error("year", f"year is {year} but the record is in the folder "
                                 f"{folder_year}/: move the file or correct the year",
                         "year-folder")
        return year

    def project(self, fields: Fields, year: int | None) -> ProjectFacts | None:
        project = fields.mapping("project", ("name", *PROJECT_FACT_KEYS))
        if project is None:
            return None
        name = project.text("name")
        facts = {key: value for key in PROJECT_FACT_KEYS
                 if (value := project.text(key, required=False)) is not None}
        # A skeleton's stand-in (【是或否】) is the placeholder check's: a warning in a draft.
        procurement = facts.get("government_procurement")
        if procurement is not None and procurement.zh not in PLACEHOLDERS:
            project.choice("government_procurement", ("是", "否"))
        self.check_period(project, {k: v.zh for k, v in facts.items()}, year)
        return ProjectFacts(name, facts) if name else None

    def check_period(self, project: Fields, facts: dict[str, str], year: int | None) -> None:
        """Start and end are dates (or years), start ≤ end, and the budget year is inside."""
        bounds = {}
        for key in ("start", "end"):
            if key in facts:
                bounds[key] = parse_period_bound(facts[key], at_end=key == "end")
                if bounds[key] is None:
                    project.error(key, f"'{project.field(key)}' is '{facts[key]}', which is not "
                                       "a date: write 2023-01-01, or 2024年 for a whole year",
                                  "bad-date")
        start, end = bounds.get("start"), bounds.get("end")
        if start and end and start > end:
            project.error("end", f"the project ends ({facts['end']}) before it starts "
                                 f"({facts['start']}): swap or correct the dates", "date-order")
        if year is not None:
            for key, bound in bounds.items():
                if bound and bound.year != year:
                    project.error(key, f"'{project.field(key)}' {facts[key]} is outside the "
                                       f"record's year {year}: correct the date or the year",
                                  "date-year")

    # -- narrative, preamble, goals ---------------------------------------------------
    def sections(self, fields: Fields, key: str) -> list[NarrativeSection]:
        found = []
        for where, node in fields.items(key):
            section = read_fields(node, where, self.diagnostics, ("label", "text", "facts",
                                                                  "note"))
            if section is None:
                continue
            label = section.text("label")
            text = section.text("text", required=not section.has("facts"))
            facts = tuple(self.facts(section))
            if label:
                found.append(NarrativeSection(label, text, facts,
                                              section.text("note", required=False)))
        return found

    def facts(self, section: Fields) -> list[Fact]:
        found = []
        for where, node in section.items("facts"):
            fact = read_fields(node, where, self.diagnostics, ("label", "value"))
            if fact is None:
                continue
            label, value = fact.text("label"), fact.text("value")
            if label and value:
                found.append(Fact(label, value))
        return found

    def preamble(self, fields: Fields) -> Preamble | None:
        preamble = fields.mapping("preamble", ("title", "sections"), required=False)
        if preamble is None:
            return None
        title = preamble.text("title")
        return Preamble(title, tuple(self.sections(preamble, "sections"))) if title else None

    def goals(self, fields: Fields) -> list[Goal]:
        found = []
        for where, node in fields.items("goals"):
            goal = read_fields(node, where, self.diagnostics, ("label", "span", "text", "note"))
            if goal is None:
                continue
            label, text = goal.text("label"), goal.text("text")
            if label and text:
                found.append(Goal(label, text, goal.string("span", required=False),
                                  goal.text("note", required=False)))
        return found

    def texts(self, fields: Fields, key: str) -> list[Text]:
        found = []
        for where, node in fields.items(key):
            text = read_text(node, where, self.diagnostics)
            if text:
                found.append(text)
        return found

    # -- funding ----------------------------------------------------------------------
    def funding(self, fields: Fields) -> list[FundingTable]:
        found = []
        for where, node in fields.items("funding"):
            table = read_fields(node, where, self.diagnostics,
                                ("caption", "unit", "columns", "total_column", "kind", "rows",
                                 "note", "acknowledge"))
            self.figures_lost = False
            funding = self.funding_table(table) if table is not None else None
            # A table missing a figure that did not read (an amount that is not one, a
            # row left out) is left out of the record's sums (checks.py): made without
            # it, they would report a total or a blank that is not in the file. The
            # record is not published anyway; they are checked once every figure reads.
            if funding is not None and not self.figures_lost:
                found.append(funding)
        return found

    def funding_table(self, table: Fields) -> FundingTable | None:
        caption = table.text("caption")
        unit = table.choice("unit", ("元", "万元"))
        columns = tuple(table.texts("columns", required=False) or (Text("金额"),))
        labels = [column.zh for column in columns]
        total_column = None
        if (total_label := table.string("total_column", required=False)) is not None:
            if total_label in labels:
                total_column = labels.index(total_label)
            else:
                table.error("total_column", f"total_column '{total_label}' is not one of the "
                                            f"columns: {', '.join(labels)}", "bad-choice")
        kind = table.choice("kind", ("income", "expenditure"), required=False)
        rows = tuple(self.funding_rows(table, "rows", len(columns), required=True))
        if not (caption and unit):
            return None
        acknowledged = tuple(t.zh for t in table.texts("acknowledge", required=False) or ())
        for code in acknowledged:
            if code not in ACKNOWLEDGEABLE:
                table.error("acknowledge", f"'{code}' cannot be acknowledged; only: "
                                           f"{', '.join(ACKNOWLEDGEABLE)}", "bad-choice")
        if acknowledged and not table.has("note"):
            table.error("acknowledge", "say in a `note` on this table why the figures are "
                                       "published as they are", "missing-field")
        return FundingTable(caption, unit, columns, rows, total_column, kind,  # type: ignore[arg-type]
                            table.text("note", required=False), table.position(), acknowledged)

    def funding_rows(self, table: Fields, key: str, width: int, required: bool = False,
                     depth: int = 1) -> list[FundingRow]:
        found = []
        for where, node in table.items(key, required):
            row = read_fields(node, where, self.diagnostics,
                              ("label", "amount", "amounts", "parts", "note"))
            if row is None:
                self.figures_lost = True
                continue
            label = row.text("label")
            amounts = self.row_amounts(row, width)
            parts: tuple[FundingRow, ...] = ()
            below = row.node_of("parts")
            empty = isinstance(below, Sequence) and not below.items  # `parts: []`
            if below is not None and not empty and depth >= MAX_FUNDING_DEPTH:
                row.error("parts", f"'{row.field('parts')}' nests funding rows more than "
                                   f"{MAX_FUNDING_DEPTH} levels deep; forms print two or three "
                                   "(a total, its parts, theirs): list deeper rows beside "
                                   "their parent instead", "funding-depth")
            else:
                parts = tuple(self.funding_rows(row, "parts", width, depth=depth + 1))
            if label and amounts is not None:
                found.append(FundingRow(label, amounts, parts, row.text("note", required=False),
                                        row.position("label")))
            else:
                self.figures_lost = True
        return found

    def row_amounts(self, row: Fields, width: int) -> tuple[Decimal | None, ...] | None:
        """The row's amounts, None in a blank cell; an error reading them (an amount that
        is not one, two ways of giving them) sets `figures_lost`."""
        said = len(self.diagnostics.items)
        amounts = self._row_amounts(row, width)
        if any(d.severity == "error" for d in self.diagnostics.items[said:]):
            self.figures_lost = True
        return amounts

    def _row_amounts(self, row: Fields, width: int) -> tuple[Decimal | None, ...] | None:
        if row.has("amounts"):
            if row.has("amount"):
                row.error("amount", "give either `amount` or `amounts`, not both")
            amounts = [read_amount(node, where, self.diagnostics)
                       for where, node in row.items("amounts")]
            if len(amounts) != width:
                row.error("amounts", f"'{row.field('amounts')}' has {len(amounts)} amounts but "
                                     f"the table has {width} columns: give one per column, "
                                     "~ for a blank cell", "column-count")
                return None
            return tuple(amounts)
        if width != 1 and row.has("amount"):
            row.error("amount", f"this table has {width} columns: write `amounts: [..]` with "
                                "one amount per column", "column-count")
            return None
        return (row.amount("amount"),) + (None,) * (width - 1)

    # -- indicators -------------------------------------------------------------------
    def indicator_table(self, fields: Fields) -> IndicatorTable | None:
        table = fields.mapping("indicators", ("caption", "headers", "targets", "first_levels"))
        if table is None:
            return None
        headers = table.texts("headers") or []
        if comma := full_width_comma(table.node_of("headers")):
            self.diagnostics.error(comma[0].position, _comma_message("headers", comma),
                                   "full-width-comma")
        elif len(headers) != 3:
            table.error("headers", "indicators.headers must name the three level columns as "
                                   "printed, e.g. [一级指标, 二级指标, 三级指标]", "column-count")
        targets = tuple(table.texts("targets") or ())
        if comma := full_width_comma(table.node_of("targets")):
            # Not also each indicator's "has 2 values but the table has 1 target columns".
            self.diagnostics.error(comma[0].position, _comma_message("targets", comma),
                                   "full-width-comma")
            return None
        firsts = tuple(self.first_levels(table, len(targets)))
        if len(headers) != 3 or not targets:
            return None
        return IndicatorTable(tuple(headers), targets, firsts,  # type: ignore[arg-type]
                              table.text("caption", required=False), self.level_set(firsts))

    def level_set(self, firsts: tuple[FirstLevel, ...]) -> str | None:
        """The known set most first levels belong to (`mof`, `shanghai-2020`, …)."""
        counts: dict[str, int] = {}
        for first in firsts:
            term = self.glossary.level(1, first.name.zh) if first.name else None
            if term:
                counts[term.level_set] = counts.get(term.level_set, 0) + 1
        return max(counts, key=lambda name: counts[name]) if counts else None

    def _level(self, node: Node, where: str, children: str) -> tuple[Fields | None, Text | None]:
        level = read_fields(node, where, self.diagnostics, ("name", children, "note"))
        if level is None:
            return None, None
        name = level.text("name", required=False)
        if name is None and not level.has("note"):
            level.error(None, f"'{where}' has no name: if the source gives none, say so in a "
                              "`note` on this level", "missing-field")
        return level, name

    def level_term(self, level: Fields, depth: int, name: Text | None) -> LevelTerm | None:
        """The standard level a name stands for; a name that is none but nearly one is
        warned about, as the typo it most likely is (levels are free text, so not an
        error)."""
        if name is None:
            return None
        known = self.glossary.level(depth, name.zh)
        if known is None and (close := self.glossary.closest_level(depth, name.zh)):
            level.warning("name", f"'{level.field('name')}' is '{name.zh}', which is not a "
                                  f"standard level name: did you mean '{close}'? (A level "
                                  "name of the form's own is fine as it is.)", "level-name")
        return known

    def first_levels(self, table: Fields, width: int) -> list[FirstLevel]:
        found = []
        for where, node in table.items("first_levels", required=True):
            level, name = self._level(node, where, "second_levels")
            if level is None:
                continue
            seconds = tuple(self.second_levels(level, width))
            known = self.level_term(level, 1, name)
            found.append(FirstLevel(name, seconds, level.text("note", required=False),
                                    known.key if known else None))
        return found

    def second_levels(self, first: Fields, width: int) -> list[SecondLevel]:
        found = []
        for where, node in first.items("second_levels", required=True):
            level, name = self._level(node, where, "indicators")
            if level is None:
                continue
            indicators = tuple(self.indicators(level, width))
            known = self.level_term(level, 2, name)
            found.append(SecondLevel(name, indicators, level.text("note", required=False),
                                     known.key if known else None))
        return found

    def indicators(self, second: Fields, width: int) -> list[Indicator]:
        found = []
        if not second.written("indicators"):
            second.error(None, f"missing field '{second.field('indicators')}': list the "
                               "indicators, or `indicators: []` for a level printed empty",
                         "missing-field")
        for where, node in second.items("indicators"):
            if plain := self.plain_indicator(node, width):
                found.append(plain)
                continue
            item = read_fields(node, where, self.diagnostics,
                               ("name", "value", "values", "missing", "note"))
            if item is None:
                continue
            name = item.text("name")
            missing = item.text("missing", required=False)
            values = self.indicator_values(item, width, missing is not None)
            if name and values is not None:
                found.append(Indicator(name, values, missing, item.text("note", required=False),
                                       item.position("name")))
        self.repeated_indicators(found)
        return found

    def repeated_indicators(self, indicators: list[Indicator]) -> None:
        """A row pasted twice into a group: questioned, unless a note says the source
        prints it twice."""
        first_seen: dict[str, Indicator] = {}
        for indicator in indicators:
            earlier = first_seen.setdefault(indicator.name.zh, indicator)
            if earlier is not indicator and not (earlier.note or indicator.note):
                line = earlier.position.line if earlier.position else "?"
                self.diagnostics.warning(
                    indicator.position or Position(""),
                    f"the indicator '{indicator.name.zh}' is already in this group, on line "
                    f"{line}: remove the copy, or, if the source prints it twice, say so in "
                    "a `note` on it", "repeated-indicator")

    def plain_indicator(self, node: Node, width: int) -> Indicator | None:
        """`{name: …, value: …}` (or `values: [...]`), as nearly every indicator is
        written, read the short way when the long way would find nothing to say about
        it: a name, and values that all parse. None sends anything else the long way (a
        test holds the two ways together). A table has forty of them: the long way, with
        a Fields for each, was a tenth of a build."""
        if node.__class__ is not Mapping or len(node.values) != 2:  # type: ignore[union-attr]
            return None
        given = node.values  # type: ignore[union-attr]
        if (name := plain_text(given.get("name"))) is None:
            return None
        if (written := given.get("values")).__class__ is Sequence:
            value_nodes = written.items  # type: ignore[union-attr]
        elif width == 1 and (written := given.get("value")) is not None:
            value_nodes = [written]
        else:
            return None
        if len(value_nodes) != width:
            return None
        values = []
        for value_node in value_nodes:
            if value_node.__class__ is not Scalar or value_node.is_null:
                return None
            value = parse_indicator_value(value_node.text.strip(), self.qualitative)
            if not value.parsed:
                return None
            values.append(value)
        return Indicator(name, tuple(values), None, None,
                         node.position_of("name"))  # type: ignore[union-attr]

    def indicator_values(self, item: Fields, width: int, missing: bool
                         ) -> tuple[IndicatorValue | None, ...] | None:
        if missing:
            for key in ("value", "values"):
                if item.has(key):
                    item.error(key, "an indicator marked `missing` has no value: remove "
                                    f"`{key}` or `missing`", "missing-and-value")
            return (None,) * width
        if item.has("values"):
            nodes = list(item.items("values"))
            blank = BLANK_IN_VALUES
        elif width == 1 and item.has("value"):
            nodes = [(item.field("value"), item.node_of("value"))]
            blank = BLANK_VALUE
        else:
            hint = "`value: ...`" if width == 1 else f"`values: [...]` with {width} values"
            item.error(None, f"'{item.where}' has no target value: write {hint}, or "
                             "`missing: <why>` if the source lost it", "missing-field")
            return None
        if len(nodes) != width:
            comma = full_width_comma(item.node_of("values"))
            hint = f": {_comma_message('values', comma)}" if comma else ""
            item.error("values", f"'{item.field('values')}' has {len(nodes)} values but the "
                                 f"table has {width} target columns{hint}", "column-count")
            return None
        return tuple(self.indicator_value(where, node, blank) for where, node in nodes)

    def indicator_value(self, where: str, node: Node, blank: str) -> IndicatorValue | None:
        """A value as written; free text may carry its English: `{zh: 每年2次以上, en: …}`.
        `blank` says how this place is written when the source gives no value."""
        if isinstance(node, Sequence):
            self.diagnostics.error(node.position, f"'{where}' must be a single value such as "
                                                  "\"≥90(%)\" or 提升", "wrong-type")
            return None
        text = read_text(node, where, self.diagnostics)
        if text is None:
            return None
        if not text.zh:  # `""` would be published as an empty cell, unexplained
            self.diagnostics.error(
                node.position,
                f"'{where}' is empty: write the target value as printed, {blank}",
                "empty-value")
            return None
        value = parse_indicator_value(text.zh, self.qualitative)
        if text.en:
            return replace(value, en=text.en)
        if not value.parsed:
            self.diagnostics.warning(
                text.position or Position(""),
                f"'{where}' value '{value.raw}' is neither a figure (operator, number, unit) "
                "nor a known qualitative word; it is published verbatim. Give its English as "
                "`{zh: …, en: …}`, or if it is a standard word add it to the glossary's "
                "`qualitative` list", "unparsed-value")
        return value



def full_width_comma(node: Node | None) -> tuple[Scalar, Sequence] | None:
    """The first item of a list that holds a full-width comma (，) outside quotes, and the
    list: where an input method typed the comma between `[a，b]`, YAML reads one item."""
    if not isinstance(node, Sequence):
        return None
    item = next((item for item in node.items if _comma_typed(item)), None)
    return None if item is None else (item, node)


def _comma_typed(item: Node) -> bool:
    return isinstance(item, Scalar) and not item.quoted and "，" in item.text


def _comma_message(what: str, found: tuple[Scalar, Sequence]) -> str:
    item, written = found
    meant = [part.strip() for each in written.items for part in (
        each.text.split("，") if _comma_typed(each) else [getattr(each, "text", "…")])]
    return (f"'{item.text}' is one item of `{what}`: its parts are separated by a full-width "
            f"comma (，), and YAML separates items only with an ASCII comma. Write "
            f"[{', '.join(meant)}] (or put the item in quotes if the comma is part of it)")
