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

from .evaluation import EvaluationReport
from .model import (
    FirstLevel,
    Indicator,
    IndicatorTable,
    Publisher,
    SecondLevel,
    TargetTable,
    Text,
)
from .report_layout import report_context

DEFAULT_LANGUAGE = "zh"
LANGUAGES = ("zh", "en")


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


@dataclass(frozen=True)
class TableSummary:
    """What listings need of a table: small enough to pass between processes."""

    id: str
    publisher: Publisher
    year: int
    name: Text
    amount_in_yuan: Decimal | None
    indicator_count: int
    draft: bool
    source_path: str
    english_coverage: tuple[int, int] = (0, 0)
    kind: str = "target-table"
    """`target-table` or `evaluation-report`: listings label reports (评价报告)."""

    def page_path(self, language: str) -> str:
        return table_path(self.publisher.id, self.year, self.id, language)


def summarize(table: TargetTable | EvaluationReport) -> TableSummary:
    return TableSummary(table.id, table.publisher, table.year, table.project.name,
                        table.amount_in_yuan, table.indicator_count, table.draft,
                        table.source_path, table.english_coverage, table.kind)


@dataclass
class YearListing:
    publisher: Publisher
    year: int
    tables: list[TableSummary] = field(default_factory=list)

    @property
    def total_in_yuan(self) -> Decimal:
        # A report restates the amount of a project: count it only if no table of the
        # year already does.
        tabled = {t.name.zh for t in self.tables if t.kind == "target-table"}
        counted = [t for t in self.tables if t.kind == "target-table" or t.name.zh not in tabled]
        return sum((t.amount_in_yuan or Decimal(0) for t in counted), Decimal(0))


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
class PublisherEntry:
    """A publisher as the home page lists it: what it needs of a PublisherListing, and
    small to send to the worker that renders it (the listings with every table's summary
    were 4 MB to pickle, twice, at 10 000 records)."""

    publisher: Publisher
    table_count: int
    years: tuple[int, ...]


@dataclass(frozen=True)
class Page:
    """One output page: where it goes, which template draws it, and what it shows."""

    path: str
    template: str
    language: str
    context: dict[str, Any]

    def link(self, target: str) -> str:
        """`target` (a path inside build/) relative to this page."""
        return relative_link(target, posixpath.dirname(self.path))

    def alternate(self, language: str) -> str:
        """The same page in another language: only the first path segment differs."""
        return language + self.path[len(self.language):]


def relative_link(target: str, folder: str) -> str:
    """`target` relative to `folder`, both plain paths inside build/ ("" is build/ itself;
    no `.`, `..`, doubled or trailing slashes, as site.py makes them all).

    posixpath.relpath does the same for any two paths, but makes both absolute first
    (asking the system for the working folder each time): a twentieth of a cold build,
    for a dozen links on every page.
    """
    steps = folder.split("/") if folder else []
    parts = target.split("/")
    shared = 0
    while shared < min(len(steps), len(parts)) and steps[shared] == parts[shared]:
        shared += 1
    return "/".join([".."] * (len(steps) - shared) + parts[shared:]) or "."


def table_path(publisher_id: str, year: int, record_id: str,
               language: str = DEFAULT_LANGUAGE) -> str:
    return f"{language}/{publisher_id}/{year}/{record_id}/index.html"


def year_path(publisher_id: str, year: int, language: str = DEFAULT_LANGUAGE) -> str:
    return f"{language}/{publisher_id}/{year}/index.html"


def publisher_path(publisher_id: str, language: str = DEFAULT_LANGUAGE) -> str:
    return f"{language}/{publisher_id}/index.html"


def home_path(language: str = DEFAULT_LANGUAGE) -> str:
    return f"{language}/index.html"


def search_path(language: str = DEFAULT_LANGUAGE) -> str:
    """The search page; every page's search box sends its query there."""
    return f"{language}/search/index.html"


def is_published(table: TargetTable | TableSummary, include_drafts: bool) -> bool:
    return include_drafts or not table.draft


def listings(summaries: list[TableSummary], include_drafts: bool = False
             ) -> list[PublisherListing]:
    """Publishers, each with its years (newest first), each with its tables by name."""
    shown = sorted((s for s in summaries if is_published(s, include_drafts)),
                   key=lambda s: (s.publisher.id, -s.year, s.name.zh, s.id))
    by_publisher: dict[str, PublisherListing] = {}
    for summary in shown:
        listing = by_publisher.setdefault(summary.publisher.id,
                                          PublisherListing(summary.publisher))
        if not listing.years or listing.years[-1].year != summary.year:
            listing.years.append(YearListing(summary.publisher, summary.year))
        listing.years[-1].tables.append(summary)
    return list(by_publisher.values())


TABLE_TEMPLATE = "table.html"  # a target table's page: most pages of any site


