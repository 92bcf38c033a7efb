"""Validate an evaluation report (`kind: evaluation-report`): nodes → `EvaluationReport`.

Reads through `fields.Fields` like the target-table validator, and reuses it for what the
two kinds share: indicator values and the year's target table (表1-4). The scoring table
is read by `validate_scoring`; the figures are compared by `checks_report`.
"""

from __future__ import annotations

from .errors import Diagnostics, Position
from .evaluation import (
    Block,
    EvaluatedProject,
    EvaluationReport,
    MarkdownBlock,
    Section,
    TableBlock,
)
from .evaluation_tables import (
    ExecutionRow,
    ExecutionTable,
    ImplementingUnit,
    SpendingRow,
    SpendingTable,
    TargetIndicators,
    UnitsTable,
)
from .fields import Fields, read_fields, read_text
from .glossary import Glossary
from .load import Mapping, Node
from .markup import CJK, mark_chinese_html, refusals, render_markdown
from .model import Publisher
from .validate import RecordValidator
from .validate_scoring import ScoringValidator, read_number, read_percent, table_number

REPORT_FIELDS = ("kind", "title", "year", "source", "draft", "project", "body",
                 "implementing_units", "spending", "execution", "targets", "scoring", "notes")
PROJECT_FIELDS = ("name", "amount", "unit", "competent_department", "executing_department",
                  "evaluator", "evaluation_period")
# What a body item `{table: …}` may name: a structured table of the record.
TABLES = ("implementing_units", "spending", "execution", "targets", "scoring",
          "scoring_appendix")
UNITS = ("元", "万元")
SECTION_KEYS = ("heading", "content")  # a body item with either is a section
DEBRIS = "[bookmark:"  # left by the Word conversion of seed 003; never content


