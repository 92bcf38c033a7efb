"""Checks that compare figures within a record: funding parts against totals.

A mismatch by a factor of 10 000 is reported as a likely 元/万元 mix-up, and only as a
warning: the seed from Lianyungang (002) prints expenditure in 元 under a 万元 header,
and publishing the source faithfully — with the discrepancy marked — beats refusing it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from .errors import Diagnostics, Position
from .model import TEN_THOUSAND, FundingRow, FundingTable, TargetTable
from .skeleton import PLACEHOLDERS
from .translation import record_texts
from .values import format_amount


def is_unit_mixup(stated: Decimal, computed: Decimal) -> bool:
    return bool(stated and computed) and (stated * TEN_THOUSAND == computed
                                          or computed * TEN_THOUSAND == stated)


def compare_sum(stated: Decimal, computed: Decimal, position: Position, what: str,
                unit: str, diagnostics: Diagnostics, parts: str = "its parts add up to",
                acknowledged: tuple[str, ...] = ()) -> None:
    """Report a stated total that its parts do not add up to."""
    if stated == computed:
        return
    figures = (f"{what} is {format_amount(stated)} {unit} but {parts} "
               f"{format_amount(computed)} {unit}")
    if is_unit_mixup(stated, computed):
        if "unit-mixup" in acknowledged:
            return
        diagnostics.warning(position, f"{figures}: a factor of 10,000, most likely a 元/万元 "
                                      "mix-up in the source. Publish it as filed and say so in "
                                      "a `note`, or correct the unit", "unit-mixup")
    else:
        diagnostics.error(position, f"{figures}: correct the total or the parts",
                          "funding-sum")


def check_row(row: FundingRow, table: FundingTable, diagnostics: Diagnostics) -> None:
    for part in row.parts:
        check_row(part, table, diagnostics)
    if not row.parts:
        return
    for column, stated in enumerate(row.amounts):
        given = [part.amounts[column] for part in row.parts if part.amounts[column] is not None]
        if stated is not None and given:
            compare_sum(stated, sum(given, Decimal(0)), row.position or table.position,
                        f"'{row.label}' ({table.columns[column]})", table.unit, diagnostics,
                        acknowledged=table.acknowledged)
        elif given and any(given) and "blank-total" not in table.acknowledged:
            # Not an error: a source may print parts under a blank total. But a total
            # dropped while editing would pass unseen, its cell blank on the page.
            diagnostics.warning(row.position or table.position,
                                f"'{row.label}' ({table.columns[column]}) has no amount but "
                                f"its parts add up to {format_amount(sum(given, Decimal(0)))} "
                                f"{table.unit}: give the total as the source prints it; if "
                                "the source leaves it blank, write `acknowledge: [blank-total]`"
                                " and a `note` on the table saying so", "blank-total")


def check_total_column(row: FundingRow, table: FundingTable, diagnostics: Diagnostics) -> None:
    index = table.total_column
    if index is None or row.amounts[index] is None:
        return
    others = [a for i, a in enumerate(row.amounts) if i != index and a is not None]
    if others:
        compare_sum(row.amounts[index], sum(others, Decimal(0)),  # type: ignore[arg-type]
                    row.position or table.position,
                    f"'{row.label}' {table.columns[index]}", table.unit, diagnostics,
                    acknowledged=table.acknowledged)


def check_income_against_expenditure(tables: Iterable[FundingTable],
                                     diagnostics: Diagnostics) -> None:
    """Where a record has income and expenditure tables, spending equals income per column."""
    incomes = [t for t in tables if t.kind == "income"]
    for spending in (t for t in tables if t.kind == "expenditure"):
        for income in incomes:
            income_labels = [c.zh for c in income.columns]
            for column, label in enumerate(spending.columns):
                if label.zh not in income_labels or not income.rows:
                    continue
                stated = income.rows[0].amounts[income_labels.index(label.zh)]
                spent = [r.amounts[column] for r in spending.rows if r.amounts[column] is not None]
                if stated is not None and spent:
                    compare_sum(stated, sum(spent, Decimal(0)), spending.position or Position(""),
                                f"income '{income.rows[0].label}' ({label})", income.unit,
                                diagnostics, parts="the expenditure rows add up to",
                                acknowledged=spending.acknowledged + income.acknowledged)


def check_funding(table: TargetTable, diagnostics: Diagnostics) -> None:
    for funding in table.funding:
        for row in funding.rows:
            check_row(row, funding, diagnostics)
            check_total_column(row, funding, diagnostics)
    check_income_against_expenditure(table.funding, diagnostics)


def check_placeholders(table: TargetTable, diagnostics: Diagnostics) -> None:
    """Stand-in words of `sitegen new` left in a record: a warning while it is a draft, an
    error once it would be published (its page would say 项目名称 / Project name)."""
    report = diagnostics.warning if table.draft else diagnostics.error
    fix = "replace it with the table's own words" + ("" if table.draft else
                                                     " before publishing")
    for where, text in record_texts(table):
        if text.zh in PLACEHOLDERS or text.en in PLACEHOLDERS:
            words = " / ".join(w for w in (text.zh, text.en) if w)
            report(text.position or Position(table.source_path),
                   f"{where} '{words}' is still the placeholder `sitegen new` wrote: {fix}",
                   "placeholder")
    name = table.publisher.name
    if not table.draft and {name.zh, name.en} & PLACEHOLDERS:
        diagnostics.error(name.position or Position(table.publisher.source_path),
                          "the publisher's name is still the placeholder `sitegen new` wrote: "
                          "write the department's name, as printed, in publisher.yaml",
                          "placeholder")
