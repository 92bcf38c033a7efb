"""The per-record work of a build, spread over worker processes.

Each worker loads, validates and renders its records — web pages and PDFs — and writes
them straight into the staging folder, returning only a small summary and the
diagnostics: shipping whole tables between processes (pickling) cost as much as rendering
them. A record with errors renders nothing, and any error anywhere discards the staging
folder, so "validate everything before publishing anything" still holds for `build/`.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .collector import collector_paused
from .content import load_record
from .data_export import data_files, tables_csv_line, withheld_facts
from .errors import Diagnostic, Diagnostics
from .evaluation import EvaluationReport
from .glossary import Glossary
from .model import Publisher, TargetTable
from .project import RecordFile
from .render import HtmlRenderer, render_page
from .report_layout import counterparts
from .site import (
    LANGUAGES,
    TABLE_TEMPLATE,
    Page,
    TableSummary,
    is_published,
    record_pages,
    report_pdf_page,
    summarize,
    table_pdf_page,
    volume_pdf_page,
    volume_pdf_path,
)
from .write import FileTree

PARALLEL_THRESHOLD = 200  # HTML only: below this, starting workers costs more than it saves
Progress = Callable[[int, int], None]
Received = Callable[[list["RecordOutcome"]], None]


@dataclass(frozen=True)
class PdfSettings:
    """Where PDFs come from and where rendered ones are kept between builds."""

    root: Path
    theme_dir: Path
    cache_dir: Path
    environment: str
    variant: str | None


@dataclass(frozen=True)
class RecordWork:
    """What every worker needs; `output` None means check only, render nothing."""

    glossary: Glossary
    templates_dir: Path | None = None
    output: Path | None = None
    include_drafts: bool = False
    pdf: PdfSettings | None = None
    link_pdfs: bool = False  # pages link their PDFs though this run renders none (preview)
    search_words: bool = False  # record pages carry the search index's pair words


@dataclass(frozen=True)
class RecordOutcome:
    file: RecordFile
    summary: TableSummary | None
    diagnostics: list[Diagnostic]
    pdfs_rendered: int = 0
    # A target table's CSV, relative to the output, if one was written: build.SiteCsvs
    # appends it to data/indicators.csv, so it must have CSV_HEADER's columns. A report's
    # CSV (scores, other columns) is never named here.
    data_csv: str | None = None
    source_digest: bytes | None = None  # the record file's SHA-256, as it was read
    # Its line of data/tables.csv (UTF-8), if it was published: made here, beside the
    # workers' other work, not by the build's one process after them all (0.1 s of
    # serial time and a 20 MB peak at 10 000 records).
    tables_csv_line: bytes | None = None


@dataclass(frozen=True)
class VolumeJob:
    """All published records of one publisher and year, for its PDF volume."""

    publisher: Publisher
    year: int
    files: list[RecordFile] = field(default_factory=list)


class RecordPublisher:
    """Per-process state: one Jinja environment and one PDF renderer, reused."""

    def __init__(self, work: RecordWork) -> None:
        self.work = work
        self.renderer = (HtmlRenderer(work.templates_dir, work.glossary, work.search_words)
                         if work.output and work.templates_dir else None)
        self._pdf: Any = None
        self.output = FileTree(work.output) if work.output else None

    def pdf(self) -> Any:
        """The PDF renderer, made on first use (loading fonts takes a moment)."""
        if self._pdf is None and self.work.pdf and self.work.templates_dir:
            from .pdf import PdfRenderer
            from .pdfcache import PdfCache

            settings = self.work.pdf
            self._pdf = (PdfRenderer(settings.root, self.work.templates_dir, settings.theme_dir,
                                     self.work.glossary, settings.variant),
                         PdfCache(settings.cache_dir, settings.environment))
        return self._pdf

    def __call__(self, file: RecordFile, publisher: Publisher) -> RecordOutcome:
        with collector_paused():  # a table's loading and HTML make no cycles (collector.py)
            loaded = load_record(file, publisher, self.work.glossary)
            table, diagnostics = loaded.table, Diagnostics(list(loaded.diagnostics))
            if table is None:
                return RecordOutcome(file, None, diagnostics.items,
                                     source_digest=loaded.source_digest)
            publish = (self.renderer is not None and not diagnostics.has_errors()
                       and is_published(table, self.work.include_drafts))
            data_csv = self.web_files(table, diagnostics) if publish else None
        # PDFs outside the pause: WeasyPrint's layout does make cycles, and a volume's worth
        # left to the end of a pause would be a needless peak of memory.
        rendered = (self.table_pdfs(table, file, loaded.source, diagnostics)
                    if publish and self.work.pdf and loaded.source is not None else 0)
        summary = summarize(table)
        return RecordOutcome(file, summary, diagnostics.items, rendered, data_csv,
                             loaded.source_digest,
                             tables_csv_line(summary, self.work.glossary) if publish else None)

    def web_files(self, record: TargetTable | EvaluationReport, diagnostics: Diagnostics
                  ) -> str | None:
        """A record's pages and data files; returns a target table's CSV path, for
        data/indicators.csv (RecordOutcome.data_csv), and None for a report."""
        self.write_pages(self.pages(record), diagnostics)
        (json_path, json), (csv_path, csv) = data_files(record, self.work.glossary)
        self.write(json_path, json)
        self.write(csv_path, csv)
        return csv_path if isinstance(record, TargetTable) else None

    def pages(self, record: TargetTable | EvaluationReport,
              related: tuple[TableSummary, ...] = ()) -> list[Page]:
        """The web pages of whichever kind of record this is, linked to its counterparts."""
        pages = record_pages(record, with_pdf=self.work.pdf is not None or self.work.link_pdfs)
        return [replace(page, context={**page.context, "related": related}) for page in pages]

    def write_pages(self, pages: list[Page], diagnostics: Diagnostics) -> None:
        assert self.renderer is not None
        for page in pages:
            self.write(page.path, render_page(self.renderer, page, diagnostics))

    def listing_pages(self, pages: list[Page]) -> list[Diagnostic]:
        diagnostics = Diagnostics()
        self.write_pages(pages, diagnostics)
        return diagnostics.items

    def relink(self, file: RecordFile, publisher: Publisher,
               related: tuple[TableSummary, ...]) -> list[Diagnostic]:
        """Write a record's web pages again, now linked to its counterparts."""
        record, diagnostics = load_record(file, publisher, self.work.glossary).table, Diagnostics()
        if record is not None and self.renderer:
            self.write_pages(self.pages(record, related), diagnostics)
        return diagnostics.items

    def write(self, relative: str, content: str | bytes) -> None:
        assert self.output is not None
        if isinstance(content, bytes):
            self.output.write_bytes(relative, content)
        else:
            self.output.write_text(relative, content)

    def table_pdfs(self, table: TargetTable | EvaluationReport, file: RecordFile,
                   source: bytes, diagnostics: Diagnostics) -> int:
        """A record's PDFs, made from `source`, the bytes its table was parsed from."""
        # The record's source rides in the PDF as an attachment, unless it holds what the
        # publisher withholds from the public (a contact person): never published.
        attachment = None if withheld_facts(table) else (file.path.name, source)
        sources = self.pdf()[1].sources_digest(
            "record" if attachment else "record, unattached",
            [(file.path, source), (file.publisher_file, _read(file.publisher_file))])
        pdf_page = report_pdf_page if isinstance(table, EvaluationReport) else table_pdf_page
        return sum(self.make_pdf(pdf_page(table, language), sources, attachment,
                                 table.year, file.shown_as, diagnostics)
                   for language in LANGUAGES)

    def make_pdf(self, page: Any, sources: str, attachment: tuple[str, bytes] | None,
                 year: int, named: str, diagnostics: Diagnostics) -> int:
        """Copy the PDF from the cache, or render it; returns 1 if it was rendered."""
        assert self.work.output is not None
        renderer, cache = self.pdf()
        target = self.work.output / page.path
        key = cache.key(page.language, sources)
        if cache.fetch(key, target):
            return 0
        data = renderer.render(page, attachment, year, named, diagnostics)
        if data is not None:
            cache.store(key, data, target)
        return 1

    def volume(self, job: VolumeJob) -> RecordOutcome:
        """The PDF volume of a publisher's year, in every language; its records are loaded
        only when a language's volume is not in the cache."""
        assert self.work.output is not None
        diagnostics = Diagnostics()
        _, cache = self.pdf()
        # Read once: the key and, if it is missing, the tables come from the same bytes.
        # The publisher's file too: the volume's cover and running heads name it.
        files = sorted(job.files, key=lambda f: f.path)
        read = {f.path: _read(f.path) for f in files}
        sources = cache.sources_digest("volume", [
            *read.items(), (job.files[0].publisher_file, _read(job.files[0].publisher_file))])
        missing = [language for language in LANGUAGES if not cache.fetch(
            cache.key(language, sources),
            self.work.output / volume_pdf_path(job.publisher.id, job.year, language))]
        if not missing:
            return RecordOutcome(job.files[0], None, [], 0)
        tables = [t for f in job.files if isinstance(
            t := load_record(f, job.publisher, self.work.glossary, read[f.path]).table,
            TargetTable)]
        tables.sort(key=lambda t: (t.project.name.zh, t.id))
        named = f"content/{job.publisher.id}/{job.year}/"
        rendered = sum(self.make_pdf(volume_pdf_page(job.publisher, job.year, tables, language),
                                     sources, None, job.year, named, diagnostics)
                       for language in missing)
        return RecordOutcome(job.files[0], None, diagnostics.items, rendered)


