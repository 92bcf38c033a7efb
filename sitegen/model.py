"""The record model: what a published table *is*, independent of YAML, Jinja or PDFs.

Built by `validate` from loaded nodes; read (never changed) by the site and render stages.
Field names say what a thing is in the domain; the Chinese term each stands for is in
the field's docstring and in `docs/record-format.md`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, NamedTuple

from .errors import Position

if TYPE_CHECKING:  # the report model builds on this one
    from .evaluation import EvaluationReport

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
TEN_THOUSAND = Decimal(10000)  # 1 万元 in 元


def in_yuan(amount: Decimal, unit: str) -> Decimal:
    """An amount in 元, whichever unit (元 or 万元) it was filed in."""
    return amount * TEN_THOUSAND if unit == "万元" else amount


@dataclass(frozen=True, slots=True)
class Text:
    """A piece of record text: Chinese as filed, English where a translator added it."""

    zh: str
    en: str | None = None
    position: Position | None = field(default=None, compare=False, repr=False)
    """Where the text was written, for "no English yet" warnings."""

    def __str__(self) -> str:
        return self.zh


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """A target value (指标值): its raw text, and its parts where it parses.

    `=100(%)` → operator "=", number 100, unit "%"; `提升` → qualitative "提升";
    `每年2次以上` → neither (kept verbatim, reported as a warning).
    """

    raw: str
    operator: str | None = None
    number: Decimal | None = None
    unit: str | None = None
    qualitative: str | None = None
    subject: str | None = None
    """Words before the figure that say what it measures (每年 in 每年2次以上)."""
    en: str | None = None
    """An editor's English for a value that is free text (`{zh: 开展季度走访, en: …}`)."""

    @property
    def parsed(self) -> bool:
        return self.number is not None or self.qualitative is not None


@dataclass(frozen=True, slots=True)
class Indicator:
    """A third-level indicator (三级指标) with one value per target column."""

    name: Text
    values: tuple[IndicatorValue | None, ...]
    missing: Text | None = None
    """Set when the source lost this indicator's value: why, in the editor's words."""
    note: Text | None = None
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class SecondLevel:
    """A second-level indicator (二级指标), e.g. 数量指标; `name` None if the source gives none."""

    name: Text | None
    indicators: tuple[Indicator, ...]
    note: Text | None = None
    key: str | None = None
    """Key of the recognised standard level (e.g. `quantity`), or None for a free name."""


@dataclass(frozen=True, slots=True)
class FirstLevel:
    """A first-level indicator (一级指标), e.g. 产出指标."""

    name: Text | None
    second_levels: tuple[SecondLevel, ...]
    note: Text | None = None
    key: str | None = None
    """Key of the recognised standard level (e.g. `output`), or None for a free name."""


@dataclass(frozen=True, slots=True)
class IndicatorTable:
    """The indicator hierarchy (绩效指标) with its headers as printed."""

    headers: tuple[Text, Text, Text]
    targets: tuple[Text, ...]
    first_levels: tuple[FirstLevel, ...]
    caption: Text | None = None
    level_set: str | None = None
    """Which known set of level names this table uses (e.g. `mof`, `shanghai-2020`)."""

    def indicators(self) -> list[tuple[FirstLevel, SecondLevel, Indicator]]:
        return [(first, second, indicator)
                for first in self.first_levels
                for second in first.second_levels
                for indicator in second.indicators]


@dataclass(frozen=True, slots=True)
class FundingRow:
    """A row of a funding table; `parts` add up to it column by column."""

    label: Text
    amounts: tuple[Decimal | None, ...]
    parts: tuple[FundingRow, ...] = ()
    note: Text | None = None
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class FundingTable:
    """A funding block (项目资金): amounts in 元 or 万元, one or more columns."""

    caption: Text
    unit: Literal["元", "万元"]
    columns: tuple[Text, ...]
    rows: tuple[FundingRow, ...]
    total_column: int | None = None
    kind: Literal["income", "expenditure"] | None = None
    note: Text | None = None
    position: Position | None = None
    acknowledged: tuple[str, ...] = ()
    """Checks whose findings the editor has acknowledged as the source's own (e.g.
    `unit-mixup`): reported no more, but the page still marks the table."""

    @property
    def total(self) -> Decimal | None:
        """The table's headline amount: its first row's first filled column."""
        for row in self.rows[:1]:
            for amount in row.amounts:
                if amount is not None:
                    return amount
        return None

    def total_in_yuan(self) -> Decimal | None:
        total = self.total
        if total is None:
            return None
        return in_yuan(total, self.unit)


