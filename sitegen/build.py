"""The build, top to bottom: load → validate → plan pages → render → write atomically."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .content import load_site
from .errors import BuildError, Diagnostics, Position
from .glossary import load_glossary
from .project import Project
from .render import HtmlRenderer
from .report import Reporter
from .site import Page, home_path, plan_pages
from .write import StagedOutput

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


def check(project: Project, workers: int | None = None) -> tuple[Diagnostics, int]:
    """Validate everything; returns the diagnostics and the number of records read."""
    diagnostics = Diagnostics()
    site = load_site(project, load_glossary(), diagnostics, workers)
    return diagnostics, len(site.tables)


def build(project: Project, reporter: Reporter, workers: int | None = None,
          include_drafts: bool = False, output: Path | None = None) -> BuildResult:
    """Build the site into `build/`; raises BuildError (with all diagnostics) on errors."""
    started = time.perf_counter()
    glossary = load_glossary()
    diagnostics = Diagnostics()
    site = load_site(project, glossary, diagnostics, workers)
    if diagnostics.has_errors():
        raise BuildError(diagnostics)
    pages = plan_pages(site, include_drafts=include_drafts)
    renderer = HtmlRenderer(project.templates_dir, glossary)
    with StagedOutput(output or project.build_dir) as out:
        for done, page in enumerate(pages, 1):
            out.write_text(page.path, render_page(renderer, page, diagnostics))
            reporter.progress("pages", done, len(pages))
        if diagnostics.has_errors():
            raise BuildError(diagnostics)
        out.copy_tree(project.theme_dir, "theme")
        out.write_text("index.html", ROOT_REDIRECT.format(target=home_path()))
    return BuildResult(diagnostics, len(pages), time.perf_counter() - started)


def render_page(renderer: HtmlRenderer, page: Page, diagnostics: Diagnostics) -> str:
    """One page's HTML; a template mistake becomes a diagnostic naming template and line."""
    try:
        return renderer.render(page)
    except jinja2.TemplateSyntaxError as broken:
        diagnostics.error(Position(f"templates/{broken.name or broken.filename}",
                                   broken.lineno), f"template syntax: {broken.message}",
                          "template")
    except jinja2.TemplateError as broken:
        line = _template_line(broken)
        diagnostics.error(line, f"while rendering {page.path}: {broken}", "template")
    return ""


def _template_line(error: Exception) -> Position:
    """The innermost template frame of a rendering error, as templates/x.html:line."""
    trace = error.__traceback__
    found = Position("templates")
    while trace is not None:
        name = trace.tb_frame.f_code.co_filename
        if name.endswith(".html"):
            found = Position(f"templates/{Path(name).name}", trace.tb_lineno)
        trace = trace.tb_next
    return found