class ReportValidator:
    """Reads one evaluation-report record; collects diagnostics instead of stopping."""

    def __init__(self, glossary: Glossary, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        self.targets_reader = RecordValidator(glossary, diagnostics)
        self.scoring_reader = ScoringValidator(self.targets_reader, diagnostics)

    def record(self, node: Node | None, *, record_id: str, publisher: Publisher,
               folder_year: int, path: str) -> EvaluationReport | None:
        fields = read_fields(node, "", self.diagnostics, REPORT_FIELDS) if node else None
        if fields is None:
            if node is None:
                self.diagnostics.error(Position(path), "this record is empty", "empty")
            return None
        year = fields.integer("year")
        if year is not None and year != folder_year:
            fields.error("year", f"year is {year} but the record is in the folder "
                                 f"{folder_year}/: move the file or correct the year",
                         "year-folder")
        title, project = fields.text("title"), self.project(fields)
        scoring = self.scoring_reader.score_table(fields)
        tables = dict(implementing_units=self.units(fields), spending=self.spending(fields),
                      execution=self.execution(fields), targets=self.targets(fields))
        body = tuple(self.blocks(fields, "body", "s"))
        if None in (year, title, project, scoring):
            return None
        report = EvaluationReport(
            record_id, publisher, year, title, project, body, scoring,  # type: ignore[arg-type]
            **tables, notes=tuple(self.targets_reader.texts(fields, "notes")),
            draft=fields.boolean("draft"), source=fields.string("source", required=False),
            source_path=path)
        self.check_placement(report, fields)
        return report

    def project(self, fields: Fields) -> EvaluatedProject | None:
        project = fields.mapping("project", PROJECT_FIELDS)
        if project is None:
            return None
        name = project.text("name")
        unit = project.choice("unit", UNITS, required=project.has("amount")) or "元"
        texts = {key: project.text(key, required=False) for key in PROJECT_FIELDS[3:]}
        return EvaluatedProject(name, read_number(project, "amount", False), unit,
                                **texts) if name else None

    # -- body -------------------------------------------------------------------------
    def blocks(self, fields: Fields, key: str, anchor: str, depth: int = 1) -> list[Block]:
        """Body items: Markdown text, `{table: …}`, or `{heading: …, content: [...]}`."""
        found: list[Block] = []
        for where, node in fields.items(key, required=depth == 1):
            if isinstance(node, Mapping) and any(key in node.values for key in SECTION_KEYS):
                number = sum(1 for block in found if isinstance(block, Section)) + 1
                found.extend(self.section(node, where, f"{anchor}-{number}", depth))
            elif isinstance(node, Mapping) and "table" in node.values:
                place = read_fields(node, where, self.diagnostics, ("table",))
                table = place.choice("table", TABLES) if place else None
                found.extend([TableBlock(table, node.position)] if table else [])
            elif (block := self.markdown(node, where)) is not None:
                found.append(block)
        return found

    def section(self, node: Mapping, where: str, anchor: str, depth: int) -> list[Block]:
        """The section; without a heading (already an error), its content alone, so that
        the tables in it still count as placed: one misspelt key, one error."""
        fields = Fields(node, where, self.diagnostics, SECTION_KEYS)
        heading = fields.text("heading")
        content = tuple(self.blocks(fields, "content", anchor, depth + 1))
        return [Section(heading, anchor, depth, content)] if heading else list(content)

    def markdown(self, node: Node, where: str) -> MarkdownBlock | None:
        text = read_text(node, where, self.diagnostics)
        if text is None:
            return None
        for source in filter(None, (text.zh, text.en)):
            if DEBRIS in source:
                self.diagnostics.warning(node.position, f"'{where}' still holds Word bookmark "
                                         "debris ([bookmark: _Toc…]): delete it", "debris")
            for refused in refusals(source):
                self.diagnostics.warning(
                    node.position, f"'{where}': {refused} is not published (the site allows "
                    "text, headings, lists, tables and plain links in report text)", "markup")
        chinese = render_markdown(text.zh)
        # Text without Chinese (figures, a Latin name) is the same in English: shown so,
        # as the translation audit already counts it.
        english = (mark_chinese_html(render_markdown(text.en)) if text.en
                   else None if CJK.search(text.zh) else chinese)
        return MarkdownBlock(text, chinese, english, node.position)

    def check_placement(self, report: EvaluationReport, fields: Fields) -> None:
        """Every structured table is printed once, where the body says; none is lost."""
        placed: dict[str, list[TableBlock]] = {}
        stack = list(report.body)
        while stack:
            block = stack.pop()
            if isinstance(block, Section):
                stack.extend(block.content)
            elif isinstance(block, TableBlock):
                placed.setdefault(block.table, []).append(block)
        for table in TABLES:
            present = (report.scoring.appendix is not None if table == "scoring_appendix"
                       else getattr(report, table) is not None)
            count = len(placed.get(table, []))
            if present and count != 1:
                fields.error("body", f"the table '{table}' must be placed exactly once in the "
                                     f"body with `- table: {table}`, where the report prints "
                                     f"it; it is placed {count} times", "table-placement")
            elif count and not present:
                self.diagnostics.error(placed[table][0].position or fields.position(),
                                       f"the body places the table '{table}', which this "
                                       "record does not give", "table-placement")

    # -- structured tables ------------------------------------------------------------
    def table_fields(self, fields: Fields, key: str, *extra: str) -> Fields | None:
        return fields.mapping(key, ("number", "caption", *extra), required=False)

    def rows(self, table: Fields, allowed: tuple[str, ...]) -> list[Fields]:
        return [row for where, node in table.items("rows", required=True)
                if (row := read_fields(node, where, self.diagnostics, allowed)) is not None]

    def units(self, fields: Fields) -> UnitsTable | None:
        table = self.table_fields(fields, "implementing_units", "rows")
        if table is None:
            return None
        rows = [ImplementingUnit(row.string("number") or "", unit, duty)
                for row in self.rows(table, ("number", "unit", "duty"))
                if (unit := row.text("unit")) and (duty := row.text("duty"))]
        caption = table.text("caption")
        return UnitsTable(caption, tuple(rows), table_number(table)) if caption else None

    def spending_row(self, row: Fields, label_key: str) -> SpendingRow | None:
        purpose, amount = row.text(label_key), read_number(row, "amount")
        if purpose is None or amount is None:
            return None
        return SpendingRow(row.string("number", False) or "", purpose, amount,
                           read_percent(row, "share"), row.position(label_key))

    def spending(self, fields: Fields) -> SpendingTable | None:
        table = self.table_fields(fields, "spending", "unit", "rows", "total")
        if table is None:
            return None
        caption, unit = table.text("caption"), table.choice("unit", UNITS)
        rows = [r for row in self.rows(table, ("number", "purpose", "amount", "share"))
                if (r := self.spending_row(row, "purpose"))]
        total_fields = table.mapping("total", ("label", "amount", "share"), required=False)
        total = self.spending_row(total_fields, "label") if total_fields else None
        if not (caption and unit):
            return None
        return SpendingTable(caption, unit, tuple(rows), table_number(table), total,
                             table.position())

    def execution(self, fields: Fields) -> ExecutionTable | None:
        table = self.table_fields(fields, "execution", "unit", "project", "rows")
        if table is None:
            return None
        caption, unit, project = (table.text("caption"), table.choice("unit", UNITS),
                                  table.text("project"))
        rows = []
        for row in self.rows(table, ("period", "budget", "spent", "rate")):
            period, budget, spent = (row.text("period"), read_number(row, "budget"),
                                     read_number(row, "spent"))
            if period and budget is not None and spent is not None:
                rows.append(ExecutionRow(period, budget, spent, read_percent(row, "rate"),
                                         row.position("period")))
        if not (caption and unit and project):
            return None
        return ExecutionTable(caption, unit, project, tuple(rows), table_number(table))

    def targets(self, fields: Fields) -> TargetIndicators | None:
        table = self.table_fields(fields, "targets", "indicators")
        if table is None:
            return None
        caption, indicators = table.text("caption"), self.targets_reader.indicator_table(table)
        if not (caption and indicators):
            return None
        return TargetIndicators(caption, indicators, table_number(table))


def is_report(node: Node | None) -> bool:
    """Whether a loaded record says `kind: evaluation-report` (read before validating)."""
    kind = node.values.get("kind") if isinstance(node, Mapping) else None
    return getattr(kind, "text", None) == "evaluation-report"
