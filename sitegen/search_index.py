"""Search, index side: Pagefind run over the staged site, before it replaces `build/`.

Pagefind's extended binary (it segments Chinese) comes from npm: `make` installs
`pagefind` (which carries the executable for this platform) into the checkout's
`node_modules/`. npm has Pagefind 1.6, PyPI only 1.5, whose searches take ~5x as long on
10 000 pages (a word's cost grows with the pages it is on; 1.6 groups matches by page
first). It writes one index per `<html lang>` into `pagefind/`; `theme/search.js` is the
only thing that reads it.

One Pagefind process per language, side by side: a single run over every page leaves
one of the two cores idle for most of its time (writing the index is one thread), and
Chinese pages are indexed under a private language tag that Pagefind does not cut into
words. Its segmenter (jieba) took about half of its work on a Chinese page, and sitegen
never asks for the words it found: a Chinese query reaches Pagefind as pair words
(`search.py`) and is checked against the page text in the browser. The language parts
are then merged into one bundle under the pages' own language names.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cbor2 import CBORError

from .errors import Diagnostics, Position
from .search_order import ENTRY, reorder_index

BUNDLE = "pagefind"
# Where `make` puts Pagefind (npm package `pagefind`, its binary in @pagefind/<platform>);
# SITEGEN_PAGEFIND names another binary, and `pagefind_extended` on the PATH is the last
# resort.
NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
EXECUTABLE = "pagefind_extended"
PAGEFIND_VARIABLE = "SITEGEN_PAGEFIND"
INSTALL_HINT = "`make setup` installs it (npm package pagefind, into node_modules/)"
# Record pages only (<lang>/<publisher>/<year>/<record>/index.html): listings, the search
# page and the home page would only repeat what the records say.
LANGUAGE_RECORD_PAGES = "*/*/*/index.html"  # inside one language's folder
RECORD_PAGES = f"*/{LANGUAGE_RECORD_PAGES}"
# Where each language's Pagefind run writes, inside the site, before the parts are merged.
PARTS = ".pagefind-parts"
# Languages Pagefind cuts into words with a segmenter (fossick/mod.rs `should_segment`);
# their pages are indexed under PRIVATE_TAG instead (see above). `x-` tags are private
# use (BCP 47), and Pagefind neither segments nor stems "x".
SEGMENTED = frozenset({"zh", "ja"})
PRIVATE_TAG = "x-sitegen-{}"
# Pagefind's ready-made interfaces: theme/search.js replaces them, so they are dead weight;
# and its web worker, which theme/search.js turns off (`noWorker`).
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-highlight.js", "pagefind-worker.js")
_INDEXED = re.compile(r"Indexed (\d+) pages?")
_HTML_LANG = re.compile(rb'<html lang="([^"]+)"')
# The hidden search words sitegen/search.py adds to every record page (a mark word, the
# pair words, the glued words, the figure words; it writes the element with this opening
# tag, read back here).
SEARCH_WORDS_OPEN = "<div hidden data-search-words>"
SEARCH_WORDS_ELEMENT = re.compile(f"{SEARCH_WORDS_OPEN}[^<]*</div>")
# How every pair word starts (search.py makes them; the element also holds other words):
# no English word starts so, and a word ending in digits is never stemmed.
PAIR_WORD_PREFIX = "qz"
# How every figure word starts (search.py `figure_word`): qf80000 for 80,000.00.
FIGURE_WORD_PREFIX = "qf"
_WORDS_START = SEARCH_WORDS_OPEN.encode()
# A pair word is common when at least this many pages, and this share of a language's
# pages, hold it: on a small site none is, and every covering word goes to Pagefind.
COMMON_PAGES = 50
COMMON_SHARE = 0.02


@dataclass(frozen=True)
class IndexResult:
    pages: int
    seconds: float
    outputs: tuple[str, ...] = ()  # what each Pagefind run printed


def engine_version() -> str:
    """The Pagefind release in use, part of the build fingerprint (a new one re-indexes)."""
    executable = pagefind_executable()
    return "missing" if executable is None else _version_of(executable)


@cache
def _version_of(executable: Path) -> str:
    try:
        done = subprocess.run([str(executable), "--version"], capture_output=True, text=True,
                              timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unusable"
    return done.stdout.strip() or f"unknown ({done.returncode})"


def pagefind_executable() -> Path | None:
    """Pagefind's extended binary: $SITEGEN_PAGEFIND, else the one `make` installs into
    node_modules/, else `pagefind_extended` on the PATH; None when there is none."""
    if named := os.environ.get(PAGEFIND_VARIABLE):
        return Path(named)
    for found in sorted(NODE_MODULES.glob(f"@pagefind/*/bin/{EXECUTABLE}")):
        if os.access(found, os.X_OK):
            return found
    on_path = shutil.which(EXECUTABLE)
    return Path(on_path) if on_path else None


def index_site(site: Path, diagnostics: Diagnostics, shown_as: str = "build",
               wrapper: Sequence[str] = ()) -> IndexResult:
    """Index the record pages under `site` into `site/pagefind/`; `wrapper` runs each
    Pagefind command (`bench search` measures its memory so).

    A failure is an error diagnostic (at `<shown_as>/pagefind`, the folder the reader
    knows rather than the staging one) naming what to do, never a traceback: the build then
    stops and `build/` keeps the previous site and its index.
    """
    started = time.perf_counter()
    executable = pagefind_executable()
    where = Position(f"{shown_as}/{BUNDLE}")
    if executable is None:
        diagnostics.error(where, f"search: Pagefind is not installed: {INSTALL_HINT}; or "
                          f"name its {EXECUTABLE} binary in {PAGEFIND_VARIABLE}, or build "
                          "with --no-search", "search")
        return IndexResult(0, 0.0)
    try:
        parts = language_parts(site)
        run = run_counting([[*wrapper, *pagefind_command(executable, site, part)]
                            for part in parts], site, parts)
    except PagefindNotStarted as failure:
        diagnostics.error(where, f"search: cannot run Pagefind: {failure.__cause__}", "search")
        return IndexResult(0, 0.0)
    except OSError as failure:  # a page that cannot be read back, or no room for output
        page = Path(failure.filename) if failure.filename else None
        if page is None or not page.is_relative_to(site):
            diagnostics.error(where, f"search: cannot index: {failure}", "search")
        else:
            diagnostics.error(Position(f"{shown_as}/{page.relative_to(site)}"),
                              "search: cannot read this page back to count its search "
                              f"words: {failure.strerror or failure}", "search")
        return IndexResult(0, 0.0)
    failed = [(part, process) for part, process in zip(parts, run.processes, strict=True)
              if process.returncode != 0]
    for part, process in failed:
        diagnostics.error(where, f"search: Pagefind failed on the {part.language} pages "
                          f"({process.returncode}): {_last_lines(process.output)}", "search")
    if failed:
        return IndexResult(0, 0.0)
    try:
        merge_parts(site, parts)
        finish_bundle(site, run.counts)
    except (OSError, ValueError, KeyError, IndexError, TypeError, CBORError) as failure:
        diagnostics.error(where, f"search: cannot finish the index Pagefind wrote "
                          f"({failure}); is Pagefind {engine_version()} the version the "
                          "Makefile names?", "search")
        return IndexResult(0, 0.0)
    return IndexResult(sum(process.pages for process in run.processes),
                       time.perf_counter() - started,
                       tuple(process.output for process in run.processes))


@dataclass(frozen=True)
class LanguagePart:
    """One language's record pages: one Pagefind run indexes them."""

    folder: str  # the language's folder in the site, e.g. "zh"
    language: str  # the pages' <html lang> in lower case: Pagefind's name for the index

    @property
    def told(self) -> str | None:
        """The language Pagefind is told when not the pages' own: a private tag for a
        language it would cut into words."""
        if self.language.split("-")[0] in SEGMENTED:
            return PRIVATE_TAG.format(self.language)
        return None