@dataclass(frozen=True, slots=True)
class Fact:
    """A labelled value printed as is (unit facts in the Kunming preamble)."""

    label: Text
    value: Text


@dataclass(frozen=True, slots=True)
class NarrativeSection:
    """A text row of the form (项目概况, 立项依据…): label as printed, paragraphs of text."""

    label: Text
    text: Text | None = None
    facts: tuple[Fact, ...] = ()
    note: Text | None = None


@dataclass(frozen=True, slots=True)
class Goal:
    """A performance goal (项目总体目标, 年度目标, 中期目标…)."""

    label: Text
    text: Text
    span: str | None = None
    note: Text | None = None


@dataclass(frozen=True, slots=True)
class Preamble:
    """Narrative printed before the form itself (Kunming 2020)."""

    title: Text
    sections: tuple[NarrativeSection, ...]


PROJECT_FACT_KEYS: tuple[str, ...] = (
    "reporting_unit", "nature", "category", "type", "level", "period",
    "competent_department", "implementing_unit", "start", "end",
    "government_procurement", "performance_type", "contact_person",
)


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """项目基本信息: the project's name and the facts the form lists about it."""

    name: Text
    facts: dict[str, Text]
    """Values by key of PROJECT_FACT_KEYS, in form order; only the keys the form has."""


class ReviewNote(NamedTuple):
    """A `# REVIEW:` comment line in a source file: a decision `sitegen import` left for an
    editor to check. Comments are not in the parsed tree, so the file's text is scanned."""

    position: Position
    text: str


# Facts that are personal data (项目负责人): published only where the publisher says
# `show_contact_person: true`; pages, data files and PDF attachments alike.
PERSONAL_FACTS = ("contact_person",)


@dataclass(frozen=True, slots=True)
class Publisher:
    """A department that publishes tables: one folder under `content/`."""

    id: str
    name: Text
    region: Text | None
    show_contact_person: bool = False
    source_path: str = ""
    review_notes: tuple[ReviewNote, ...] = ()
    """publisher.yaml's REVIEW notes: reported once the site would publish the publisher."""

    def withholds(self, fact: str) -> bool:
        """Whether the public is not shown this project fact (personal data)."""
        return fact in PERSONAL_FACTS and not self.show_contact_person


@dataclass(frozen=True, slots=True)
class TargetTable:
    """A performance target table (绩效目标表): one record, one page, one PDF."""

    id: str
    publisher: Publisher
    year: int
    form: str
    title: Text
    project: ProjectFacts
    narrative: tuple[NarrativeSection, ...]
    funding: tuple[FundingTable, ...]
    goals: tuple[Goal, ...]
    indicators: IndicatorTable
    preamble: Preamble | None = None
    notes: tuple[Text, ...] = ()
    draft: bool = False
    source: str | None = None
    source_path: str = ""
    kind: str = "target-table"
    english_coverage: tuple[int, int] = (0, 0)
    """(texts with English, texts in all) — for the translation report."""

    @property
    def amount_in_yuan(self) -> Decimal | None:
        """The headline amount of the project, in 元, for listings and sorting."""
        for table in self.funding:
            if table.kind != "expenditure" and table.total is not None:
                return table.total_in_yuan()
        return None

    @property
    def indicator_count(self) -> int:
        return len(self.indicators.indicators())


@dataclass
class Site:
    """Everything loaded and validated: the input of rendering, never changed by it."""

    publishers: dict[str, Publisher] = field(default_factory=dict)
    tables: list[TargetTable] = field(default_factory=list)
    reports: list[EvaluationReport] = field(default_factory=list)
