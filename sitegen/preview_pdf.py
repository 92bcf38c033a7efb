"""The preview's PDFs: made in the background, one worker process, after the page.

A saved record's pages are rebuilt first (the editor is looking at them); its PDFs
follow in a worker process (WeasyPrint's time limit is an alarm signal, which only a
main thread can take), through the same cache as `sitegen build`. A PDF asked for
before it exists (after start-up nothing is rendered: 10 000 records would take hours)
is made then. Until a PDF is ready, requests for it wait; a PDF that fails says why on
the error page, with file and line.
"""

from __future__ import annotations

import posixpath
import threading
from concurrent.futures import Future, ProcessPoolExecutor

from .errors import Diagnostic, Position
from .pipeline import RecordWork, pdf_worker, record_pdfs
from .preview_state import RecordState

PDF_WAIT = 120.0  # seconds a request waits for its PDF (the build's per-PDF limit)


def pdf_addresses(state: RecordState) -> list[str]:
    """Where a record's PDFs live in the preview: beside its pages, named by its id."""
    return [posixpath.join(posixpath.dirname(page), f"{state.file.record_id}.pdf")
            for page in state.addresses]


class PreviewPdfs:
    """Background PDF rendering for the preview; thread-safe."""

    def __init__(self, work: RecordWork) -> None:
        self.work = work
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._jobs: dict[str, Future[list[Diagnostic]]] = {}  # by PDF address
        self.problems: dict[str, list[Diagnostic]] = {}

    def refresh(self, state: RecordState) -> None:
        """A record was saved: make its PDFs again, in the background; a version still
        waiting its turn is not made at all."""
        job = self._pool_for().submit(record_pdfs, state.file, state.publisher)
        with self._lock:
            for address in pdf_addresses(state):
                superseded = self._jobs.get(address)
                if superseded is not None:
                    superseded.cancel()
                self._jobs[address] = job
        job.add_done_callback(lambda done: self._finished(state, done))

    def ensure(self, state: RecordState, address: str, exists: bool) -> list[Diagnostic]:
        """Block until the PDF at `address` is ready, making it if it was never made;
        returns its problems (none if it was made)."""
        with self._lock:
            job = self._jobs.get(address)
        if job is None and not exists:
            self.refresh(state)
            with self._lock:
                job = self._jobs.get(address)
        if job is not None:
            try:
                job.result(timeout=PDF_WAIT)
            except Exception:  # _finished reports a failed rendering, not the request
                if not job.done():  # other PDFs were asked for first, and the worker is one
                    return [Diagnostic(Position(state.file.shown_as), "error",
                                       f"its PDF is still being made after {PDF_WAIT:.0f} s "
                                       "(other PDFs were asked for first): reload this page "
                                       "in a while", "pdf")]
            self._finished(state, job)  # callbacks may run after the waiter wakes
        with self._lock:
            return list(self.problems.get(address, []))

    def forget(self, state: RecordState) -> None:
        """A record that went: no PDF of it is waited for or counts as a problem."""
        with self._lock:
            for address in pdf_addresses(state):
                self._jobs.pop(address, None)
                self.problems.pop(address, None)

    def restart(self, work: RecordWork) -> None:
        """Templates or theme changed: a new worker with the new settings."""
        self.close()
        with self._lock:
            self.work = work
            self.problems.clear()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
            self._jobs.clear()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _pool_for(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = pdf_worker(self.work)
            return self._pool

    def _finished(self, state: RecordState, job: Future[list[Diagnostic]]) -> None:
        if not job.done() or job.cancelled():
            return  # still running (a request stopped waiting), or superseded by a newer save
        try:
            diagnostics = job.result()
        except Exception as failure:  # a dead worker must not take the server down
            diagnostics = [Diagnostic(Position(state.file.shown_as), "error",
                                      f"the PDF could not be made: {failure}", "pdf")]
        errors = [d for d in diagnostics if d.severity == "error"]
        with self._lock:
            for address in pdf_addresses(state):
                if self._jobs.get(address) is not job:
                    continue  # a newer job owns this PDF now
                del self._jobs[address]
                if errors:
                    self.problems[address] = errors
                else:
                    self.problems.pop(address, None)

    def all_problems(self) -> list[Diagnostic]:
        """Every PDF's problems, once each (a record's two PDFs fail alike)."""
        with self._lock:
            return list(dict.fromkeys(d for found in self.problems.values() for d in found))
