"""Search, index side: Pagefind run over the staged site, before it replaces `build/`.

Pagefind's extended binary comes from PyPI (`pagefind-bin-extended`, which carries the
executable: nothing is downloaded). It writes one index per `<html lang>` into
`pagefind/`; `theme/search.js` is the only thing that reads it.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .errors import Diagnostics, Position
from .search_order import reorder_index

BUNDLE = "pagefind"
PACKAGE = "pagefind-bin-extended"
# Record pages only (<lang>/<publisher>/<year>/<record>/index.html): listings, the search
# page and the home page would only repeat what the records say.
RECORD_PAGES = "*/*/*/*/index.html"
# Pagefind's ready-made interfaces: theme/search.js replaces them, so they are dead weight.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-highlight.js")
_INDEXED = re.compile(r"Indexed (\d+) pages?")


@dataclass(frozen=True)
class IndexResult:
    pages: int
    seconds: float


def engine_version() -> str:
    """The Pagefind release in use, part of the build fingerprint (a new one re-indexes)."""
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "missing"


def pagefind_executable() -> Path | None:
    try:
        from pagefind_bin_extended import get_executable
    except ImportError:
        return None
    try:
        return get_executable()
    except FileNotFoundError:
        return None


def index_site(site: Path, diagnostics: Diagnostics, shown_as: str = "build") -> IndexResult:
    """Index the record pages under `site` into `site/pagefind/`.

    A failure is an error diagnostic (at `<shown_as>/pagefind`, the folder the reader
    knows rather than the staging one) naming what to do, never a traceback: the build then
    stops and `build/` keeps the previous site and its index.
    """
    started = time.perf_counter()
    executable = pagefind_executable()
    where = Position(f"{shown_as}/{BUNDLE}")
    if executable is None:
        diagnostics.error(where, f"search: Pagefind is not installed (pip package {PACKAGE}); "
                          "install it, or build with --no-search", "search")
        return IndexResult(0, 0.0)
    command = [str(executable), "--site", str(site), "--glob", RECORD_PAGES,
               "--output-subdir", BUNDLE, "--keep-index-url"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as failure:
        diagnostics.error(where, f"search: cannot run Pagefind: {failure}", "search")
        return IndexResult(0, 0.0)
    if done.returncode != 0:
        diagnostics.error(where, f"search: Pagefind failed ({done.returncode}): "
                          f"{_last_lines(done.stderr or done.stdout)}", "search")
        return IndexResult(0, 0.0)
    _remove_unused(site / BUNDLE)
    try:
        reorder_index(site / BUNDLE)
    except (OSError, ValueError, KeyError, IndexError) as failure:
        diagnostics.error(where, f"search: Pagefind wrote an index this sitegen cannot read "
                          f"({failure}); is pagefind-bin-extended the version pyproject.toml "
                          "names?", "search")
        return IndexResult(0, 0.0)
    counts = _INDEXED.findall(done.stdout)  # the last count is the total of all languages
    return IndexResult(int(counts[-1]) if counts else 0, time.perf_counter() - started)


def _last_lines(output: str, count: int = 3) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return " / ".join(dict.fromkeys(lines[-count:])) or "no output"


def _remove_unused(bundle: Path) -> None:
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
