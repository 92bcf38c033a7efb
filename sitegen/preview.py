"""The preview's rebuilder: the site kept in memory, rebuilt one saved file at a time.

Start-up builds everything with the record pipeline of `sitegen build` (drafts included)
into a staging folder swapped in whole; so does a change to templates, the glossary or a
publisher, which reach every page (the pages open in browsers are redone first). A saved
record is re-loaded alone (`load_record`), its pages re-rendered (`record_pages`,
`render_page`), and the listing pages above it re-rendered only if what listings show of
it (its summary) changed.

In memory stay every record's summary and problems, not whole tables. Measured on the
10 000-record benchmark (2 cores): all tables take 366 MB, the summaries leave the server
at 68 MB; loading costs 6.9 ms a record and rendering its pages 8.1 ms, so re-rendering
kept tables in one process (81 s) is no faster than re-loading and rendering them in the
pipeline's two workers (7.0 ms a record, 70 s), and the cold start is twice as fast.

A record that fails keeps its last good summary and pages; its own address shows the
error page until it is fixed. Problems are the same `Diagnostic` values the CLI prints.
"""

from __future__ import annotations

import posixpath
import shutil
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from pathlib import Path

from .build import ROOT_REDIRECT, pdf_settings
from .content import check_site, load_record, plan_content
from .data_export import (
    INDICATORS_CSV,
    TABLES_CSV,
    TABLES_CSV_HEADER,
    data_files,
    data_path,
    rows_of,
    tables_csv_rows,
    to_csv,
)
from .errors import BuildError, Diagnostic, Diagnostics
from .glossary import Glossary, load_glossary
from .pipeline import RecordWork, link_counterparts, process_records
from .preview_pdf import PreviewPdfs, pdf_addresses
from .preview_state import PreviewState, RecordState, write_atomic
from .project import Project, RecordFile
from .render import HtmlRenderer, render_page
from .report_layout import counterparts
from .site import (
    LANGUAGES,
    TableSummary,
    home_path,
    listing_pages,
    listings,
    record_pages,
    summarize,
)
from .write import StagedOutput

PREVIEW_DIR = ".sitegen-cache/preview"


