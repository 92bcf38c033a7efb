"""Site stage: validated records → the pages of the site, their addresses and listings.

Pure data, no Jinja: the same page plan feeds HTML now and PDFs later. Addresses are
`<lang>/<publisher>/<year>/<record>/index.html`; every link is made relative to the page
that holds it, so `build/` works from any folder or URL prefix.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .model import FirstLevel, Indicator, IndicatorTable, Publisher, SecondLevel, Site, TargetTable

DEFAULT_LANGUAGE = "zh"


@dataclass(frozen=True)
class IndicatorRow:
    """One row of the indicator table as printed: level cells only where a span starts."""

    first: FirstLevel
    second: SecondLevel
    indicator: Indicator | None
    first_span: int = 0
    second_span: int = 0


def indicator_rows(table: IndicatorTable) -> list[IndicatorRow]:
    """Rows with rowspans, the way the official form merges level cells.

    A level printed with no indicators (Lianyungang's 经济效益) still gets its own row.
    """
    rows: list[IndicatorRow] = []
    for first in table.first_levels:
        seconds = first.second_levels or (SecondLevel(None, ()),)
        first_span = sum(max(1, len(second.indicators)) for second in seconds)
        for second_index, second in enumerate(seconds):
            items: list[Indicator | None] = list(second.indicators) or [None]
            for index, indicator in enumerate(items):
                rows.append(IndicatorRow(
                    first, second, indicator,
                    first_span=first_span if second_index == 0 and index == 0 else 0,
                    second_span=len(items) if index == 0 else 0))
    return rows


@dataclass
class YearListing:
    publisher: Publisher
    year: int
    tables: list[TargetTable] = field(default_factory=list)

    @property
    def total_in_yuan(self) -> Decimal:
        return sum((t.amount_in_yuan or Decimal(0) for t in self.tables), Decimal(0))


@dataclass
class PublisherListing:
    publisher: Publisher
    years: list[YearListing] = field(default_factory=list)

    @property
    def table_count(self) -> int:
        return sum(len(year.tables) for year in self.years)

    @property
    def total_in_yuan(self) -> Decimal:
        return sum((year.total_in_yuan for year in self.years), Decimal(0))


@dataclass(frozen=True)
class Page:
    """One output page: where it goes, which template draws it, and what it shows."""

    path: str
    template: str
    language: str
    context: dict[str, Any]

    def link(self, target: str) -> str:
        """`target` (a path inside build/) relative to this page."""
        return posixpath.relpath(target, posixpath.dirname(self.path) or ".")


def table_path(table: TargetTable, language: str = DEFAULT_LANGUAGE) -> str:
    return f"{language}/{table.publisher.id}/{table.year}/{table.id}/index.html"


def year_path(publisher_id: str, year: int, language: str = DEFAULT_LANGUAGE) -> str:
    return f"{language}/{publisher_id}/{year}/index.html"


def publisher_path(publisher_id: str, language: str = DEFAULT_LANGUAGE) -> str:
    return f"{language}/{publisher_id}/index.html"


def home_path(language: str = DEFAULT_LANGUAGE) -> str:
    return f"{language}/index.html"


def published_tables(site: Site, include_drafts: bool = False) -> list[TargetTable]:
    """Tables in reading order: publisher, newest year first, then project name."""
    tables = [t for t in site.tables if include_drafts or not t.draft]
    return sorted(tables, key=lambda t: (t.publisher.id, -t.year, t.project.name.zh, t.id))


def listings(tables: list[TargetTable]) -> list[PublisherListing]:
    by_publisher: dict[str, PublisherListing] = {}
    for table in tables:
        listing = by_publisher.setdefault(table.publisher.id, PublisherListing(table.publisher))
        if not listing.years or listing.years[-1].year != table.year:
            listing.years.append(YearListing(table.publisher, table.year))
        listing.years[-1].tables.append(table)
    return list(by_publisher.values())


def plan_pages(site: Site, language: str = DEFAULT_LANGUAGE,
               include_drafts: bool = False) -> list[Page]:
    """Every page of the site in one language: home, publishers, years, tables."""
    tables = published_tables(site, include_drafts)
    publishers = listings(tables)
    pages = [Page(home_path(language), "home.html", language, {"publishers": publishers})]
    for listing in publishers:
        pages.append(Page(publisher_path(listing.publisher.id, language), "publisher.html",
                          language, {"listing": listing}))
        for year in listing.years:
            pages.append(Page(year_path(listing.publisher.id, year.year, language), "year.html",
                              language, {"listing": listing, "year_listing": year}))
    for table in tables:
        pages.append(Page(table_path(table, language), "table.html", language,
                          {"table": table, "rows": indicator_rows(table.indicators)}))
    return pages
