"""Checks of an evaluation report's figures: what it states against what adds up.

Totals, subtotals, rates and the grade are computed from the indicators; every figure the
report states (its total rows, appendix headings, prose) is compared with them, and shares
and execution rates with their amounts. Each disagreement is a `Finding`: the checker
prints it as a warning with file and line, and the page marks the figure it concerns.
They are warnings, not errors, because real reports disagree with themselves (seed 003
states 37 points for indicators worth 35) and the site publishes a report as filed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from .errors import Diagnostics, Position
from .evaluation import FULL_MARKS, EvaluationReport, ScoreTable, StatedFigures, grade_of, percent
from .evaluation_tables import ExecutionTable, SpendingTable
from .model import Text

FIGURE_NAMES = {"weight": "weight (权重分)", "score": "score (得分)", "rate": "score rate (得分率)",
                "grade": "grade (评价等级)", "share": "share (占比)", "amount": "amount",
                "execution_rate": "execution rate (执行率)"}


@dataclass(frozen=True)
class Finding:
    """A printed figure that does not add up: what is marked, and what it should be."""

    subject: object
    figure: str
    stated: str
    computed: str
    message: str
    position: Position
    code: str
    place: Text | None = None
    """Where the figure is printed, in words for the page (表1-2 · 合计)."""


def decimals(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def agrees(stated: Decimal, computed: Decimal) -> bool:
    """A printed figure agrees if it is the computed one, rounded or cut to its decimals."""
    step = Decimal(1).scaleb(-decimals(stated))
    return stated in (computed.quantize(step, ROUND_HALF_UP), computed.quantize(step, ROUND_DOWN))


def shown(number: Decimal | None, suffix: str = "", like: Decimal | None = None) -> str:
    """A figure for messages and the page: to the decimals of `like` (the printed figure
    it is compared with), else to at most two."""
    if number is None:
        return "—"
    places = decimals(like) if like is not None else min(decimals(number), 2)
    return f"{number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):f}{suffix}"


class ReportAudit:
    """All findings of one report; templates ask it which concern a given figure."""

    def __init__(self, report: EvaluationReport) -> None:
        self.report = report
        self.findings: list[Finding] = list(audit(report))

    def of(self, subject: object, figure: str | None = None) -> list[Finding]:
        return [f for f in self.findings
                if f.subject is subject and figure in (None, f.figure)]

    def published(self) -> list[Finding]:
        """The findings the page shows readers (transcription checks are the editor's)."""
        return [f for f in self.findings if f.subject is not None]

    def quoted_in(self, text: str) -> list[Finding]:
        """Findings about stated figures whose words are in this piece of text."""
        return [f for f in self.findings if isinstance(f.subject, StatedFigures)
                and f.subject.quote and f.subject.quote.zh in text]


def audit(report: EvaluationReport) -> Iterator[Finding]:
    yield from _scoring(report.scoring)
    if report.spending:
        yield from _spending(report.spending)
    if report.execution:
        yield from _execution(report.execution)


def place(*parts: Text | None) -> Text:
    """Words that locate a figure, e.g. 表1-2 · 合计, in both languages."""
    given = [part for part in parts if part is not None]
    return Text(" · ".join(p.zh for p in given), " · ".join(p.en or p.zh for p in given))


def _finding(subject: object, figure: str, stated: str, computed: str, where: Text,
             position: Position | None, code: str, fallback: Position) -> Finding:
    verb = "give" if figure == "grade" else "add up to"
    message = (f"{where.zh}: the report states {FIGURE_NAMES[figure]} {stated} but its "
               f"figures {verb} {computed}. The page publishes {stated} as printed and marks it")
    return Finding(subject, figure, stated, computed, message, position or fallback, code,
                   where)


def _scoring(table: ScoreTable) -> Iterator[Finding]:
    where = table.position or Position("")
    label = table.number or table.caption
    if table.weight != FULL_MARKS:
        position = table.total.positions.get("weight") if table.total else None
        yield Finding(table, "weight", shown(table.weight), shown(FULL_MARKS),
                      f"the indicators' weights add up to {shown(table.weight)}, not 100: "
                      "check each 权重分 against the report", position or where, "score-weights",
                      label)
    for _first, _second, indicator in table.indicators():
        if not Decimal(0) <= indicator.score <= indicator.weight:
            yield Finding(indicator, "score", shown(indicator.score), shown(indicator.weight),
                          f"'{indicator.name.zh}' scores {shown(indicator.score)} of a weight "
                          f"of {shown(indicator.weight)}: a score lies between 0 and its "
                          "weight", indicator.score_position or where, "score-above-weight",
                          place(label, indicator.name))
    for first in table.first_levels:
        for figures in (first.appendix, *first.stated):
            if figures:
                yield from _compare(figures, first.name, first.weight, first.score, where)
        for second in first.second_levels:
            for figures in second.stated:
                yield from _compare(figures, second.name, second.weight, second.score, where)
    appendix_total = table.appendix.total if table.appendix else None
    for figures in (table.total, appendix_total, *table.stated):
        if figures:
            yield from _compare(figures, None, table.weight, table.score, where, total=True)


def _compare(figures: StatedFigures, level: Text | None, weight: Decimal, score: Decimal,
             fallback: Position, total: bool = False) -> Iterator[Finding]:
    """Stated weight, score, rate and grade of one level (or the total) against computed."""
    what = place(figures.where, level, figures.label)
    code = "score-total" if total else "score-subtotal"
    for figure, stated, computed in (("weight", figures.weight, weight),
                                     ("score", figures.score, score)):
        if stated is not None and stated != computed:
            yield _finding(figures, figure, shown(stated), shown(computed), what,
                           figures.positions.get(figure), code, fallback)
    rate = percent(score, weight)
    if figures.rate is not None and rate is not None and not agrees(figures.rate, rate):
        yield _finding(figures, "rate", shown(figures.rate, "%"),
                       shown(rate, "%", figures.rate), what,
                       figures.positions.get("rate"), "score-rate", fallback)
    if total and figures.grade and figures.grade != grade_of(score):  # grades rate totals
        yield _finding(figures, "grade", figures.grade, grade_of(score), what,
                       figures.positions.get("grade"), "score-grade", fallback)
    yield from _quote_holds(figures, fallback)


def _quote_holds(figures: StatedFigures, fallback: Position) -> Iterator[Finding]:
    """Each stated figure appears in its quoted words: a check on the transcription."""
    if figures.quote is None:
        return
    words = "".join(figures.quote.zh.split())
    for figure in ("weight", "score", "rate", "grade"):
        value = getattr(figures, figure)
        if value is not None and f"{value}" not in words:
            yield Finding(None, figure, f"{value}", "",
                          f"{figures.where.zh}: the {figure} {value} is not in the quoted words "
                          f"'{figures.quote.zh}': check the transcription",
                          figures.positions.get(figure, fallback), "stated-quote", figures.where)


def _spending(table: SpendingTable) -> Iterator[Finding]:
    where = table.position or Position("")
    label, total = table.number or table.caption, table.total
    if total is not None and total.amount != table.computed_total:
        yield _finding(total, "amount", shown(total.amount), shown(table.computed_total),
                       place(label, total.purpose), total.position, "spending-total", where)
    whole = total.amount if total is not None else table.computed_total
    for row in table.rows:
        computed = percent(row.amount, whole)
        if row.share is not None and computed is not None and not agrees(row.share, computed):
            yield _finding(row, "share", shown(row.share, "%"), shown(computed, "%", row.share),
                           place(label, row.purpose), row.position, "share-row", where)
    yield from _share_sum(table, where)


def _share_sum(table: SpendingTable, where: Position) -> Iterator[Finding]:
    """The shares add up to 100 %, give or take half a unit of their last digit each."""
    shares = [row.share for row in table.rows if row.share is not None]
    if not shares:
        return
    added = sum(shares, Decimal(0))
    slack = sum((Decimal(1).scaleb(-decimals(share)) / 2 for share in shares), Decimal(0))
    total = table.total
    label = table.number or table.caption
    if abs(added - FULL_MARKS) > slack:
        yield Finding(total or table, "share", shown(added, "%"), "100%",
                      f"{label.zh}: the shares add up to {shown(added, '%')}, not 100% "
                      f"(allowing {slack}% for rounding): check each 占比",
                      (total.position if total else None) or where, "share-sum",
                      place(label, total.purpose if total else None))
    if total is not None and total.share is not None and total.share != FULL_MARKS:
        yield Finding(total, "share", shown(total.share, "%"), "100%",
                      f"{label.zh}: the total share is printed as {shown(total.share, '%')}, "
                      "not 100%", total.position or where, "share-sum",
                      place(label, total.purpose))


def _execution(table: ExecutionTable) -> Iterator[Finding]:
    for row in table.rows:
        rate = percent(row.spent, row.budget)
        if row.rate is not None and rate is not None and not agrees(row.rate, rate):
            yield _finding(row, "execution_rate", shown(row.rate, "%"),
                           shown(rate, "%", row.rate),
                           place(table.number or table.caption, row.period), row.position,
                           "execution-rate", Position(""))


def check_report(report: EvaluationReport, diagnostics: Diagnostics) -> None:
    """Every finding as a warning with file and line, for `sitegen check`; none while the
    record has errors (`diagnostics` are its own): a figure that did not read is missing
    from every total, grade and stated figure it is part of, and each would be reported
    as the report's mistake."""
    if diagnostics.has_errors():
        return
    for finding in audit(report):
        subject = finding.subject
        if isinstance(subject, StatedFigures) and finding.code in subject.acknowledged:
            continue  # the editor has seen it: the source says so, and the page marks it
        diagnostics.warning(finding.position, finding.message, finding.code)
