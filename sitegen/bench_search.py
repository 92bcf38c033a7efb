"""`sitegen bench search DIR`: the search index with pair words against plain Pagefind,
on the same pages.

Both indexes are built from a copy of DIR/build/ (hard links), the plain one from pages
without the hidden pair words and a search page that hands the query to Pagefind as typed.
Measured: index build time and peak memory, index size, bytes a browser downloads from
opening the search page to the first Chinese query's results, and the time from the last
keystroke to the results drawn (headless chromium). On a small site (the seed) also recall
and precision against a substring scan of the pages. Not a test: figures of one run.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from .bench import BenchFailure
from .browser import LocalSite, chromium, guarded_page
from .report import Reporter
from .search_check import CHINESE_QUERIES, SearchPage, containing, overall, page_texts, score
from .search_index import (
    BUNDLE,
    RECORD_PAGES,
    SEARCH_WORDS_ELEMENT,
    index_site,
    pagefind_command,
    pagefind_executable,
)

QUERIES = ("社区矫正", "满意度", "产出", "一级指标", "三级指标", "产出指标", "矫正", "司法局",
           "培训", "公共法律服务", "服务对象", "完成率", "安置帮教", "法治建设", "项目资金",
           "效益指标")
PAGE_SIZE = 10  # results the search page shows at first (theme/search.js)
RECALL_LIMIT = 200  # record pages per language above which recall is not measured
_HAN = re.compile(r"const HAN = /.*?/gu;")
# Runs a command, prints what it printed and then its peak memory (KB), exits as it did.
_PEAK = ("import resource, subprocess, sys; "
         "done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, "
         "stderr=subprocess.STDOUT, text=True); "
         "print(done.stdout, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
         "sys.exit(done.returncode)")
# Milliseconds from the last keystroke (input event) to the first result drawn, and to
# the whole first page of results (the status says how many).
_TIMER = """() => {
  const input = document.getElementById('search-query');
  const list = document.getElementById('search-results');
  input.addEventListener('input', () => {
    window.__typed = performance.now();
    window.__first = 0;
  });
  new MutationObserver(() => {
    if (!window.__first && list.children.length) window.__first = performance.now();
  }).observe(list, {childList: true});
}"""
_ELAPSED = "() => [window.__first - window.__typed, performance.now() - window.__typed]"


def run(folder: Path, reporter: Reporter) -> int:
    """Print the comparison; DIR must hold a built site (`sitegen build --no-pdf`)."""
    build = folder / "build"
    record_pages = sorted(build.glob(RECORD_PAGES))
    if not record_pages or not SEARCH_WORDS_ELEMENT.search(
            record_pages[0].read_text(encoding="utf-8")):
        # `bench run` builds with --no-search, and such pages carry no pair words: the
        # comparison would be plain Pagefind against itself.
        reporter.info(f"{build} holds no site built for search: run `sitegen build --no-pdf` "
                      "there first")
        return 1
    if pagefind_executable() is None:
        reporter.info("Pagefind is not installed: `make setup` installs it")
        return 1
    work = folder / ".sitegen-cache" / "bench-search"
    shutil.rmtree(work, ignore_errors=True)
    variants = {"pair words": _copy(build, work / "pairs", plain=False),
                "plain Pagefind": _copy(build, work / "plain", plain=True)}
    pages = len(record_pages)
    reporter.info(f"{pages} record pages (all languages)")
    # Two rounds, the second in the other order: a machine's caches favour whichever runs
    # second.
    timings: dict[str, list[tuple[float, int]]] = {name: [] for name in variants}
    for order in (list(variants), list(reversed(variants))):
        for name in order:
            shutil.rmtree(variants[name] / BUNDLE, ignore_errors=True)
            timings[name].append(_index(variants[name], plain=name != "pair words"))
    for name, site in variants.items():
        rounds = ", ".join(f"{seconds:.1f} s / {peak} MB" for seconds, peak in timings[name])
        reporter.info(f"{name}: index {rounds} (time / peak memory per round), "
                      f"{_size(site / BUNDLE) / 1e6:.1f} MB on disk "
                      f"({_size(site / BUNDLE / 'fragment') / 1e6:.1f} MB fragments)")
    with chromium() as browser:
        for name, site in variants.items():
            for line in _in_browser(browser, site, pages <= RECALL_LIMIT * 2):
                reporter.info(f"{name}: {line}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _copy(build: Path, target: Path, plain: bool) -> Path:
    """The built site without its index, hard-linked; the plain copy without pair words."""
    shutil.copytree(build, target, copy_function=os.link,
                    ignore=shutil.ignore_patterns(BUNDLE, "*.pdf"))
    if plain:
        for page in target.glob(RECORD_PAGES):
            html = page.read_text(encoding="utf-8")
            page.unlink()  # a hard link: write a new file, never through to build/
            page.write_text(SEARCH_WORDS_ELEMENT.sub("", html), encoding="utf-8")
        script = target / "theme" / "search.js"
        text, count = _HAN.subn("const HAN = /(?!)/gu;", script.read_text(encoding="utf-8"))
        assert count == 1, "theme/search.js no longer defines HAN as the benchmark expects"
        script.unlink()
        script.write_text(text, encoding="utf-8")
    return target


def _index(site: Path, plain: bool) -> tuple[float, int]:
    """Index `site` as `sitegen build` does (`index_site`: a Pagefind run per language side
    by side, the words counted meanwhile, the parts merged, the bundle finished), or with
    one Pagefind run over every page when `plain`: wall seconds and Pagefind's peak memory
    in MB (the runs' peaks added up: they run at once)."""
    import time

    from .errors import Diagnostics

    executable = pagefind_executable()
    assert executable is not None, "run() makes sure Pagefind is installed"
    wrapper = [sys.executable, "-c", _PEAK]
    started = time.perf_counter()
    if plain:
        done = subprocess.run([*wrapper, *pagefind_command(executable, site)],
                              capture_output=True, text=True, check=False)
        outputs: tuple[str, ...] = (done.stdout,)
        failure = None if done.returncode == 0 else done.stdout.strip() or "no output"
    else:
        diagnostics = Diagnostics()
        outputs = index_site(site, diagnostics, str(site), wrapper).outputs
        failure = "; ".join(d.message for d in diagnostics.errors) or None
    seconds = time.perf_counter() - started
    if failure is not None:
        raise BenchFailure(f"Pagefind failed on {site}: {failure}")
    return seconds, sum(int(output.split()[-1]) for output in outputs) // 1024


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _in_browser(browser: Any, site_folder: Path, with_recall: bool) -> list[str]:
    site = LocalSite(site_folder)
    try:
        lines = [_first_query(browser, site)]
        lines.append(_latencies(browser, site))
        if with_recall:
            lines.append(_recall(browser, site, site_folder))
        return lines
    finally:
        site.close()


def _first_query(browser: Any, site: LocalSite) -> str:
    """Bytes over the wire from opening the search page to the first query's results."""
    with guarded_page(browser) as (page, guard):
        # The files as served (http.server sends them as they are on disk; Pagefind's own
        # are compressed already): their sizes are the bytes downloaded.
        requested: list[str] = []
        page.context.on("requestfinished", lambda request: requested.append(request.url))
        search = SearchPage(page, site.base, "zh")
        page.evaluate(_TIMER)
        page.wait_for_timeout(1000)  # a reader takes longer than this to type a query
        found = search.run(QUERIES[0], every=False)
        first, whole = page.evaluate(_ELAPSED)
        assert guard.tried == [], guard.tried
        received = sum(_served_size(site, url) for url in requested)
        return (f"first query {QUERIES[0]}: {received / 1000:.0f} KB in {len(requested)} "
                f"files from page load to {len(found)} results shown; first result "
                f"{first:.0f} ms, all {whole:.0f} ms after the keystroke")


def _latencies(browser: Any, site: LocalSite) -> str:
    """Milliseconds from the last keystroke to results drawn, for each query, index warm."""
    with guarded_page(browser) as (page, _guard):
        search = SearchPage(page, site.base, "zh")
        page.evaluate(_TIMER)
        firsts, wholes = [], []
        for query in QUERIES[1:]:
            search.run(query, every=False)
            first, whole = page.evaluate(_ELAPSED)
            firsts.append(first)
            wholes.append(whole)
        # The slowest queries by name: the tail is what a reader notices, and where to look.
        slowest = sorted(zip(firsts, QUERIES[1:], strict=True), reverse=True)[:3]
        return (f"last keystroke → first result: median {statistics.median(firsts):.0f} ms, "
                f"max {max(firsts):.0f} ms; → all {PAGE_SIZE}: median "
                f"{statistics.median(wholes):.0f} ms, max {max(wholes):.0f} ms over {len(firsts)} "
                "more queries (the typing pause included); slowest: "
                + ", ".join(f"{query} {ms:.0f} ms" for ms, query in slowest))


def _served_size(site: LocalSite, url: str) -> int:
    path = site.folder / url.removeprefix(site.base).split("?")[0]
    return path.stat().st_size if path.is_file() else 0


def _recall(browser: Any, site: LocalSite, folder: Path) -> str:
    texts = page_texts(folder, "zh")
    queries = [q for q in CHINESE_QUERIES if 2 <= len(q) <= 6]
    with guarded_page(browser) as (page, _guard):
        search = SearchPage(page, site.base, "zh")
        scores = score(texts, queries, lambda q: set(search.run(q)))
    recall, precision = overall(scores)
    missed = [f"{s.query} {s.correct}/{s.expected}" for s in scores if s.recall < 1][:8]
    reached = sum(1 for q in queries if containing(texts, q))
    return (f"recall {recall:.1%}, precision {precision:.1%} over {len(queries)} queries "
            f"({reached} found somewhere); missed: {', '.join(missed) or 'none'}")
