"""Where a project's parts live, and which content files it has.

A project is a folder with `content/`, `templates/` and `theme/`; output goes to `build/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Diagnostics, Position, relative
from .values import (
    NAME_RULE,
    YEAR_FOLDER,
    publisher_name_problem,
    record_name_problem,
)

RECORD_SUFFIXES = (".yaml", ".yml")
PUBLISHER_FILE = "publisher.yaml"  # content/<publisher>/publisher.yaml


@dataclass(frozen=True)
class Project:
    root: Path

    def __post_init__(self) -> None:
        # Absolute, whatever the caller gave: WeasyPrint's base URL and the fetcher's
        # project boundary are file URIs, which a relative path cannot be.
        object.__setattr__(self, "root", self.root.absolute())

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def theme_dir(self) -> Path:
        return self.root / "theme"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def shown(self, path: Path) -> str:
        return relative(path, self.root)


@dataclass(frozen=True)
class RecordFile:
    """A record found on disk: where it is and what its place in the tree says."""

    path: Path
    shown_as: str
    publisher_id: str
    year: int
    record_id: str

    @property
    def publisher_file(self) -> Path:
        """Its publisher's file, content/<publisher>/publisher.yaml: its pages and PDFs
        show what that file says too."""
        return self.path.parent.parent / PUBLISHER_FILE


@dataclass(frozen=True)
class PublisherFile:
    path: Path
    shown_as: str
    publisher_id: str


def discover(project: Project, diagnostics: Diagnostics
             ) -> tuple[list[PublisherFile], list[RecordFile]]:
    """Every publisher and record file under content/, in a stable order."""
    publishers: list[PublisherFile] = []
    records: list[RecordFile] = []
    if not project.content_dir.is_dir():
        diagnostics.error(Position(project.shown(project.content_dir)),
                          "there is no content/ folder here: run sitegen in a project folder "
                          "or pass --project DIR")
        return publishers, records
    for folder in sorted(p for p in project.content_dir.iterdir() if p.is_dir()):
        if folder.name.startswith("."):
            continue
        if problem := publisher_name_problem(folder.name):
            diagnostics.error(Position(project.shown(folder)), problem)
            continue
        publishers.append(PublisherFile(folder / PUBLISHER_FILE,
                                        project.shown(folder / PUBLISHER_FILE), folder.name))
        records.extend(_records_of(project, folder, diagnostics))
    return publishers, records


def _meant_as_record(path: Path) -> str | None:
    """What to do about a file that is surely meant as a record but will not be read as
    one: `x.YAML`, or `x.yaml.txt`, which Notepad saves while Windows hides the `.txt`.
    Other files (the source document kept beside its record, say) are not records, and
    not reported."""
    stem, _, suffix = path.name.lower().rpartition(".")
    inner, _, extra = stem.rpartition(".")
    if stem and f".{suffix}" in RECORD_SUFFIXES:
        record_id = stem
    elif inner and f".{extra}" in RECORD_SUFFIXES and suffix == "txt":
        record_id = inner
    else:
        return None
    if not path.is_file():
        return None
    said = "ignored, because a record's name ends in .yaml"
    if record_name_problem(record_id):
        return f"{said}: if this file is a record, rename it <id>.yaml ({NAME_RULE})"
    if (path.parent / f"{record_id}.yaml").exists():
        return (f"{said}; {record_id}.yaml is beside it: if this file is the record, "
                "put it in that one's place")
    return f"{said}: if this file is a record, rename it {record_id}.yaml"


def _records_of(project: Project, folder: Path, diagnostics: Diagnostics) -> list[RecordFile]:
    found = []
    for year_dir in sorted(folder.iterdir()):
        if year_dir.name.startswith(".") or year_dir.name == "publisher.yaml":
            continue
        if not (year_dir.is_dir() and YEAR_FOLDER.fullmatch(year_dir.name)):
            diagnostics.warning(Position(project.shown(year_dir)),
                                "ignored: a publisher folder holds publisher.yaml and one "
                                "folder per year (e.g. 2023/)")
            continue
        # The folder's shown path once, not each file's: resolving every file's path cost
        # 0.3 s of a 10 000-record build's serial start.
        shown_folder = project.shown(year_dir)
        for path in sorted(year_dir.iterdir()):
            if path.name.startswith("."):
                continue
            if path.suffix not in RECORD_SUFFIXES:
                if meant := _meant_as_record(path):
                    diagnostics.warning(Position(f"{shown_folder}/{path.name}"), meant)
                continue
            shown = f"{shown_folder}/{path.name}"
            if problem := record_name_problem(path.stem):
                diagnostics.error(Position(shown), problem)
                continue
            found.append(RecordFile(path, shown, folder.name, int(year_dir.name), path.stem))
    return found