def language_parts(site: Path) -> list[LanguagePart]:
    """The site's languages: each folder holding record pages, with the language the
    first page found there declares (every page of a folder declares the same)."""
    parts = []
    for folder in sorted(site.iterdir()):
        if not folder.is_dir() or folder.name in (BUNDLE, PARTS):
            continue
        page = next(folder.glob(LANGUAGE_RECORD_PAGES), None)
        if page is None:
            continue
        with page.open("rb") as opened:
            language = _HTML_LANG.search(opened.read(4096))
        parts.append(LanguagePart(folder.name, _language_name(language[1]) if language
                                  else "unknown"))
    return parts


def _language_name(html_lang: bytes) -> str:
    return html_lang.decode("ascii", "replace").lower()


def pagefind_command(executable: Path, site: Path, part: LanguagePart | None = None
                     ) -> list[str]:
    """Pagefind over one language's record pages into its part folder; with no `part`, over
    every record page into the bundle at once, as Pagefind is used plainly."""
    pages, output = ((RECORD_PAGES, BUNDLE) if part is None else
                     (f"{part.folder}/{LANGUAGE_RECORD_PAGES}", f"{PARTS}/{part.folder}"))
    command = [str(executable), "--site", str(site), "--glob", pages, "--output-subdir", output,
               "--keep-index-url"]
    return command + (["--force-language", part.told] if part and part.told else [])


@dataclass
class ProcessRun:
    """How one Pagefind run ended: its status and everything it printed."""

    returncode: int
    output: str

    @property
    def pages(self) -> int:
        indexed = _INDEXED.findall(self.output)  # the last count is the run's total
        return int(indexed[-1]) if indexed else 0


@dataclass
class IndexRun:
    """The Pagefind runs, and the pair-word counts read while they ran."""

    processes: list[ProcessRun]
    counts: WordCounts


class PagefindNotStarted(Exception):
    """A Pagefind command could not be started (its OSError is the cause)."""