class Preview(PreviewState):
    """The preview folder, and the rebuilding of it from the in-memory site."""

    def __init__(self, project: Project, output: Path | None = None,
                 workers: int | None = None) -> None:
        super().__init__()
        self.project = project
        self.output = output or project.root / PREVIEW_DIR
        self.workers = workers
        self.glossary: Glossary = load_glossary()  # BuildError here: nothing to show yet
        self.renderer = HtmlRenderer(project.templates_dir, self.glossary)
        self.pdfs = PreviewPdfs(self._pdf_work())

    def _pdf_work(self) -> RecordWork:
        return RecordWork(self.glossary, self.project.templates_dir, self.output,
                          include_drafts=True, pdf=pdf_settings(self.project))

    def pdf_problems(self) -> list[Diagnostic]:
        return self.pdfs.all_problems()

    def pdf_state(self, address: str) -> RecordState | None:
        """The record whose PDF is at `address`, if any."""
        state = self.by_address.get(posixpath.join(posixpath.dirname(address), "index.html"))
        return state if state and address in pdf_addresses(state) else None

    # -- rebuilding --------------------------------------------------------------------
    def apply(self, saved: Mapping[Path, str], ready: Callable[[], None] = lambda: None,
              open_pages: Collection[str] = ()) -> int:
        """Rebuild what saved paths affect; returns the pages written.

        `saved` says what each path is: `record`, `content` (folders, new files), `theme`,
        `templates` (or glossary) or `everything`. `ready` is called as soon as the pages
        browsers should reload are fresh: the saved records' own pages, before the
        listings above them; after a template change, the `open_pages` (addresses).
        """
        kinds = set(saved.values())
        records = sorted(p for p, kind in saved.items() if kind == "record")
        if "theme" in kinds and self.project.theme_dir.is_dir():  # before any reload
            shutil.copytree(self.project.theme_dir, self.output / "theme", dirs_exist_ok=True)
            self._restart_pdfs()  # print.css may have changed: every PDF is out of date
        if "everything" in kinds:
            return self.build_all(ready=ready)
        if "templates" in kinds:
            return self.build_all(open_pages, ready)
        if "content" in kinds or any(p not in self.records and p.is_file() for p in records):
            return self._sync_records(records, ready)
        return self._records_saved([p for p in records if p in self.records], ready)

    def build_all(self, first: Collection[str] = (),
                  ready: Callable[[], None] = lambda: None) -> int:
        """Everything from scratch, staged and swapped in whole; returns pages written.

        The pages at `first` (open in browsers) are rebuilt in place beforehand and
        `ready` called: on the benchmark corpus everything takes over a minute.
        """
        with self._lock:
            self._everything_pending, self._fresh = True, set()
        try:
            site = Diagnostics()
            self._reload_glossary(site)
            self.renderer = HtmlRenderer(self.project.templates_dir, self.glossary)
            # Before any record is rendered again: the first pages' PDFs must come from a
            # worker with the new templates and glossary, cached under their key.
            self._restart_pdfs()
            self._rebuild_first(first)
            ready()
            return self._build_all(site)
        finally:
            with self._lock:
                self._everything_pending = False
                self._lock.notify_all()

    def _rebuild_first(self, addresses: Collection[str]) -> None:
        for state in {self.by_address[a].file.path: self.by_address[a]
                      for a in addresses if a in self.by_address}.values():
            self._reload(state)
        listings = {a for a in addresses if a in self.listing_paths}
        if listings:
            self._render_listings(self.output, lambda path: path in listings)
        with self._lock:
            self._fresh.update(addresses)
            self._lock.notify_all()

    def _build_all(self, site: Diagnostics) -> int:
        plan = plan_content(self.project, site)
        owners = dict(plan.records)
        with StagedOutput(self.output) as out:
            work = RecordWork(self.glossary, self.project.templates_dir, out.staging,
                              include_drafts=True, link_pdfs=True)
            outcomes = process_records(plan.records, work, self.workers)
            states = [RecordState(o.file, owners[o.file], o.summary, o.diagnostics)
                      for o in outcomes]
            summaries = [s.summary for s in states if s.summary and not s.broken]
            site.extend(link_counterparts(plan.records, summaries, work))
            with self._lock:
                self.records = {s.file.path: s for s in states}
                self.by_address = {a: s for s in states for a in s.addresses}
                self.site_problems = site.items
                self.listing_paths = set()
            pages = self._render_listings(out.staging, lambda path: True)
            if self.project.theme_dir.is_dir():
                out.copy_tree(self.project.theme_dir, "theme")
            out.write_text("index.html", ROOT_REDIRECT.format(target=home_path()))
        self._check_across(plan.files)
        return pages + sum(len(LANGUAGES) for s in states if s.summary and not s.broken)

    def _reload_glossary(self, site: Diagnostics) -> None:
        """A broken glossary keeps the last good one and says why."""
        try:
            self.glossary = load_glossary()
        except BuildError as failure:
            site.extend(failure.diagnostics)

    def _records_saved(self, paths: list[Path], ready: Callable[[], None]) -> int:
        """Known records saved or deleted: those pages first, then the listings above."""
        pages, moved = 0, []
        for path in paths:
            state = self.records[path]
            if not path.is_file():
                moved.extend(self._forget(state))
                continue
            written, summary_changed = self._reload(state)
            pages += written
            if summary_changed:
                moved.extend(state.addresses)
        self._hold_listings(_above(moved))
        ready()
        if not moved:
            return pages
        self._check_across([s.file for s in self.records.values()])
        return pages + self._render_listings(self.output, _above(moved))

    def _sync_records(self, saved: list[Path], ready: Callable[[], None]) -> int:
        """Files appeared or went: plan content/ again, load what is new or saved."""
        site = Diagnostics()
        plan = plan_content(self.project, site)
        found = {file.path: (file, owner) for file, owner in plan.records}
        moved = [a for p in list(self.records) if p not in found
                 for a in self._forget(self.records[p])]
        fresh = [p for p in found if p not in self.records]
        with self._lock:
            self.site_problems = site.items
            for path in fresh:
                self.records[path] = RecordState(*found[path])
        pages = 0
        for path in [*fresh, *(p for p in saved if p in found and p not in fresh)]:
            written, _ = self._reload(self.records[path])
            pages += written
            moved.extend(self.records[path].addresses)
        self._hold_listings(_above(moved))
        ready()
        self._check_across(plan.files)
        return pages + self._render_listings(self.output, _above(moved))

    def _restart_pdfs(self) -> None:
        """A new PDF worker when what PDFs are made from changed (templates, print.css,
        glossary, font: the digest pdfcache keys them by); the PDFs made by the old one are
        removed, so that each is made again when it is asked for. A save of style.css or
        search.js changes none of it, and keeps every PDF."""
        work = self._pdf_work()
        before = self.pdfs.work.pdf
        if before is not None and work.pdf is not None and (
                before.environment == work.pdf.environment):
            return
        self.pdfs.restart(work)
        for state in self.records.values():
            for address in pdf_addresses(state):
                (self.output / address).unlink(missing_ok=True)

    def _forget(self, state: RecordState) -> list[str]:
        """A record file that went: its pages go too; returns their addresses."""
        self.pdfs.forget(state)  # and its PDFs' problems
        with self._lock:
            del self.records[state.file.path]
            for address in state.addresses:
                self.by_address.pop(address, None)
                shutil.rmtree(self.output / posixpath.dirname(address), ignore_errors=True)
            if state.summary:
                for suffix in ("json", "csv"):
                    (self.output / data_path(state.summary, suffix)).unlink(missing_ok=True)
        return state.addresses

    def site_data(self, address: str) -> bytes | None:
        """data/tables.csv or data/indicators.csv as a build would write them now, made
        when asked: remade at every save, the site's indicators would cost a large site
        a second of copying each time, for a file an editor seldom opens."""
        if address not in (TABLES_CSV, INDICATORS_CSV):  # asked of every request
            return None
        with self._lock:
            summaries = [state.summary for state in sorted(
                self.records.values(), key=lambda state: state.file.path) if state.summary]
        if address == TABLES_CSV:
            return to_csv(tables_csv_rows(summaries, self.glossary),
                          TABLES_CSV_HEADER).encode("utf-8")
        parts = [to_csv([]).encode("utf-8")]
        for summary in summaries:
            table = self.output / data_path(summary, "csv")
            if summary.kind == "target-table" and table.is_file():
                parts.append(rows_of(table.read_bytes()))
        return b"".join(parts)

    def _reload(self, state: RecordState) -> tuple[int, bool]:
        """One record again: pages written, and whether what listings show of it changed."""
        with self._lock:
            self._pending.update(state.addresses)
            self.by_address.update((a, state) for a in state.addresses)
        try:
            loaded = load_record(state.file, state.publisher, self.glossary)
            diagnostics = Diagnostics(list(loaded.diagnostics))
            rendered: list[tuple[str, str | bytes]] = []
            if loaded.table is not None and not diagnostics.has_errors():
                related = self._counterparts(summarize(loaded.table))
                pages = [replace(page, context={**page.context, "related": related})
                         for page in record_pages(loaded.table, with_pdf=True)]
                rendered = [(page.path, render_page(self.renderer, page, diagnostics))
                            for page in pages]
                rendered += data_files(loaded.table, self.glossary)  # as the pages link them
            if loaded.table is not None and not diagnostics.has_errors():
                # Rendered after the pages (the editor is looking at those), but known to
                # be coming before they appear: a request for a PDF then waits for it.
                self.pdfs.refresh(state)
            with self._lock:
                state.problems = diagnostics.items
                if state.broken or loaded.table is None:
                    return 0, False  # keep the last good pages and summary
                for address, content in rendered:
                    write_atomic(self.output / address, content)
                before, state.summary = state.summary, summarize(loaded.table)
                return len(state.addresses), before != state.summary
        finally:
            with self._lock:
                self._pending.difference_update(state.addresses)
                self._lock.notify_all()

    def _counterparts(self, summary: TableSummary) -> tuple[TableSummary, ...]:
        """Report ↔ target table of one project and year, linked as the build links them."""
        key = (summary.publisher.id, summary.year)
        group = [s.summary for s in self.records.values()
                 if s.summary and not s.broken and s.summary.source_path != summary.source_path
                 and (s.summary.publisher.id, s.summary.year) == key]
        return counterparts([*group, summary]).get(summary.source_path, ())

    def _hold_listings(self, wanted: Callable[[str], bool]) -> None:
        """Make requests for these listings wait, before browsers are told to reload:
        planning them anew costs ~50 ms on the benchmark corpus, this nothing."""
        with self._lock:
            self._pending.update(path for path in self.listing_paths if wanted(path))

    def _render_listings(self, output: Path, wanted: Callable[[str], bool]) -> int:
        """The listing pages whose address is `wanted`; drops those no longer planned."""
        summaries = [s.summary for s in self.records.values() if s.summary]
        every = listing_pages(listings(summaries, include_drafts=True))
        pages = [page for page in every if wanted(page.path)]
        with self._lock:
            self._pending.update(p.path for p in pages)
        for page in pages:
            diagnostics = Diagnostics()
            html = render_page(self.renderer, page, diagnostics)
            with self._lock:
                if diagnostics.has_errors():
                    self.page_problems[page.path] = diagnostics.items  # keep the old page
                else:
                    self.page_problems.pop(page.path, None)
                    write_atomic(output / page.path, html)
                self._pending.discard(page.path)
                self._lock.notify_all()
        self._drop_stale_listings(output, {p.path for p in every})
        return len(pages)

    def _drop_stale_listings(self, output: Path, current: set[str]) -> None:
        """A year or publisher whose last record went: its listing page goes too."""
        with self._lock:
            for stale in self.listing_paths - current:
                (output / stale).unlink(missing_ok=True)
                self.page_problems.pop(stale, None)
                self._pending.discard(stale)  # held by _hold_listings
            self.listing_paths = current
            self._lock.notify_all()

    def _check_across(self, files: list[RecordFile]) -> None:
        """Whole-site rules (one address per record, duplicate projects), after each change."""
        diagnostics = Diagnostics()
        summaries = [s.summary for s in self.records.values() if s.summary]
        check_site(summaries, files, diagnostics)
        with self._lock:
            self.cross_problems = diagnostics.items


def _above(addresses: list[str]) -> Callable[[str], bool]:
    """Listings live at the ancestors of a table's address (home, publisher, year): those
    are the only listings a change to a record's summary can reach."""
    folders = {posixpath.dirname(a) for a in addresses}

    def wanted(listing: str) -> bool:
        folder = posixpath.dirname(listing) + "/"
        return any(f"{f}/".startswith(folder) for f in folders)
    return wanted
