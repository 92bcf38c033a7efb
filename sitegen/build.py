"""The build, top to bottom: plan content → records (parallel) → listings → write atomically.

A no-change rebuild is recognised by a fingerprint of every input (content, templates,
theme, glossary, sitegen itself) kept in `build/.sitegen-build.json`; it rebuilds nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .content import check_site, plan_content
from .errors import BuildError, Diagnostic, Diagnostics, Position
from .glossary import DATA_DIR, load_glossary
from .pipeline import RecordWork, process_records
from .project import Project
from .render import HtmlRenderer, render_page
from .report import Reporter
from .site import LANGUAGES, TableSummary, home_path, listing_pages, listings
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


def input_fingerprint(project: Project, include_drafts: bool) -> str:
    """A digest of every byte the output depends on."""
    digest = hashlib.sha256(f"sitegen {__version__} drafts={include_drafts}\n".encode())
    code = Path(__file__).parent
    for folder in (project.content_dir, project.templates_dir, project.theme_dir, DATA_DIR,
                   code):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{path.relative_to(folder)}\0".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


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
          include_drafts: bool = False, output: Path | None = None) -> BuildResult:
    """Build the site into `build/`; raises BuildError (with all diagnostics) on errors."""
    started = time.perf_counter()
    output = output or project.build_dir
    fingerprint = input_fingerprint(project, include_drafts)
    warnings = _previous_build(output, fingerprint)
    if warnings is not None:
        return BuildResult(Diagnostics(warnings), 0, time.perf_counter() - started, True)
    glossary = load_glossary()
    diagnostics = Diagnostics()
    plan = plan_content(project, diagnostics)
    with StagedOutput(output) as out:
        work = RecordWork(glossary, project.templates_dir, out.staging, include_drafts)
        outcomes = process_records(plan.records, work, workers)
        for outcome in outcomes:
            diagnostics.extend(outcome.diagnostics)
        summaries = [o.summary for o in outcomes if o.summary]
        check_site(summaries, plan.files, diagnostics)
        if diagnostics.has_errors():
            raise BuildError(diagnostics)
        pages = listing_pages(listings(summaries, include_drafts))
        renderer = HtmlRenderer(project.templates_dir, glossary)
        for page in pages:
            out.write_text(page.path, render_page(renderer, page, diagnostics))
        if diagnostics.has_errors():
            raise BuildError(diagnostics)
        out.copy_tree(project.theme_dir, "theme")
        out.write_text("index.html", ROOT_REDIRECT.format(target=home_path()))
        out.write_text(MANIFEST, _manifest(fingerprint, diagnostics))
        published = sum(1 for s in summaries if include_drafts or not s.draft)
    return BuildResult(diagnostics, len(pages) + published * len(LANGUAGES),
                       time.perf_counter() - started)