def run_counting(commands: list[list[str]], site: Path, parts: list[LanguagePart]
                 ) -> IndexRun:
    """Run `commands` (Pagefind over `parts` of `site`) side by side and count the pages'
    search words meanwhile: the counting reads every page back while Pagefind waits on its
    own threads. Output goes to files, never pipes that could fill while nobody reads."""
    with contextlib.ExitStack() as stack:
        outputs = [stack.enter_context(tempfile.TemporaryFile()) for _ in commands]
        processes: list[subprocess.Popen[bytes]] = []
        try:
            for command, output in zip(commands, outputs, strict=True):
                try:
                    processes.append(subprocess.Popen(command, stdout=output,
                                                      stderr=subprocess.STDOUT))
                except OSError as failure:
                    raise PagefindNotStarted from failure
            counts = count_search_words(site, parts)
        except BaseException:
            for started in processes:  # no waiting for runs whose work is lost
                started.kill()
            raise
        finally:
            returncodes = [process.wait() for process in processes]
        runs = []
        for returncode, output in zip(returncodes, outputs, strict=True):
            output.seek(0)
            runs.append(ProcessRun(returncode, output.read().decode("utf-8", "replace")))
        return IndexRun(runs, counts)


def merge_parts(site: Path, parts: list[LanguagePart]) -> None:
    """Move each language's part into one bundle, its index filed under the pages' own
    language name (not the tag Pagefind was told). File names never collide: each starts
    with the language it belongs to, and the shared ones (Pagefind's script, its word
    stemmers) are the same bytes in every part."""
    bundle = site / BUNDLE
    bundle.mkdir(exist_ok=True)
    entry: dict[str, object] = {}
    languages = {}
    for part in parts:
        source = site / PARTS / part.folder
        part_entry = json.loads((source / ENTRY).read_text(encoding="utf-8"))
        indexes = list(part_entry["languages"].values())  # one, or none if no page was
        if len(indexes) > 1 or (indexes and part.language in languages):
            raise ValueError(f"pages of more than one language in {part.folder}/, or "
                             f"{part.language} pages in more than one folder")
        if indexes:
            languages[part.language] = indexes[0]
        entry = {**part_entry, **entry}
        for path in sorted(source.rglob("*")):
            target = bundle / path.relative_to(source)
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            elif path.name == ENTRY:
                continue
            elif not target.exists():
                path.rename(target)
            elif target.read_bytes() != path.read_bytes():
                raise ValueError(f"two languages' indexes differ in {target.name}")
    entry["languages"] = dict(sorted(languages.items()))
    (bundle / ENTRY).write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")),
                                encoding="utf-8")
    shutil.rmtree(site / PARTS)


def finish_bundle(site: Path, counts: WordCounts) -> None:
    """What sitegen adds to Pagefind's run: its unused files out, the common words in, the
    filters in a fixed order (`search_order`)."""
    _remove_unused(site / BUNDLE)
    write_common_words(site / BUNDLE, counts)
    reorder_index(site / BUNDLE)


@dataclass
class WordCounts:
    """Per language (Pagefind's name for it): record pages, and pages holding each word."""

    pages: Counter[str] = field(default_factory=Counter)
    words: dict[str, Counter[bytes]] = field(default_factory=lambda: defaultdict(Counter))


def count_search_words(site: Path, parts: list[LanguagePart]) -> WordCounts:
    """How many of each language's record pages hold each search word, read back from the
    pages' hidden word lists, which are exactly what Pagefind indexes. Bytes, not text:
    the word list is ASCII, and decoding 20 000 pages would double the time."""
    counts = WordCounts()
    for part in parts:
        for page in sorted((site / part.folder).glob(LANGUAGE_RECORD_PAGES)):
            html = page.read_bytes()
            counts.pages[part.language] += 1
            start = html.rfind(_WORDS_START)
            if start >= 0:
                start += len(_WORDS_START)
                end = html.find(b"<", start)
                counts.words[part.language].update(html[start:end if end >= 0 else None]
                                                   .split())
    return counts


def write_common_words(bundle: Path, counts: WordCounts) -> None:
    """`sitegen-common.<lang>.json`: the language's record pages, and the pair words on
    many of them with their page counts, so that `theme/search.js` sends Pagefind the
    rarest words of a query, or none when even those are on most pages (Pagefind's time
    grows with the pages a word is on)."""
    prefix = PAIR_WORD_PREFIX.encode()
    for language, total in sorted(counts.pages.items()):
        floor = max(COMMON_PAGES, total * COMMON_SHARE)
        common = dict(sorted((word.decode(), count)
                             for word, count in counts.words[language].items()
                             if count >= floor and word.startswith(prefix)))
        (bundle / f"sitegen-common.{language}.json").write_text(
            json.dumps({"pages": total, "words": common}, separators=(",", ":")),
            encoding="utf-8")


def _last_lines(output: str, count: int = 3) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return " / ".join(dict.fromkeys(lines[-count:])) or "no output"


def _remove_unused(bundle: Path) -> None:
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
