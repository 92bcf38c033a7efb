"""The structured tables of an evaluation report, besides its scoring table.

表1-1 implementing units, 表1-2 use of funds with shares, 表1-3 quarterly execution with
rates, 表1-4 the year's target table (the target-table model's `IndicatorTable`). Figures
are kept as printed (exact decimals, percentages as numbers of percent); `checks_report`
compares them with what their amounts give.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .errors import Position
from .model import IndicatorTable, Text


@dataclass(frozen=True, slots=True)
class ImplementingUnit:
    number: str
    unit: Text
    duty: Text


@dataclass(frozen=True, slots=True)
class UnitsTable:
    """项目实施单位情况表: who carried out which part (序号 / 项目实施单位 / 负责内容)."""

    caption: Text
    rows: tuple[ImplementingUnit, ...]
    number: Text | None = None


@dataclass(frozen=True, slots=True)
class SpendingRow:
    number: str
    purpose: Text
    amount: Decimal
    share: Decimal | None = None
    """支出占比 as printed, in percent."""
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class SpendingTable:
    """项目资金使用情况表: what the money went on, with each use's share of the total."""

    caption: Text
    unit: str
    rows: tuple[SpendingRow, ...]
    number: Text | None = None
    total: SpendingRow | None = None
    """The printed total row (合计): its amount and share."""
    position: Position | None = None

    @property
    def computed_total(self) -> Decimal:
        return sum((row.amount for row in self.rows), Decimal(0))


@dataclass(frozen=True, slots=True)
class ExecutionRow:
    period: Text
    budget: Decimal
    spent: Decimal
    rate: Decimal | None = None
    """执行率 as printed, in percent."""
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class ExecutionTable:
    """项目资金执行情况表: cumulative spending against the year's budget, by quarter."""

    caption: Text
    unit: str
    project: Text
    rows: tuple[ExecutionRow, ...]
    number: Text | None = None


@dataclass(frozen=True, slots=True)
class TargetIndicators:
    """The year's target table as the report reprints it (表1-4)."""

    caption: Text
    indicators: IndicatorTable
    number: Text | None = None
