"""The per-record work of a build, spread over worker processes.

Each worker loads, validates and renders its records and writes their pages straight
into the staging folder, returning only a small summary and the diagnostics: shipping
whole tables between processes (pickling) cost as much as rendering them. A record with
errors renders nothing, and any error anywhere discards the staging folder, so the
"validate everything before publishing anything" rule still holds for `build/`.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .content import load_record
from .errors import Diagnostic, Diagnostics
from .glossary import Glossary
from .model import Publisher
from .project import RecordFile
from .render import HtmlRenderer, render_page
from .site import TableSummary, is_published, summarize, table_pages

PARALLEL_THRESHOLD = 200  # below this, starting workers costs more than it saves


@dataclass(frozen=True)
class RecordOutcome:
    file: RecordFile
    summary: TableSummary | None
    diagnostics: list[Diagnostic]


@dataclass(frozen=True)
class RecordWork:
    """What every worker needs; `output` None means check only, render nothing."""

    glossary: Glossary
    templates_dir: Path | None = None
    output: Path | None = None
    include_drafts: bool = False


class RecordPublisher:
    """Per-process state: one Jinja environment, reused for every record."""

    def __init__(self, work: RecordWork) -> None:
        self.work = work
        self.renderer = (HtmlRenderer(work.templates_dir, work.glossary)
                         if work.output and work.templates_dir else None)

    def __call__(self, file: RecordFile, publisher: Publisher) -> RecordOutcome:
        loaded = load_record(file, publisher, self.work.glossary)
        table, diagnostics = loaded.table, Diagnostics(list(loaded.diagnostics))
        if table is None:
            return RecordOutcome(file, None, diagnostics.items)
        if (self.renderer and self.work.output and not diagnostics.has_errors()
                and is_published(table, self.work.include_drafts)):
            for page in table_pages(table):
                html = render_page(self.renderer, page, diagnostics)
                target = self.work.output / page.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(html, encoding="utf-8")
        return RecordOutcome(file, summarize(table), diagnostics.items)


_worker: RecordPublisher | None = None


def _start_worker(work: RecordWork) -> None:
    global _worker
    _worker = RecordPublisher(work)


def _run_chunk(chunk: list[tuple[RecordFile, Publisher]]) -> list[RecordOutcome]:
    assert _worker is not None
    return [_worker(file, publisher) for file, publisher in chunk]


def process_records(records: list[tuple[RecordFile, Publisher]], work: RecordWork,
                    workers: int | None = None) -> list[RecordOutcome]:
    """Every record's outcome, in input order; parallel when there are many."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(records) < PARALLEL_THRESHOLD:
        publisher = RecordPublisher(work)
        return [publisher(file, owner) for file, owner in records]
    size = max(1, min(64, len(records) // (workers * 4)))
    chunks = [records[i:i + size] for i in range(0, len(records), size)]
    method = "fork" if sys.platform == "linux" else None
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                             initializer=_start_worker, initargs=(work,)) as pool:
        return [outcome for part in pool.map(_run_chunk, chunks) for outcome in part]
