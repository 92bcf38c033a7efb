"""The build, top to bottom: plan content → records (parallel) → listings → write atomically.

A no-change rebuild is recognised by a fingerprint of every input (content, templates,
theme, glossary, sitegen itself) kept in `build/.sitegen-build.json`; it rebuilds nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from . import __version__
from .collector import collector_paused
from .content import check_site, plan_content
from .data_export import (
    INDICATORS_CSV,
    TABLES_CSV,
    TABLES_CSV_HEADER,
    rows_of,
    to_csv,
)
from .errors import BuildError, Diagnostic, Diagnostics, Position
from .glossary import DATA_DIR, load_glossary
from .pipeline import (
    PdfSettings,
    RecordOutcome,
    RecordWork,
    VolumeJob,
    link_counterparts,
    process_records,
    workers_for,
)
from .project import PUBLISHER_FILE, Project
from .report import Reporter
from .search_index import IndexResult, engine_version, index_site
from .site import LANGUAGES, TableSummary, home_path, is_published, listing_pages, listings
from .write import StagedOutput

MANIFEST = ".sitegen-build.json"
ROOT_REDIRECT = """<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>预算绩效目标公开</title>
<meta http-equiv="refresh" content="0; url={target}">
<link rel="canonical" href="{target}"></head>
<body><p><a href="{target}">预算绩效目标公开</a></p></body>
</html>
"""


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    pages: int
    seconds: float
    up_to_date: bool = False
    pdfs_rendered: int = 0
    volumes_rendered: int = 0
    search_pages: int = 0
    search_seconds: float = 0.0


def check(project: Project, workers: int | None = None
          ) -> tuple[Diagnostics, list[TableSummary]]:
    """Validate everything; returns the diagnostics and a summary of each valid record."""
    diagnostics = Diagnostics()
    plan = plan_content(project, diagnostics)
    outcomes = process_records(plan.records, RecordWork(load_glossary()), workers)
    for outcome in outcomes:
        diagnostics.extend(outcome.diagnostics)
    summaries = [o.summary for o in outcomes if o.summary]
    check_site(summaries, plan.files, diagnostics)
    return diagnostics, summaries


def input_files(project: Project) -> list[tuple[str, str]]:
    """(path within its folder, path) of every file the output depends on: content,
    templates, theme, glossary and sitegen itself, in a fixed order."""
    code = Path(__file__).parent
    return [entry for folder in (project.content_dir, project.templates_dir,
                                 project.theme_dir, DATA_DIR, code)
            for entry in _files_under(str(folder))]


def input_fingerprint(options: str, files: list[tuple[str, str]],
                      known: Mapping[str, bytes | None] | None = None) -> str:
    """A digest of every byte the output depends on, and of the build's options. `known`:
    digests already taken (None: unreadable); the other files are read now."""
    digest = hashlib.sha256(f"sitegen {__version__} {options}\n".encode())
    for relative, path in files:
        digest.update(f"{relative}\0".encode())
        if known is not None and path in known:
            digest.update(known[path] or b"unreadable")
        else:
            digest.update(file_digest(path))
    return digest.hexdigest()


def file_digest(path: str) -> bytes:
    try:
        with open(path, "rb") as source:
            return hashlib.sha256(source.read()).digest()
    except OSError:  # the build itself reports it, naming the file
        return b"unreadable"


def _record_files(project: Project, files: list[tuple[str, str]]) -> int:
    """How many record files content/ holds, as far as their names tell (for the choice
    of workers, before the content is planned)."""
    return sum(1 for _, path in files
               if path.endswith(".yaml") and _is_record_file(project, path))


def _is_record_file(project: Project, path: str) -> bool:
    """Under content/ and not a publisher's own file."""
    return (path.startswith(f"{project.content_dir}{os.sep}")
            and os.path.basename(path) != PUBLISHER_FILE)


def _read_before_the_records(project: Project, files: list[tuple[str, str]]
                             ) -> dict[str, bytes]:
    """Digests of every input but the records, taken before any worker starts.

    With no previous build to compare against, a full build need not read every record
    twice (0.2-0.7 s before anything else could start, at 10 000 records): each worker
    hashes the bytes it parses (RecordOutcome.source_digest). What this process reads
    (publisher files) and what the workers read later (templates, theme, glossary) is
    hashed here first, so that an edit made during the build never goes into the
    fingerprint without going into the site, which would leave it stale yet "up to date".
    """
    return {path: file_digest(path) for _, path in files
            if not _is_record_file(project, path)}


def _files_under(folder: str, prefix: str = "", seen: frozenset[str] = frozenset()
                 ) -> Iterator[tuple[str, str]]:
    """(path relative to `folder`, path) of every file below it, in a fixed order, skipping
    __pycache__. Linked folders are entered, as content discovery enters them (a record
    in a linked publisher folder must count), but never one already being walked: a link
    to a parent is not a loop. os.scandir and str paths, not Path.rglob: at 10 000 records
    pathlib's own work was most of this serial start of every build."""
    real = os.path.realpath(folder)
    if real in seen:
        return
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _files_under(entry.path, f"{prefix}{entry.name}/", seen | {real})
        elif entry.is_file():
            yield f"{prefix}{entry.name}", entry.path


