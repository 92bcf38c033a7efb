"""What the preview server reads of the site while the rebuilder changes it.

Every record's last good summary and current problems, which page belongs to which
record, and which pages are being rebuilt right now: a request for one of those waits
until it is fresh (STYLE.md: requests wait while a build runs), any other is answered at
once. One condition variable guards it all; the rebuilder holds it only briefly.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Diagnostic, Diagnostics
from .model import Publisher
from .project import RecordFile
from .site import LANGUAGES, TableSummary, table_path

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


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace a file in one step, so a request never reads a page half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
    temporary.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    os.replace(temporary, path)


class PreviewState:
    """The in-memory site as the server sees it."""

    def __init__(self) -> None:
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
        found.extend(self.pdf_problems())
        return found.sorted()

    def pdf_problems(self) -> list[Diagnostic]:
        """Problems of the PDFs made so far (none where none are made)."""
        return []

    def error_count(self) -> int:
        return sum(1 for d in self.problems() if d.severity == "error")

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
