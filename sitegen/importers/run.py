"""`sitegen import`: files → grids → tables → records written under OUT/<year>/.

Each file is read by its kind (.docx, .xlsx, anything else as a text export), cut into
tables at their form titles, and each table becomes one record. A record is never
written over an existing file unless `force`; the outcome of every file and table is
returned for the command to report, and the exit status follows from it.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..glossary import Glossary, load_glossary
from ..values import publisher_name_problem
from . import emit
from .draft import Block
from .grid import Cell, Grid
from .recognise import TablePart, split_tables
from .record import read_table
from .text import UnreadableFile, read_text

HEADER = ("Imported by `sitegen import` from {source}.",
          "It is a draft (`draft: true`): it is not published. Check what every REVIEW note",
          "below says and fix the record, then delete the note; once none is left, delete",
          "`draft: true` to publish it. `sitegen check` lists the notes still here.")
DRAFTS = ("the records are drafts: check and delete every REVIEW note in them (`sitegen check` "
          "lists them), then delete `draft: true` to publish each one")


@dataclass
class TableOutcome:
    """One table's record, where it went, and how many of its cells were placed."""

    source: str
    record: Block
    placed: int
    noise: int
    unplaced: list[Cell]
    reviews: int
    path: Path | None = None
    refused: str | None = None


@dataclass
class FileOutcome:
    """One input file: its tables, or the one-line reason it could not be imported."""

    path: Path
    tables: list[TableOutcome] = field(default_factory=list)
    error: str | None = None


def import_files(paths: list[Path], out: Path, force: bool = False,
                 glossary: Glossary | None = None) -> list[FileOutcome]:
    """Import every file; records go to `out/<year>/<id>.yaml`."""
    glossary = glossary or load_glossary()
    taken: set[Path] = set()
    outcomes = []
    for path in paths:
        outcome = FileOutcome(path)
        try:
            parts = tables_of(read_grids(path))
        except (UnreadableFile, OSError) as failure:
            outcome.error = getattr(failure, "strerror", None) or str(failure)
            outcomes.append(outcome)
            continue
        if not parts:
            outcome.error = ("not a target table: no form title such as 财政项目支出绩效目标表 "
                             "was found in it")
        for part in parts:
            table = _import_table(part, glossary)
            table.path = _record_path(out, path, part.index if len(parts) > 1 else 0,
                                      table.record, taken)
            table.refused = _write(table.path, render(table), force)
            outcome.tables.append(table)
        outcomes.append(outcome)
    return outcomes


def read_grids(path: Path) -> list[Grid]:
    """The grids of a file, by its kind."""
    if not path.is_file():
        raise UnreadableFile("there is no such file" if not path.exists() else
                             "this is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from .docx import read_docx

        return [read_docx(path)]
    if suffix in (".xlsx", ".xlsm"):
        from .xlsx import read_xlsx

        return read_xlsx(path)
    if suffix in (".doc", ".xls", ".pdf"):
        raise UnreadableFile(f"{suffix} files cannot be read: save it as .docx/.xlsx, or "
                             "export its text")
    return [read_text(path)]


def tables_of(grids: list[Grid]) -> list[TablePart]:
    parts: list[TablePart] = []
    for grid in grids:
        parts.extend(split_tables(grid, len(parts) + 1))
    return parts


def _import_table(part: TablePart, glossary: Glossary) -> TableOutcome:
    record, ctx = read_table(part, glossary)
    ledger = ctx.ledger
    # One note a cell: each is checked, and deleted, on its own.
    ctx.reviews.extend(f"not placed: {cell.where}: '{_short(cell.text)}': add it where it "
                       "belongs, or leave it out" for cell in ledger.unplaced)
    record.reviews[:0] = ctx.reviews
    return TableOutcome(record["source"], record, len(ledger.placed), len(ledger.noise),
                        list(ledger.unplaced), _count_reviews(record))


def render(table: TableOutcome) -> str:
    return emit.emit(table.record, [line.format(source=table.source) for line in HEADER])


def _count_reviews(value: object) -> int:
    found = len(getattr(value, "reviews", []))
    children = value.values() if isinstance(value, dict) else (
        value if isinstance(value, list) else [])
    return found + sum(_count_reviews(child) for child in children)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:57] + "…"


