"""Diagnostics: errors and warnings as values with positions, collected across a run.

Every stage appends to one `Diagnostics`; the CLI prints them once, grouped by file, the
preview server shows them in the browser, and the tests assert on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]


class Position(NamedTuple):
    """A place in a source file: 1-based line and column.

    A named tuple, not a frozen dataclass: a record makes hundreds (every text and
    indicator keeps its own), and a frozen dataclass's __init__ costs three times as much.
    Immutable and ordered (path, line, column) all the same.
    """

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.column or 1}"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the input, in plain words with how to fix it."""

    position: Position
    severity: Severity
    message: str
    code: str = ""

    def __str__(self) -> str:
        return f"{self.position}: {self.severity}: {self.message}"


@dataclass
class Diagnostics:
    """All problems of one run, in the order they were found."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, position: Position, message: str, code: str = "") -> None:
        self.items.append(Diagnostic(position, "error", message, code))

    def warning(self, position: Position, message: str, code: str = "") -> None:
        self.items.append(Diagnostic(position, "warning", message, code))

    def extend(self, other: Diagnostics | list[Diagnostic]) -> None:
        self.items.extend(other.items if isinstance(other, Diagnostics) else other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        """By file, then line: how an editor works through them; each once (a broken
        template is met by every page that uses it, and said once)."""
        return sorted(dict.fromkeys(self.items),
                      key=lambda d: (d.position, d.severity != "error"))


class BuildError(Exception):
    """A build stopped by diagnostics; carries them so the caller can report them."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        super().__init__(f"{len(diagnostics.errors)} error(s)")
        self.diagnostics = diagnostics


def relative(path: Path, root: Path) -> str:
    """A path as the editor knows it: relative to the project when inside it.

    Its folder is resolved, its own name kept: a record file that is a symlink is named
    as the link in content/, the file the editor opens (as `project.discover` names it).
    """
    try:
        named = path.parent.resolve() / path.name if path.name not in ("", "..") else (
            path.resolve())
        return named.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
