"""The evaluation-report model (绩效评价报告): how a finished project did, scored.

Built by `validate_report` from loaded nodes; read (never changed) by the checks, the site
and the templates. Like `model`, it knows nothing of YAML, Jinja or PDFs. A report keeps
two kinds of figures apart: the indicators' own weights and scores, from which totals and
the grade are *computed*, and the figures the report *states* about them (in its tables,
headings and prose), which are published as printed and compared with the computed ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from .errors import Position
from .evaluation_tables import ExecutionTable, SpendingTable, TargetIndicators, UnitsTable
from .model import IndicatorValue, Publisher, Text, in_yuan

# Grade bands of 财预〔2020〕10号 (项目支出绩效评价管理办法), highest first.
GRADE_BANDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal(90), "优秀"), (Decimal(80), "良好"), (Decimal(60), "中"), (Decimal(0), "差"))
GRADES = tuple(name for _, name in GRADE_BANDS)
FULL_MARKS = Decimal(100)


def grade_of(total: Decimal) -> str:
    """The grade a total score earns: 优秀 ≥ 90, 良好 ≥ 80, 中 ≥ 60, 差 below."""
    return next((name for floor, name in GRADE_BANDS if total >= floor), GRADES[-1])


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if not whole else part * 100 / whole


@dataclass(frozen=True, slots=True)
class StatedFigures:
    """Figures the report states about a level or the whole, as printed and where.

    `rate` is a percentage (得分率 94.87% → 94.87). `positions` gives each figure's line
    in the record, by figure name (`weight`, `score`, `rate`, `grade`).
    """

    where: Text
    quote: Text | None = None
    """The words that state the figures (prose, a heading); checked to contain them."""
    label: Text | None = None
    """The label of a total row (合计), whose figures stand in cells of their own."""
    weight: Decimal | None = None
    score: Decimal | None = None
    rate: Decimal | None = None
    grade: str | None = None
    positions: dict[str, Position] = field(default_factory=dict, compare=False)
    acknowledged: tuple[str, ...] = ()
    """Checks whose findings on these figures the editor has acknowledged as the source's
    own (e.g. `score-subtotal`): `check` reports them no more; the page still marks them."""
    note: Text | None = None


@dataclass(frozen=True, slots=True)
class ScoredIndicator:
    """A scored third-level indicator: 指标值, 权重分, 得分, 指标解释 and 指标说明."""

    name: Text
    weight: Decimal
    score: Decimal
    value: IndicatorValue | None = None
    explanation: Text | None = None
    """指标解释: what the indicator measures."""
    rule: Text | None = None
    """指标说明: how it is scored."""
    appendix_name: Text | None = None
    """The name as the appendix prints it, where it differs."""
    note: Text | None = None
    position: Position | None = None
    score_position: Position | None = None


@dataclass(frozen=True, slots=True)
class ScoredSecondLevel:
    name: Text
    indicators: tuple[ScoredIndicator, ...]
    appendix_name: Text | None = None
    stated: tuple[StatedFigures, ...] = ()
    note: Text | None = None

    @property
    def weight(self) -> Decimal:
        return sum((i.weight for i in self.indicators), Decimal(0))

    @property
    def score(self) -> Decimal:
        return sum((i.score for i in self.indicators), Decimal(0))


@dataclass(frozen=True, slots=True)
class ScoredFirstLevel:
    """A first-level indicator with its computed subtotal and what the report states."""

    name: Text
    second_levels: tuple[ScoredSecondLevel, ...]
    appendix: StatedFigures | None = None
    """Its cell in the appendix, e.g. 项目决策（20分）: the words and the weight they state."""
    stated: tuple[StatedFigures, ...] = ()
    note: Text | None = None

    @property
    def weight(self) -> Decimal:
        return sum((s.weight for s in self.second_levels), Decimal(0))

    @property
    def score(self) -> Decimal:
        return sum((s.score for s in self.second_levels), Decimal(0))

    @property
    def rate(self) -> Decimal | None:
        return percent(self.score, self.weight)

    @property
    def indicator_count(self) -> int:
        return sum(len(s.indicators) for s in self.second_levels)


@dataclass(frozen=True, slots=True)
class ScoreAppendix:
    """The appendix restating every indicator with 指标解释 and 指标说明."""

    caption: Text
    total: StatedFigures | None = None


@dataclass(frozen=True, slots=True)
class ScoreTable:
    """The scoring table (绩效评价指标评分表): levels, indicators, and the stated totals."""

    caption: Text
    first_levels: tuple[ScoredFirstLevel, ...]
    number: Text | None = None
    total: StatedFigures | None = None
    """The table's own total row (合计)."""
    stated: tuple[StatedFigures, ...] = ()
    """Total score and grade as the report states them elsewhere (its prose)."""
    appendix: ScoreAppendix | None = None
    position: Position | None = None

    @property
    def weight(self) -> Decimal:
        return sum((f.weight for f in self.first_levels), Decimal(0))

    @property
    def score(self) -> Decimal:
        return sum((f.score for f in self.first_levels), Decimal(0))

    @property
    def rate(self) -> Decimal | None:
        return percent(self.score, self.weight)

    @property
    def grade(self) -> str:
        return grade_of(self.score)

    def indicators(self) -> list[tuple[ScoredFirstLevel, ScoredSecondLevel, ScoredIndicator]]:
        return [(first, second, indicator) for first in self.first_levels
                for second in first.second_levels for indicator in second.indicators]