def table_pages(table: TargetTable, with_pdf: bool = False) -> list[Page]:
    """The web pages one record publishes: its table in every language."""
    rows = indicator_rows(table.indicators)
    return [Page(table_path(table.publisher.id, table.year, table.id, language), TABLE_TEMPLATE,
                 language, {"table": table, "rows": rows,
                            "pdf_name": f"{table.id}.pdf" if with_pdf else None,
                            "data_base": data_base(table)})
            for language in LANGUAGES]


def data_base(record: TargetTable | EvaluationReport | TableSummary) -> str:
    """Where a record's data files are (data_export.data_path), less the suffix: the
    pages link both."""
    return f"data/{record.publisher.id}/{record.year}/{record.id}"


def report_pages(report: EvaluationReport, language: str | None = None,
                 with_pdf: bool = False) -> list[Page]:
    """The web pages an evaluation report publishes: the report in each language (or one)."""
    context = report_context(report)
    context["pdf_name"] = f"{report.id}.pdf" if with_pdf else None
    context["data_base"] = data_base(report)
    if report.targets:
        context["target_rows"] = indicator_rows(report.targets.indicators)
    return [Page(table_path(report.publisher.id, report.year, report.id, language),
                 "report.html", language, context)
            for language in ([language] if language else LANGUAGES)]


def table_pdf_path(publisher_id: str, year: int, record_id: str, language: str) -> str:
    return f"{language}/{publisher_id}/{year}/{record_id}/{record_id}.pdf"


def volume_pdf_path(publisher_id: str, year: int, language: str) -> str:
    return f"{language}/{publisher_id}/{year}/{publisher_id}-{year}.pdf"


def record_pages(record: TargetTable | EvaluationReport, with_pdf: bool = False) -> list[Page]:
    """The web pages of either kind of record."""
    if isinstance(record, EvaluationReport):
        return report_pages(record, with_pdf=with_pdf)
    return table_pages(record, with_pdf=with_pdf)


def report_pdf_page(report: EvaluationReport, language: str) -> Page:
    """The PDF of an evaluation report: the article of its web page, print layout."""
    path = table_pdf_path(report.publisher.id, report.year, report.id, language)
    # No data links in print: a PDF travels without the site's data files.
    return Page(path, "pdf/report.html", language, {
        **report_pages(report, language)[0].context, "data_base": None,
        "publisher": report.publisher,
        "year": report.year, "heading": report.project.name,
        "keywords": [report.project.name, report.title]})


def table_pdf_page(table: TargetTable, language: str) -> Page:
    """The PDF of one table: the same partials as its web page, print layout."""
    path = table_pdf_path(table.publisher.id, table.year, table.id, language)
    return Page(path, "pdf/table.html", language, {
        "table": table, "rows_of": _rows_of, "publisher": table.publisher,
        "year": table.year, "heading": table.project.name,
        "keywords": [table.project.name, table.title]})


def volume_pdf_page(publisher: Publisher, year: int, tables: list[TargetTable],
                    language: str) -> Page:
    """All tables of a publisher and year in one PDF, with a cover and contents."""
    total = sum((t.amount_in_yuan or Decimal(0) for t in tables), Decimal(0))
    return Page(volume_pdf_path(publisher.id, year, language), "pdf/volume.html", language, {
        "tables": tables, "rows_of": _rows_of, "publisher": publisher, "year": year,
        "total": total, "heading": Text("年度项目支出绩效目标表汇编",
                                         "Project performance target tables"),
        "keywords": []})


def _rows_of(table: TargetTable) -> list[IndicatorRow]:
    return indicator_rows(table.indicators)


def listing_pages(publishers: list[PublisherListing], with_pdf: bool = False) -> list[Page]:
    """Home, search, one page per publisher and one per publisher and year, in every
    language. A publisher's pages in both languages come together: the workers are sent
    them in chunks, and a chunk carries each listing it holds once, however many of its
    pages show it (pickle's memo), where one language a chunk sent every table twice."""
    entries = [PublisherEntry(listing.publisher, listing.table_count,
                              tuple(year.year for year in listing.years))
               for listing in publishers]
    pages = [page for language in LANGUAGES
             for page in (Page(home_path(language), "home.html", language,
                               {"publishers": entries}),
                          Page(search_path(language), "search.html", language, {}))]
    for listing in publishers:
        for language in LANGUAGES:
            pages.append(Page(publisher_path(listing.publisher.id, language), "publisher.html",
                              language, {"listing": listing}))
            for year in listing.years:
                tabled = any(t.kind == "target-table" for t in year.tables)  # volumes: tables
                volume = (f"{listing.publisher.id}-{year.year}.pdf" if with_pdf and tabled
                          else None)
                pages.append(Page(year_path(listing.publisher.id, year.year, language),
                                  "year.html", language,
                                  {"listing": listing, "year_listing": year,
                                   "volume_name": volume}))
    return pages