def _read(path: Path) -> bytes:
    """A file's bytes for a PDF's cache key; b"" if it cannot be read (the build names
    that file itself)."""
    try:
        return path.read_bytes()
    except OSError:
        return b""


_worker: RecordPublisher | None = None


def _start_worker(work: RecordWork) -> None:
    global _worker
    # Ctrl-C reaches the whole process group. The process that owns the pool stops its
    # workers (stop_pool); one interrupted on its own would print a traceback, or carry
    # on with the next chunk while its owner waits.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()  # what the worker inherited lives as long as it does: never walked again
    _worker = RecordPublisher(work)
    if _worker.renderer is not None:  # now, while the build's own process plans the content
        # A broken template is said by the pages that use it, with its line (render.py).
        with contextlib.suppress(Exception):
            _worker.renderer.environment.get_template(TABLE_TEMPLATE)


def _run_chunk(chunk: list[tuple[RecordFile, Publisher]]) -> list[RecordOutcome]:
    assert _worker is not None
    return [_worker(file, publisher) for file, publisher in chunk]


def record_pdfs(file: RecordFile, publisher: Publisher) -> list[Diagnostic]:
    """In a worker: one record's PDFs, from the cache or rendered (the preview's job)."""
    assert _worker is not None
    loaded = load_record(file, publisher, _worker.work.glossary)
    diagnostics = Diagnostics(list(loaded.diagnostics))
    if loaded.table is not None and loaded.source is not None and not diagnostics.has_errors():
        _worker.table_pdfs(loaded.table, file, loaded.source, diagnostics)
    return diagnostics.items


