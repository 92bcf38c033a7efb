"""Load and validate the whole content tree into one `Site`, before anything is written.

Records are parsed and validated in worker processes when there are many (a cold build
of 10 000 records is mostly YAML parsing), then whole-site rules run once over all of them.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from .checks import check_funding
from .errors import Diagnostic, Diagnostics, Position
from .glossary import Glossary, load_glossary
from .load import load_yaml_file
from .model import Publisher, Site, TargetTable
from .project import Project, PublisherFile, RecordFile, discover
from .validate import RecordValidator, validate_publisher

PARALLEL_THRESHOLD = 200  # below this, starting workers costs more than it saves


@dataclass(frozen=True)
class LoadedRecord:
    file: RecordFile
    table: TargetTable | None
    diagnostics: list[Diagnostic]


def load_record(file: RecordFile, publisher: Publisher, glossary: Glossary) -> LoadedRecord:
    """Parse and validate one record file; never raises for bad input."""
    diagnostics = Diagnostics()
    node = load_yaml_file(file.path, file.shown_as, diagnostics)
    table = None
    if not diagnostics.has_errors():
        table = RecordValidator(glossary, diagnostics).record(
            node, record_id=file.record_id, publisher=publisher, folder_year=file.year,
            path=file.shown_as)
        if table is not None:
            check_funding(table, diagnostics)
    return LoadedRecord(file, table, diagnostics.items)


def load_publisher(file: PublisherFile, diagnostics: Diagnostics) -> Publisher | None:
    if not file.path.is_file():
        diagnostics.error(Position(file.shown_as), "this publisher has no publisher.yaml: "
                          "create it with at least `name: {zh: …, en: …}`", "missing-publisher")
        return None
    node = load_yaml_file(file.path, file.shown_as, diagnostics)
    return validate_publisher(node, file.publisher_id, file.shown_as, diagnostics)


_worker_glossary: Glossary | None = None


def _load_chunk(chunk: list[tuple[RecordFile, Publisher]]) -> list[LoadedRecord]:
    global _worker_glossary
    if _worker_glossary is None:
        _worker_glossary = load_glossary()
    return [load_record(file, publisher, _worker_glossary) for file, publisher in chunk]


def load_records(jobs: list[tuple[RecordFile, Publisher]], glossary: Glossary,
                 workers: int | None) -> list[LoadedRecord]:
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) < PARALLEL_THRESHOLD:
        return [load_record(file, publisher, glossary) for file, publisher in jobs]
    size = max(1, len(jobs) // (workers * 8))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    with ProcessPoolExecutor(workers) as pool:
        return [loaded for part in pool.map(_load_chunk, chunks) for loaded in part]


def load_site(project: Project, glossary: Glossary, diagnostics: Diagnostics,
              workers: int | None = None) -> Site:
    """Everything under content/, validated; problems of every file go to `diagnostics`."""
    publisher_files, record_files = discover(project, diagnostics)
    site = Site()
    for file in publisher_files:
        publisher = load_publisher(file, diagnostics)
        if publisher:
            site.publishers[publisher.id] = publisher
    jobs = [(f, site.publishers[f.publisher_id]) for f in record_files
            if f.publisher_id in site.publishers]
    for loaded in load_records(jobs, glossary, workers):
        diagnostics.extend(loaded.diagnostics)
        if loaded.table is not None:
            site.tables.append(loaded.table)
    check_site(site, record_files, diagnostics)
    return site


def check_site(site: Site, files: list[RecordFile], diagnostics: Diagnostics) -> None:
    """Rules across records: two files that would publish to the same address."""
    seen: dict[tuple[str, int, str], RecordFile] = {}
    for file in files:
        key = (file.publisher_id, file.year, file.record_id)
        if key in seen:
            diagnostics.error(Position(file.shown_as),
                              f"this record would be published at the same address as "
                              f"{seen[key].shown_as} (id '{file.record_id}'): rename one file",
                              "duplicate-id")
        else:
            seen[key] = file
    names: dict[tuple[str, int, str], TargetTable] = {}
    for table in site.tables:
        key = (table.publisher.id, table.year, table.project.name.zh)
        if key in names:
            diagnostics.warning(Position(table.source_path),
                                f"the project '{table.project.name.zh}' is also published by "
                                f"{names[key].source_path} for the same year: is it a duplicate?",
                                "duplicate-project")
        else:
            names[key] = table
