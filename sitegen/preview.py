"""The preview's rebuilder: the site kept in memory, rebuilt one saved file at a time.

Start-up builds everything with the record pipeline of `sitegen build` (drafts included)
into a staging folder that is swapped in whole; so does any change to templates, the
glossary or a publisher, since those reach every page. A saved record is then re-loaded
alone (`load_record`), its pages re-rendered (`record_pages`, `render_page`), and the
listing pages above it re-rendered only if what listings show of it (its summary) changed.

What stays in memory is every record's summary and its problems, not whole tables:
loading the 10 000-record benchmark into one process took 56 s and 366 MB, while the
parallel pipeline builds it in about half that, and nothing but listings ever needs more
than one table at once.

A record that fails keeps its last good summary and pages; its own address shows the
error page until it is fixed. Problems are the same `Diagnostic` values the CLI prints.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .build import ROOT_REDIRECT
from .content import check_site, load_record, plan_content
from .errors import BuildError, Diagnostic, Diagnostics
from .glossary import Glossary, load_glossary
from .model import Publisher
from .pipeline import RecordWork, process_records
from .project import Project, RecordFile
from .render import HtmlRenderer, render_page
from .site import (
    LANGUAGES,
    Page,
    TableSummary,
    home_path,
    listing_pages,
    listings,
    record_pages,
    summarize,
    table_path,
)
from .write import StagedOutput

PREVIEW_DIR = ".sitegen-cache/preview"
WAIT_FOR_BUILD = 30.0  # seconds a request waits for its page before getting the old one


@dataclass
class RecordState:
    """One record file as the preview knows it."""

    file: RecordFile
    publisher: Publisher
    summary: TableSummary | None = None  # of the last version that validated
    problems: list[Diagnostic] = field(default_factory=list)  # of the version on disk

    @property
    def broken(self) -> bool:
        return any(d.severity == "error" for d in self.problems)

    @property
    def addresses(self) -> list[str]:
        return [table_path(self.file.publisher_id, self.file.year, self.file.record_id, lang)
                for lang in LANGUAGES]


def write_atomic(path: Path, text: str) -> None:
    """Replace a file in one step, so a request never reads a page half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


class Preview:
    """The preview folder and the in-memory site it was rendered from."""

    def __init__(self, project: Project, output: Path | None = None,
                 workers: int | None = None) -> None:
        self.project = project
        self.output = output or project.root / PREVIEW_DIR
        self.workers = workers
        self.glossary: Glossary = load_glossary()  # BuildError here: nothing to show yet
        self.renderer = HtmlRenderer(project.templates_dir, self.glossary)
        self.records: dict[Path, RecordState] = {}
        self.by_address: dict[str, RecordState] = {}
        self.site_problems: list[Diagnostic] = []   # folders, publishers, glossary
        self.cross_problems: list[Diagnostic] = []  # rules across records
        self.page_problems: dict[str, list[Diagnostic]] = {}  # listing pages that failed
        self.listing_paths: set[str] = set()
        self._lock = threading.Condition()
        self._pending: set[str] = set()
        self._everything_pending = False
        self._fresh: set[str] = set()  # already rebuilt while everything is pending

    # -- what the server asks --------------------------------------------------------
    def wait_for(self, address: str, timeout: float = WAIT_FOR_BUILD) -> None:
        """Block while `address` (or everything) is being rebuilt."""
        def ready() -> bool:
            if self._everything_pending and address not in self._fresh:
                return False
            return address not in self._pending

        with self._lock:
            self._lock.wait_for(ready, timeout)

    def problems(self) -> list[Diagnostic]:
        """Every current problem, by file and line."""
        with self._lock:
            found = Diagnostics([*self.site_problems, *self.cross_problems])
            for state in self.records.values():
                found.extend(state.problems)
            for items in self.page_problems.values():
                found.extend(items)
        return found.sorted()

    def error_count(self) -> int:
        with self._lock:
            found = [*self.site_problems, *self.cross_problems,
                     *(d for s in self.records.values() for d in s.problems),
                     *(d for items in self.page_problems.values() for d in items)]
        return sum(1 for d in found if d.severity == "error")

    def problems_at(self, address: str) -> list[Diagnostic] | None:
        """The problems to show instead of the page at `address`; None: show the page."""
        with self._lock:
            state = self.by_address.get(address)
            if state is not None and state.broken:
                return Diagnostics([*state.problems, *self._site_errors()]).sorted()
            if address in self.page_problems:
                return Diagnostics(self.page_problems[address]).sorted()
        return None

    def is_draft(self, address: str) -> bool:
        with self._lock:
            state = self.by_address.get(address)
            return bool(state and state.summary and state.summary.draft)

    def _site_errors(self) -> list[Diagnostic]:
        return [d for d in (*self.site_problems, *self.cross_problems) if d.severity == "error"]

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
                              include_drafts=True)
            outcomes = process_records(plan.records, work, self.workers)
            states = [RecordState(o.file, owners[o.file], o.summary, o.diagnostics)
                      for o in outcomes]
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
        ready()
        self._check_across(plan.files)
        return pages + self._render_listings(self.output, _above(moved))

    def _forget(self, state: RecordState) -> list[str]:
        """A record file that went: its pages go too; returns their addresses."""
        with self._lock:
            del self.records[state.file.path]
            for address in state.addresses:
                self.by_address.pop(address, None)
                shutil.rmtree(self.output / posixpath.dirname(address), ignore_errors=True)
        return state.addresses

    def _reload(self, state: RecordState) -> tuple[int, bool]:
        """One record again: pages written, and whether what listings show of it changed."""
        with self._lock:
            self._pending.update(state.addresses)
            self.by_address.update((a, state) for a in state.addresses)
        try:
            loaded = load_record(state.file, state.publisher, self.glossary)
            diagnostics = Diagnostics(list(loaded.diagnostics))
            rendered: list[tuple[Page, str]] = []
            if loaded.table is not None and not diagnostics.has_errors():
                rendered = [(page, render_page(self.renderer, page, diagnostics))
                            for page in record_pages(loaded.table)]
            with self._lock:
                state.problems = diagnostics.items
                if state.broken or loaded.table is None:
                    return 0, False  # keep the last good pages and summary
                for page, html in rendered:
                    write_atomic(self.output / page.path, html)
                before, state.summary = state.summary, summarize(loaded.table)
                return len(rendered), before != state.summary
        finally:
            with self._lock:
                self._pending.difference_update(state.addresses)
                self._lock.notify_all()

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
            self.listing_paths = current

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
