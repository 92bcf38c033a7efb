"""PDFs of tables and yearly volumes, rendered by WeasyPrint from the same templates.

Safe (PITFALLS: WeasyPrint's default fetcher reads any file and fetches http): a fetcher
that serves only files inside the project and stops the render on anything else.
Archival: PDF/A-3 with the record's YAML attached, so the PDF carries its own source.
Never tofu: every character is checked against the CJK font's glyphs before rendering.
Deterministic: fixed dates from the record's year, nothing taken from the clock.
"""

from __future__ import annotations

import html
import mimetypes
import re
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .errors import Diagnostics, Position
from .glossary import Glossary
from .render import HtmlRenderer, render_page
from .site import Page

PDF_FONT = "Noto Sans CJK SC"
PDF_VARIANT = "pdf/a-3a"  # PDF/A-3 level A: archival and tagged (measured: same speed as 3b)
SECONDS_PER_PDF = 120  # a runaway render (a pathological table) stops with a clear error


class RefusedFetch(FatalURLFetchingError):
    """A resource outside the project: the render stops, the build reports it."""


class ProjectOnlyFetcher(URLFetcher):
    """Serves files inside the project folder; refuses everything else."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.root = root.resolve()

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise RefusedFetch(f"refused to fetch {url}: PDFs may use only files inside the "
                               "project, nothing from the network")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise RefusedFetch(f"refused to read {url}: it is not a file inside the project")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(),
                                  headers={"Content-Type": content_type})


@cache
def font_file() -> tuple[str, int]:
    """Where fontconfig finds the CJK font (file and index in its collection)."""
    found = subprocess.run(["fc-match", "-f", "%{file}\n%{index}", PDF_FONT],
                           capture_output=True, text=True, check=False).stdout.split("\n")
    return found[0], int(found[1] or 0) if len(found) > 1 else 0


@cache
def font_glyphs() -> frozenset[int]:
    """The characters the PDF font can draw."""
    from fontTools.ttLib import TTCollection, TTFont

    path, index = font_file()
    if not path.endswith("CJK-Regular.ttc") and "CJK" not in path:
        return frozenset()  # no CJK font installed: every CJK character will be reported
    font = TTCollection(path).fonts[index] if path.endswith(".ttc") else TTFont(path)
    return frozenset(font.getBestCmap())


def missing_glyphs(markup: str) -> list[str]:
    """Characters of an HTML document that the PDF font cannot draw."""
    text = html.unescape(re.sub(r"<[^>]*>", " ", markup))
    glyphs = font_glyphs()
    return sorted({c for c in text if not c.isspace() and ord(c) not in glyphs})


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def stop(_signal: int, _frame: object) -> None:
        raise TimeoutError
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


class PdfRenderer:
    """One per process: fonts and the print stylesheet are loaded once and reused."""

    def __init__(self, root: Path, templates_dir: Path, theme_dir: Path,
                 glossary: Glossary, variant: str | None = PDF_VARIANT) -> None:
        self.root = root
        self.html = HtmlRenderer(templates_dir, glossary)
        self.fetcher = ProjectOnlyFetcher(root)
        self.fonts = FontConfiguration()
        self.stylesheets = [CSS(filename=str(theme_dir / "print.css"), font_config=self.fonts,
                                url_fetcher=self.fetcher)]
        self.variant = variant

    def render(self, page: Page, source: tuple[str, bytes] | None, year: int, named: str,
               diagnostics: Diagnostics) -> bytes | None:
        """The PDF of a page plan, or None with the reason in `diagnostics`."""
        markup = render_page(self.html, page, diagnostics)
        if not markup:
            return None
        if missing := missing_glyphs(markup):
            shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:10])
            diagnostics.error(Position(named), f"the PDF font {PDF_FONT} has no glyph for "
                              f"{shown}: replace the character or install a font that has it",
                              "missing-glyph")
            return None
        try:
            with time_limit(SECONDS_PER_PDF):
                return self._write(markup, source, year)
        except RefusedFetch as refused:
            diagnostics.error(Position(named), f"{refused} (while making {page.path})",
                              "unsafe-resource")
        except TimeoutError:
            diagnostics.error(Position(named), f"the PDF {page.path} took longer than "
                              f"{SECONDS_PER_PDF} s to render and was stopped", "pdf-timeout")
        return None

    def _write(self, markup: str, source: tuple[str, bytes] | None, year: int) -> bytes:
        """`source`: the record's file name and the bytes the PDF was made from, attached."""
        moment = datetime(year, 1, 1, tzinfo=UTC)
        attachments = []
        if source is not None:
            name, data = source
            attachments.append(Attachment(
                string=data.decode("utf-8"), name=name,
                description="The record this PDF was made from (YAML)",
                created=moment, modified=moment, relationship="Source",
                url_fetcher=self.fetcher))
        document = HTML(string=markup, base_url=self.root.as_uri() + "/",
                        url_fetcher=self.fetcher)
        return document.write_pdf(stylesheets=self.stylesheets, font_config=self.fonts,
                                  attachments=attachments, pdf_variant=self.variant,
                                  pdf_identifier=b"sitegen", uncompressed_pdf=False)