def _new_pool(work: RecordWork, size: int) -> ProcessPoolExecutor:
    """Worker processes forked where the system can (no re-import of sitegen each)."""
    method = "fork" if sys.platform == "linux" else None
    return ProcessPoolExecutor(size, mp_context=multiprocessing.get_context(method),
                               initializer=_start_worker, initargs=(work,))


def pdf_worker(work: RecordWork) -> ProcessPoolExecutor:
    """One worker process for PDFs: WeasyPrint's time limit needs a main thread."""
    return _new_pool(work, 1)


def _run_pages(pages: list[Page]) -> list[Diagnostic]:
    assert _worker is not None
    return _worker.listing_pages(pages)


def _run_volumes(jobs: list[VolumeJob]) -> list[RecordOutcome]:
    assert _worker is not None
    return [_worker.volume(job) for job in jobs]


class Workers:
    """Runs record and volume work in this process or in a pool of worker processes."""

    def __init__(self, work: RecordWork, pool: ProcessPoolExecutor | None,
                 progress: Progress | None) -> None:
        self.work = work
        self.pool = pool
        self.local = RecordPublisher(work) if pool is None else None
        self.progress = progress or (lambda done, total: None)

    def records(self, records: list[tuple[RecordFile, Publisher]],
                received: Received | None = None) -> list[RecordOutcome]:
        """Every record's outcome, in input order; `received` is given them as they come,
        in that order too, while the workers go on."""
        if self.local is not None:
            return self._serially(records, lambda item: [self.local(*item)], received)
        size = 1 if self.work.pdf else min(64, len(records) // (self._processes() * 4))
        return self._pooled(_run_chunk, _chunks(records, size), received)

    def pages(self, pages: list[Page]) -> list[Diagnostic]:
        """Write pages that are not a record's (the listings), spread over the workers:
        1 254 of them at 10 000 records, most of a second in one process."""
        if self.local is not None:
            return self._serially(pages, lambda page: self.local.listing_pages([page]))
        size = -(-len(pages) // (self._processes() * 4))  # four chunks a worker
        return self._pooled(_run_pages, _chunks(pages, size))

    def _processes(self) -> int:
        return self.pool._max_workers  # type: ignore[union-attr]

    def volumes(self, jobs: list[VolumeJob]) -> list[RecordOutcome]:
        if self.local is not None:
            return self._serially(jobs, lambda job: [self.local.volume(job)])
        return self._pooled(_run_volumes, _chunks(jobs, 1))

    def _serially(self, items: list, run: Callable, received: Received | None = None
                  ) -> list[Any]:
        outcomes = []
        for done, item in enumerate(items, 1):
            outcomes.extend(batch := run(item))
            if received:
                received(batch)
            self.progress(done, len(items))
        return outcomes

    def _pooled(self, function: Callable, chunks: list[list], received: Received | None = None
                ) -> list[Any]:
        """What `function` gives for each chunk, in order, in one list: outcomes, or the
        diagnostics of pages."""
        outcomes: list[Any] = []
        done, total = 0, sum(len(chunk) for chunk in chunks)
        assert self.pool is not None
        # Not pool.map: on an exception its results cancel the work still queued, and a
        # pool whose workers are then stopped (stop_pool) fails in its own thread trying
        # to fail those cancelled futures (Python 3.11), printing a traceback.
        for chunk, future in [(chunk, self.pool.submit(function, chunk)) for chunk in chunks]:
            outcomes.extend(batch := future.result())
            if received:
                received(batch)
            done += len(chunk)
            self.progress(done, total)
        return outcomes


def _chunks(items: list, size: int) -> list[list]:
    size = max(1, size)
    return [items[i:i + size] for i in range(0, len(items), size)]


_pools: set[ProcessPoolExecutor] = set()  # in use by workers_for, in any thread


@contextmanager
def workers_for(work: RecordWork, count: int, workers: int | None,
                progress: Progress | None = None) -> Iterator[Workers]:
    """Workers for `count` records: a process pool when that pays, else this process."""
    workers = workers or os.cpu_count() or 1
    threshold = 4 if work.pdf else PARALLEL_THRESHOLD  # a PDF is worth a process
    if workers == 1 or count < threshold:
        yield Workers(work, None, progress)
        return
    pool = _new_pool(work, workers)
    _pools.add(pool)
    pool.submit(int)  # a first task starts every worker (a forking pool starts all at once)
    try:
        yield Workers(work, pool, progress)
    except BaseException:
        stop_pool(pool)  # Ctrl-C or an error: the chunks in flight are not waited for
        raise
    finally:
        pool.shutdown()
        _pools.discard(pool)



def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: workers terminated mid-chunk, so the pool breaks and every piece
    of work still queued fails (BrokenProcessPool) instead of running."""
    # No public way to end workers before Python 3.14's terminate_workers(); taken before
    # shutdown, which forgets them.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    pool.shutdown(wait=False)


def stop_all_pools() -> None:
    """The preview's Ctrl-C: its rebuild runs in another thread, whose pool would
    otherwise be waited for as Python exits (a whole rebuild: a minute on a big site)."""
    for pool in list(_pools):
        stop_pool(pool)


def link_counterparts(records: list[tuple[RecordFile, Publisher]],
                      summaries: list[TableSummary], work: RecordWork) -> list[Diagnostic]:
    """Render again, with links both ways, each report and target table of one project.

    Workers render each record knowing no other; once every summary is known, the few
    records whose project and year have both a report and a target table are rendered
    once more, here, with links to each other.
    """
    linked = counterparts([s for s in summaries if is_published(s, work.include_drafts)])
    if not linked or work.output is None:
        return []
    publisher = RecordPublisher(work)
    return [diagnostic for file, owner in records if file.shown_as in linked
            for diagnostic in publisher.relink(file, owner, linked[file.shown_as])]


def process_records(records: list[tuple[RecordFile, Publisher]], work: RecordWork,
                    workers: int | None = None) -> list[RecordOutcome]:
    """Every record's outcome, in input order; parallel when there are many."""
    with workers_for(work, len(records), workers) as pool:
        return pool.records(records)