def _previous_build(output: Path, fingerprint: str) -> list[Diagnostic] | None:
    """The warnings of the previous build if it was made from exactly these inputs."""
    try:
        manifest = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("fingerprint") != fingerprint:
        return None
    return [Diagnostic(Position(*w["position"]), "warning", w["message"], w["code"])
            for w in manifest.get("warnings", [])]


def _manifest(fingerprint: str, diagnostics: Diagnostics) -> str:
    warnings = [{"position": [d.position.path, d.position.line, d.position.column],
                 "message": d.message, "code": d.code} for d in diagnostics.sorted()]
    return json.dumps({"fingerprint": fingerprint, "warnings": warnings},
                      ensure_ascii=False, indent=1) + "\n"


def build(project: Project, reporter: Reporter, workers: int | None = None,
          include_drafts: bool = False, output: Path | None = None,
          pdf: bool = True, search: bool = True) -> BuildResult:
    """Build the site into `build/`; raises BuildError (with all diagnostics) on errors."""
    started = time.perf_counter()
    output = output or project.build_dir
    search = search and not include_drafts  # an index of drafts must never exist
    engine = engine_version() if search else "off"
    options = f"drafts={include_drafts} pdf={pdf} search={engine}"
    files = input_files(project)
    fingerprint, read_early = None, {}
    if (output / MANIFEST).is_file():  # a build to compare with: every input read now
        fingerprint = input_fingerprint(options, files)
        warnings = _previous_build(output, fingerprint)
        if warnings is not None:
            return BuildResult(Diagnostics(warnings), 0, time.perf_counter() - started, True)
    else:
        read_early = _read_before_the_records(project, files)
    glossary = load_glossary()
    diagnostics = Diagnostics()
    templates = _templates_and_theme(project, diagnostics)
    with StagedOutput(output) as out:
        work = RecordWork(glossary, templates, out.staging, include_drafts,
                          pdf_settings(project) if pdf and _pdf_possible(project, diagnostics)
                          else None, search_words=search)
        progress = lambda done, total: reporter.progress("records", done, total)  # noqa: E731
        # The workers start, and compile their templates, while this process plans.
        with (workers_for(work, _record_files(project, files), workers, progress) as pool,
              SiteCsvs(out) as site_csvs):
            plan = plan_content(project, diagnostics)
            with collector_paused():  # outcomes hold no cycles: 0.2 s of collections, else
                outcomes = pool.records(plan.records, site_csvs.append)
            summaries = _collect(outcomes, diagnostics)
            check_site(summaries, plan.files, diagnostics)  # ids and addresses unique
            _stop_on_errors(diagnostics)  # the records' errors and the site's, together
            diagnostics.extend(link_counterparts(plan.records, summaries, work))
            volumes: list[RecordOutcome] = []
            if pdf:
                pool.progress = lambda done, total: reporter.progress("volumes", done, total)
                volumes = pool.volumes(volume_jobs(outcomes, include_drafts))
                _collect(volumes, diagnostics)
                _stop_on_errors(diagnostics)
            pages = listing_pages(listings(summaries, include_drafts), with_pdf=pdf)
            pool.progress = lambda done, total: reporter.progress("listings", done, total)
            diagnostics.extend(pool.pages(pages))
        _stop_on_errors(diagnostics)
        out.copy_tree(project.theme_dir, "theme")
        out.write_text("index.html", ROOT_REDIRECT.format(target=home_path()))
        published = sum(1 for s in summaries if include_drafts or not s.draft)
        indexed = _search_index(out.staging, output.name, search and published > 0, reporter,
                                diagnostics)
        if fingerprint is None:
            fingerprint = input_fingerprint(options, files, read_early | {
                str(outcome.file.path): outcome.source_digest for outcome in outcomes})
        out.write_text(MANIFEST, _manifest(fingerprint, diagnostics))
        rendered = sum(o.pdfs_rendered for o in outcomes)
    return BuildResult(diagnostics, len(pages) + published * len(LANGUAGES),
                       time.perf_counter() - started, pdfs_rendered=rendered,
                       volumes_rendered=sum(o.pdfs_rendered for o in volumes),
                       search_pages=indexed.pages, search_seconds=indexed.seconds)


def _collect(outcomes: list[RecordOutcome], diagnostics: Diagnostics) -> list[TableSummary]:
    """The summaries of the valid records; every outcome's diagnostics into `diagnostics`."""
    for outcome in outcomes:
        diagnostics.extend(outcome.diagnostics)
    return [o.summary for o in outcomes if o.summary]


