"""Load and validate content: publishers, records, and the rules across records.

`load_record` is the unit of work (one file → one validated table + diagnostics); the
build runs it in worker processes, the preview server in-process. Whole-site rules run
once over the summaries of all records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from .checks import check_funding, check_placeholders
from .checks_report import check_report
from .errors import Diagnostic, Diagnostics, Position
from .evaluation import EvaluationReport
from .glossary import Glossary
from .load import parse_source, read_source
from .model import Publisher, Site, TargetTable
from .project import Project, PublisherFile, RecordFile, discover
from .review_notes import check_publisher_notes, check_record_notes, review_notes
from .site import TableSummary, summarize
from .translation import audit_translations
from .validate import RecordValidator, validate_publisher
from .validate_report import ReportValidator, is_report


@dataclass(frozen=True)
class LoadedRecord:
    file: RecordFile
    table: TargetTable | EvaluationReport | None
    diagnostics: list[Diagnostic]
    source: bytes | None = None  # the bytes parsed: PDFs attach them and key their cache on them

    @property
    def source_digest(self) -> bytes | None:
        """SHA-256 of the bytes parsed (build.py's fingerprint)."""
        return None if self.source is None else hashlib.sha256(self.source).digest()


def load_record(file: RecordFile, publisher: Publisher, glossary: Glossary,
                data: bytes | None = None) -> LoadedRecord:
    """Parse and validate one record file (or `data`, its bytes as already read); never
    raises for bad input."""
    diagnostics = Diagnostics()
    data = data if data is not None else read_source(file.path, file.shown_as, diagnostics)
    if data is None:
        return LoadedRecord(file, None, diagnostics.items)
    node = parse_source(data, file.shown_as, diagnostics)
    if diagnostics.has_errors():
        return LoadedRecord(file, None, diagnostics.items, data)
    # `kind` picks the validator and the checks of the whole record.
    validator, checks = ((ReportValidator, (check_report,)) if is_report(node)
                         else (RecordValidator, (check_funding, check_placeholders)))
    record = validator(glossary, diagnostics).record(
        node, record_id=file.record_id, publisher=publisher, folder_year=file.year,
        path=file.shown_as)
    if record is not None:
        for check in checks:
            check(record, diagnostics)
        check_record_notes(data, file.shown_as, record.draft, diagnostics)
        record = replace(record, english_coverage=audit_translations(record, glossary,
                                                                     diagnostics))
    return LoadedRecord(file, record, diagnostics.items, data)


def load_publisher(file: PublisherFile, diagnostics: Diagnostics) -> Publisher | None:
    if not file.path.is_file():
        diagnostics.error(Position(file.shown_as), "this publisher has no publisher.yaml: "
                          "create it with at least `name: {zh: …, en: …}`", "missing-publisher")
        return None
    data = read_source(file.path, file.shown_as, diagnostics)
    node = None if data is None else parse_source(data, file.shown_as, diagnostics)
    publisher = validate_publisher(node, file.publisher_id, file.shown_as, diagnostics)
    if publisher is None or data is None:
        return publisher
    # Its REVIEW notes are reported with its records (check_site): only they say whether
    # the publisher is published.
    return replace(publisher, review_notes=review_notes(data.decode("utf-8-sig"),
                                                        file.shown_as))


@dataclass
class ContentPlan:
    """What is under content/: the publishers, and the records with their publisher."""

    publishers: dict[str, Publisher]
    records: list[tuple[RecordFile, Publisher]]
    files: list[RecordFile]


def plan_content(project: Project, diagnostics: Diagnostics) -> ContentPlan:
    publisher_files, record_files = discover(project, diagnostics)
    publishers = {}
    for file in publisher_files:
        publisher = load_publisher(file, diagnostics)
        if publisher:
            publishers[publisher.id] = publisher
    records = [(f, publishers[f.publisher_id]) for f in record_files
               if f.publisher_id in publishers]
    return ContentPlan(publishers, records, record_files)


def load_site(project: Project, glossary: Glossary, diagnostics: Diagnostics) -> Site:
    """Everything under content/ as full tables, in this process (preview, tests)."""
    plan = plan_content(project, diagnostics)
    site = Site(publishers=plan.publishers)
    for file, publisher in plan.records:
        loaded = load_record(file, publisher, glossary)
        diagnostics.extend(loaded.diagnostics)
        if isinstance(loaded.table, EvaluationReport):
            site.reports.append(loaded.table)
        elif loaded.table is not None:
            site.tables.append(loaded.table)
    check_site([summarize(t) for t in [*site.tables, *site.reports]], plan.files, diagnostics)
    return site


def check_site(summaries: list[TableSummary], files: list[RecordFile],
               diagnostics: Diagnostics) -> None:
    """Rules across records: one address per record; one record per project and year;
    no REVIEW note left in the publisher.yaml of a published record."""
    check_publisher_notes(summaries, diagnostics)
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
    names: dict[tuple[str, int, str, str], TableSummary] = {}
    for summary in sorted(summaries, key=lambda s: s.source_path):
        # A report on a project is its counterpart, not a duplicate, of the target table.
        key = (summary.publisher.id, summary.year, summary.name.zh, summary.kind)
        if key in names:
            diagnostics.warning(summary.name.position or Position(summary.source_path),
                                f"the project '{summary.name.zh}' is also published by "
                                f"{names[key].source_path} for the same year: is it a "
                                "duplicate?", "duplicate-project")
        else:
            names[key] = summary
