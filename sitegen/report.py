"""Reporting progress and diagnostics through one object, never bare `print()`."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

from .errors import Diagnostic

REPEATS_SHOWN = 5  # the same warning for many records is counted, not repeated


class Reporter:
    """Receives what a run has to say; subclasses decide where it goes."""

    def info(self, message: str) -> None:  # pragma: no cover - interface
        pass

    def progress(self, label: str, done: int, total: int) -> None:  # pragma: no cover
        pass

    def diagnostics(self, items: list[Diagnostic]) -> None:  # pragma: no cover - interface
        pass


@dataclass
class RecordingReporter(Reporter):
    """Keeps everything, for tests and the preview server."""

    messages: list[str] = field(default_factory=list)
    reported: list[Diagnostic] = field(default_factory=list)

    def info(self, message: str) -> None:
        self.messages.append(message)

    def diagnostics(self, items: list[Diagnostic]) -> None:
        self.reported.extend(items)


class TerminalReporter(Reporter):
    """Plain lines on stderr; a progress bar only when stderr is a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.every_warning = False  # `check --all`, `--strict`: no repeats counted away

    def info(self, message: str) -> None:
        print(message, file=self.stream)

    def progress(self, label: str, done: int, total: int) -> None:
        if not self.live or not total:
            return
        width = 30
        filled = width * done // total
        end = "\n" if done >= total else ""
        print(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end,
              file=self.stream, flush=True)

    def diagnostics(self, items: list[Diagnostic]) -> None:
        seen: Counter[tuple[str, str]] = Counter()
        hidden: Counter[str] = Counter()
        for item in items:
            key = (item.severity, item.code or item.message)
            seen[key] += 1
            if (item.severity == "warning" and item.code and seen[key] > REPEATS_SHOWN
                    and not self.every_warning):
                hidden[item.code] += 1
                continue
            print(item, file=self.stream)
        for code, count in sorted(hidden.items()):
            print(f"... and {count} more warning(s) of the same kind ({code}); "
                  "`sitegen check --all` lists every one", file=self.stream)
        errors = sum(1 for item in items if item.severity == "error")
        warnings = len(items) - errors
        if items:
            print(f"{errors} error(s), {warnings} warning(s)", file=self.stream)