@dataclass(frozen=True, slots=True)
class MarkdownBlock:
    """Report text as Markdown, with its sanitised HTML made once, at validation."""

    kind: ClassVar[str] = "markdown"
    text: Text
    html: str
    html_en: str | None = None
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class TableBlock:
    """The place in the body where one of the report's structured tables is printed."""

    kind: ClassVar[str] = "table"
    table: str
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """A numbered section (一、基本情况) or sub-section; `anchor` is its id on the page."""

    kind: ClassVar[str] = "section"
    heading: Text
    anchor: str
    depth: int
    content: tuple[Block, ...]

    def sections(self) -> list[Section]:
        return [block for block in self.content if isinstance(block, Section)]


Block = MarkdownBlock | TableBlock | Section


@dataclass(frozen=True, slots=True)
class EvaluatedProject:
    """The project evaluated, who evaluated it, when, and how much money it concerns."""

    name: Text
    amount: Decimal | None = None
    unit: str = "元"
    competent_department: Text | None = None
    executing_department: Text | None = None
    evaluator: Text | None = None
    evaluation_period: Text | None = None


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """A performance evaluation report (绩效评价报告): one record, one page per language."""

    id: str
    publisher: Publisher
    year: int
    title: Text
    project: EvaluatedProject
    body: tuple[Block, ...]
    scoring: ScoreTable
    implementing_units: UnitsTable | None = None
    spending: SpendingTable | None = None
    execution: ExecutionTable | None = None
    targets: TargetIndicators | None = None
    notes: tuple[Text, ...] = ()
    draft: bool = False
    source: str | None = None
    source_path: str = ""
    kind: str = "evaluation-report"
    english_coverage: tuple[int, int] = (0, 0)

    @property
    def amount_in_yuan(self) -> Decimal | None:
        amount = self.project.amount
        if amount is None:
            return None
        return in_yuan(amount, self.project.unit)

    @property
    def indicator_count(self) -> int:
        return len(self.scoring.indicators())

    def sections(self) -> list[Section]:
        return [block for block in self.body if isinstance(block, Section)]

    def body_in_english(self) -> bool:
        """Whether every piece of body text has its English (the English page says if not)."""
        stack: list[Block] = list(self.body)
        while stack:
            block = stack.pop()
            if isinstance(block, Section):
                stack.extend(block.content)
            elif isinstance(block, MarkdownBlock) and block.html_en is None:
                return False
        return True