def _record_path(out: Path, source: Path, number: int, record: Block,
                 taken: set[Path]) -> Path:
    """`out/<year>/<file name as a slug>[-<n>].yaml`, unique within this run."""
    slug = re.sub(r"[^a-z0-9]+", "-", source.stem.lower()).strip("-") or "table"
    if number:
        slug = f"{slug}-{number}"
    folder = out / str(record.get("year") or "undated")
    path, extra = folder / f"{slug}.yaml", 2
    while path in taken:
        path, extra = folder / f"{slug}-{extra}.yaml", extra + 1
    taken.add(path)
    return path


def _write(path: Path, text: str, force: bool) -> str | None:
    """Write atomically; refuse to replace an existing record unless forced."""
    if path.exists() and not force:
        return "a record already exists there (use --force to replace it)"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".import-",
                                             suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as failure:
        return f"cannot write it: {failure.strerror or failure}"
    return None


def run_import(files: list[Path], content: Path, publisher: str | None, out: Path | None,
               force: bool, shown: Callable[[Path], str]) -> tuple[list[str], int]:
    """The whole command: lines to print and the exit status (0, 1 error, 2 unplaced)."""
    if out is None and publisher is None:
        return ["sitegen import: give --publisher NAME (records go to content/NAME/) or "
                "--out DIR"], 1
    if publisher is not None and (problem := publisher_name_problem(publisher)):
        return [f"sitegen import: {problem}"], 1
    target = out or content / str(publisher)
    outcomes = import_files(files, target, force)
    lines = summary(outcomes, shown)
    written = [t for o in outcomes for t in o.tables if not t.refused]
    if publisher is not None and written:
        made = _publisher_file(target, written[0].record)
        lines += [f"wrote {shown(made)}: check the publisher's name"] if made else []
    lines += [DRAFTS] if written else []
    failed = any(o.error or any(t.refused for t in o.tables) for o in outcomes)
    unplaced = any(t.unplaced for o in outcomes for t in o.tables)
    return lines, 1 if failed else 2 if unplaced else 0


def summary(outcomes: list[FileOutcome], shown: Callable[[Path], str]) -> list[str]:
    lines = []
    for outcome in outcomes:
        if outcome.error:
            lines.append(f"{outcome.path.name}: error: {outcome.error}")
        for table in outcome.tables:
            lines.extend(_table_lines(table, shown))
    tables = [t for o in outcomes for t in o.tables]
    if tables:
        missing = sum(len(t.unplaced) for t in tables)
        lines.append(f"{sum(not t.refused for t in tables)} record(s) written, "
                     f"{missing} cell(s) not placed")
    return lines


def _table_lines(table: TableOutcome, shown: Callable[[Path], str]) -> list[str]:
    where = shown(table.path) if table.path else "?"
    if table.refused:
        return [f"{where}: not written: {table.refused}"]
    lines = [f"wrote {where} ({table.source}, {table.record['form']}): {table.placed} cells "
             f"placed, {table.noise} dropped as noise, {len(table.unplaced)} not placed, "
             f"{table.reviews} note(s) to review"]
    file = table.source.rsplit("#", 1)[0]
    lines += [f"{file}:{cell.where}: not placed: '{_short(cell.text)}'"
              for cell in table.unplaced]
    return lines


def _publisher_file(folder: Path, record: Block) -> Path | None:
    """A publisher.yaml for a new publisher folder, named after the form's department."""
    path = folder / "publisher.yaml"
    if path.exists():
        return None
    project = record.get("project", {})
    name = project.get("competent_department") or project.get("reporting_unit") or "发布单位"
    _write(path, "# REVIEW: written by `sitegen import`; check the name and add its English\n"
                 f"name: {emit.scalar(name)}\nshow_contact_person: false\n", force=False)
    return path