def _stop_on_errors(diagnostics: Diagnostics) -> None:
    if diagnostics.has_errors():
        raise BuildError(diagnostics)


class SiteCsvs:
    """The site's two CSVs, in the records' order (content/'s publishers, years and
    files), appended to as each chunk of records comes back from the workers:

    - data/indicators.csv: every target table's indicator rows, its CSV file's without
      the header. Written after the workers, file by file, it was 148 MB at 10 000
      records and 0.2-0.65 s of the build's serial end. It appends exactly the files
      RecordOutcome.data_csv names, all in CSV_HEADER's columns: a report's CSV (scores,
      columns of its own) is never named there.
    - data/tables.csv: each published record's line, made by its worker.
    """

    def __init__(self, out: StagedOutput) -> None:
        self.folder = out.staging
        self.targets = (out.path(INDICATORS_CSV), out.path(TABLES_CSV))
        self.files: tuple[BinaryIO, ...] = ()

    def __enter__(self) -> SiteCsvs:
        self.files = tuple(open(target, "wb") for target in self.targets)  # noqa: SIM115
        indicators, tables = self.files
        # Each with its byte-order mark and header.
        indicators.write(to_csv([]).encode("utf-8"))
        tables.write(to_csv([], TABLES_CSV_HEADER).encode("utf-8"))
        return self

    def append(self, outcomes: list[RecordOutcome]) -> None:
        # One write a chunk to each, and each table's CSV read by name, not through
        # pathlib: 10 000 of them in the one process the workers leave a core's share to.
        indicators, tables = self.files
        indicators.write(b"".join(rows_of(_read_file(f"{self.folder}/{outcome.data_csv}"))
                                  for outcome in outcomes if outcome.data_csv))
        tables.write(b"".join(outcome.tables_csv_line for outcome in outcomes
                              if outcome.tables_csv_line))

    def __exit__(self, *exception: object) -> None:
        for file in self.files:
            file.close()


def _read_file(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def _search_index(staging: Path, shown_as: str, wanted: bool, reporter: Reporter,
                  diagnostics: Diagnostics) -> IndexResult:
    """The search index of the finished pages in the staging folder, so that a failure
    (an error diagnostic) leaves `build/` and its old index as they were."""
    if not wanted:
        return IndexResult(0, 0.0)
    reporter.progress("search index", 0, 1)
    indexed = index_site(staging, diagnostics, shown_as)
    if diagnostics.has_errors():
        raise BuildError(diagnostics)
    reporter.progress("search index", 1, 1)
    return indexed


def volume_jobs(outcomes: list[RecordOutcome], include_drafts: bool) -> list[VolumeJob]:
    """One PDF volume per publisher and year, of the records that were published."""
    jobs: dict[tuple[str, int], VolumeJob] = {}
    for outcome in outcomes:
        summary = outcome.summary
        # Volumes gather target tables; evaluation reports have no PDF yet (issue #8).
        if (summary and summary.kind == "target-table"
                and is_published(summary, include_drafts)):
            job = jobs.setdefault((summary.publisher.id, summary.year),
                                  VolumeJob(summary.publisher, summary.year))
            job.files.append(outcome.file)
    return [jobs[key] for key in sorted(jobs)]


def _templates_and_theme(project: Project, diagnostics: Diagnostics) -> Path | None:
    """The templates folder, if there is one. Without it the records are still checked,
    every one, and the run stops with one error, not one per page; without the theme
    folder the pages are made, but with no stylesheet, which the run says."""
    if not project.theme_dir.is_dir():
        diagnostics.warning(Position(project.shown(project.theme_dir)),
                            "there is no theme/ folder here: the pages will have no "
                            "stylesheet (copy sitegen's own theme/ into the project)", "theme")
    if project.templates_dir.is_dir():
        return project.templates_dir
    diagnostics.error(Position(project.shown(project.templates_dir)),
                      "there is no templates/ folder here: the pages are made from its "
                      "Jinja templates (copy sitegen's own templates/ into the project)",
                      "templates")
    return None


def _pdf_possible(project: Project, diagnostics: Diagnostics) -> bool:
    """PDFs need the print stylesheet; without it the run says so and makes none."""
    stylesheet = project.theme_dir / "print.css"
    if stylesheet.is_file():
        return True
    diagnostics.error(Position(project.shown(stylesheet)), "the print stylesheet is missing: "
                      "PDFs are made with it (restore it, or build with --no-pdf)", "pdf")
    return False


def pdf_settings(project: Project) -> PdfSettings:
    from .pdf import PDF_VARIANT, font_file
    from .pdfcache import environment_digest

    environment = environment_digest(project.templates_dir, project.theme_dir, font_file()[0],
                                     PDF_VARIANT)
    return PdfSettings(project.root, project.theme_dir, project.root / ".sitegen-cache" / "pdf",
                       environment, PDF_VARIANT)
