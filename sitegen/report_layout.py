"""Site stage for evaluation reports: what a report page shows beyond the record itself.

The scoring table's rows with the spans of merged level cells, the chart's geometry, the
audit of its figures (for the marks), and which target table is the same project's. Pure
data like `site`, which builds the pages from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .chart import score_chart
from .checks_report import ReportAudit, shown
from .evaluation import (
    EvaluationReport,
    ScoredFirstLevel,
    ScoredIndicator,
    ScoredSecondLevel,
    ScoreTable,
)

if TYPE_CHECKING:  # `site` imports this module; only its summary type is needed here
    from .site import TableSummary


@dataclass(frozen=True)
class ScoreRow:
    """One indicator row of a scoring table: level cells only where a merged span starts."""

    first: ScoredFirstLevel
    second: ScoredSecondLevel
    indicator: ScoredIndicator
    first_span: int = 0
    second_span: int = 0


def score_rows(table: ScoreTable) -> list[ScoreRow]:
    rows = []
    for first in table.first_levels:
        first_span = first.indicator_count
        for second_index, second in enumerate(first.second_levels):
            for index, indicator in enumerate(second.indicators):
                starts_first = second_index == 0 and index == 0
                rows.append(ScoreRow(first, second, indicator,
                                     first_span if starts_first else 0,
                                     len(second.indicators) if index == 0 else 0))
    return rows


def report_context(report: EvaluationReport) -> dict[str, Any]:
    """Everything the report template needs besides the record."""
    levels = [(first.name, first.weight, first.score) for first in report.scoring.first_levels]
    return {"report": report, "audit": ReportAudit(report), "chart": score_chart(levels),
            "score_rows": score_rows(report.scoring), "target_rows": [], "related": (),
            "figure": shown}


def counterparts(summaries: Sequence[TableSummary]) -> dict[str, tuple[TableSummary, ...]]:
    """Report ↔ target table of the same publisher, year and project name, both ways.

    Keyed by the record's source path; only records that have a counterpart appear.
    """
    groups: dict[tuple[str, int, str], list[TableSummary]] = {}
    for summary in summaries:
        key = (summary.publisher.id, summary.year, summary.name.zh)
        groups.setdefault(key, []).append(summary)
    linked: dict[str, tuple[TableSummary, ...]] = {}
    for group in groups.values():
        for summary in group:
            others = tuple(other for other in group if other.kind != summary.kind)
            if others:
                linked[summary.source_path] = others
    return linked
