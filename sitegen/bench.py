"""The benchmark: a synthetic corpus of realistic records, and timings of builds on it.

`write_corpus` makes N records (~40 indicators each) spread over publishers and years,
in all four form families, with amounts that add up; `run` times a full build and a
no-change rebuild, alternating, and prints medians and peak memory. Not a test: these
machines drift, so only figures from one run are compared.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .report import Reporter

CORPUS_MARK = ".sitegen-bench-corpus"  # what `bench corpus` may replace and `bench run` time
FAMILIES = ("shanghai-2023", "shanghai-2020", "lianyungang-2024", "kunming-2020")
PHRASES = ("按时按质完成", "社区矫正对象", "公共法律服务", "提升服务水平", "规范资金管理",
           "加强监督检查", "确保项目顺利实施", "开展专业培训", "完善管理制度", "提高群众满意度",
           "做好安置帮教工作", "推进法治建设", "落实安全责任", "优化营商环境")
LEVELS = {
    "mof": [("产出指标", ["数量指标", "质量指标", "时效指标", "成本指标"]),
            ("效益指标", ["社会效益指标", "可持续影响指标"]),
            ("满意度指标", ["服务对象满意度指标"])],
    "shanghai-2020": [("投入与管理", ["投入管理", "财务管理"]),
                      ("产出目标", ["数量", "质量", "时效"]),
                      ("效果目标", ["社会效益", "满意度"]), ("影响力目标", ["长效管理"])],
}
VALUES = ("=100(%)", "≥90(%)", "≥14500.00(人)", "=20(次)", "≤10.00(%)", "提升", "健全", "及时",
          "=4(次)", ">=19000个", "≥8课时", "完善")


def _sentence(rng: random.Random, length: int) -> str:
    return "，".join(rng.choice(PHRASES) for _ in range(length)) + "。"


def _indicators(rng: random.Random, family: str, count: int, width: int) -> list[str]:
    levels = LEVELS["shanghai-2020" if family == "shanghai-2020" else "mof"]
    lines = ["first_levels:"]
    per_first = count // len(levels)
    for first, seconds in levels:
        lines += [f"  - name: {first}", "    second_levels:"]
        for index, second in enumerate(seconds):
            lines += [f"      - name: {second}", "        indicators:"]
            share = per_first // len(seconds) + (per_first % len(seconds) if index == 0 else 0)
            for n in range(max(1, share)):
                name = rng.choice(PHRASES) + f"指标{n + 1}"
                values = ", ".join(f'"{rng.choice(VALUES)}"' for _ in range(width))
                lines += [f"          - name: {{zh: {name}, en: Indicator {n + 1}}}",
                          f"            values: [{values}]"]
    return ["  " + line for line in lines]


def _funding(rng: random.Random, family: str) -> list[str]:
    total = rng.randrange(100_000, 30_000_000)
    fiscal = total - rng.randrange(0, total // 10)
    if family == "kunming-2020":
        return ["funding:", "  - caption: 资金来源", "    unit: 元",
                "    columns: [总投入, 中央财政, 省级财政, 市本级财政, 县（市）区级财政, 其他]",
                "    total_column: 总投入", "    rows:", "      - label: 年度资金来源",
                f"        amounts: [{total}.00, ~, ~, ~, {fiscal}.00, {total - fiscal}.00]"]
    unit = "万元" if family == "lianyungang-2024" else "元"
    return ["funding:", "  - caption: 项目资金", f"    unit: {unit}", "    rows:",
            "      - label: 项目资金总额", f"        amount: {total:,}.00", "        parts:",
            "          - label: 其中：财政资金", f"            amount: {fiscal:,}.00",
            "          - label: 其他资金", f"            amount: {total - fiscal:,}.00"]


def synthetic_record(rng: random.Random, family: str, year: int, number: int) -> str:
    width = 2 if family in ("lianyungang-2024", "kunming-2020") else 1
    targets = "[半年(程) 指标值, 全年(程) 指标值]" if width == 2 else "[年度(/项目)指标值]"
    lines = [
        "kind: target-table", f"form: {family}", "title: 财政项目支出绩效目标申报表",
        f"year: {year}", f"source: synthetic#{number}", "project:",
        f"  name: {{zh: {rng.choice(PHRASES)}项目{number}, en: Synthetic project {number}}}",
        "  competent_department: 上海市司法局", "  implementing_unit: 上海市司法局",
        f"  start: {year}-01-01", f"  end: {year}-12-31", "narrative:",
    ]
    for label in ("项目概况", "立项依据", "项目实施计划"):
        lines += [f"  - label: {label}", "    text:",
                  f"      zh: {_sentence(rng, rng.randrange(20, 60))}",
                  "      en: Synthetic narrative text for the benchmark."]
    lines += _funding(rng, family)
    lines += ["goals:", "  - label: 年度总体目标", "    text:",
              f"      zh: {_sentence(rng, 30)}", "      en: Synthetic annual goal."]
    lines += ["indicators:", "  headers: [一级指标, 二级指标, 三级指标]", f"  targets: {targets}"]
    lines += _indicators(rng, family, 40, width)
    return "\n".join(lines) + "\n"


PRESENTATION = ("templates", "theme")


def refresh_presentation(folder: Path) -> bool:
    """Give the corpus sitegen's own templates and theme, as they are now; True if its
    copies differed (made by an older sitegen: a benchmark would time old templates)."""
    repo = Path(__file__).resolve().parent.parent
    differed = False
    for part in PRESENTATION:
        if not (repo / part).is_dir():  # an installed sitegen without its checkout
            raise BenchFailure(f"sitegen's own {part}/ is not at {repo / part}: run the "
                               "benchmark from a checkout (`pip install -e .`)")
        if _tree_bytes(folder / part) != _tree_bytes(repo / part):
            differed = True
            shutil.rmtree(folder / part, ignore_errors=True)
            shutil.copytree(repo / part, folder / part)
    return differed


def _tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def write_corpus(folder: Path, records: int, seed: int = 2026) -> None:
    """A complete project: N records over 125 publishers and 4 years, plus templates/theme."""
    rng = random.Random(seed)
    if folder.exists():
        shutil.rmtree(folder)  # write_corpus' callers make sure it is an earlier corpus
    refresh_presentation(folder)
    # 125 publishers × 4 years: about 20 tables a volume, as departments file them.
    for number in range(records):
        publisher = f"publisher-{number % 125 + 1}"
        year = 2020 + (number // 125) % 4
        family = FAMILIES[number % len(FAMILIES)]
        path = folder / "content" / publisher / str(year) / f"project-{number:05d}.yaml"
        if not path.parent.exists():
            path.parent.mkdir(parents=True)
            publisher_file = path.parent.parent / "publisher.yaml"
            publisher_file.write_text(f"name: {{zh: 测试单位{number % 125 + 1}, en: Test unit "
                                      f"{number % 125 + 1}}}\n", encoding="utf-8")
        path.write_text(synthetic_record(rng, family, year, number), encoding="utf-8")
    (folder / CORPUS_MARK).write_text("written by `sitegen bench corpus`\n", encoding="utf-8")


def corpus_problem(folder: Path) -> str | None:
    """Why `bench corpus` must not write into `folder` (it empties it first), if it must not."""
    if folder.exists() and any(folder.iterdir()) and not (folder / CORPUS_MARK).is_file():
        return (f"{folder} is not empty and holds no earlier benchmark corpus: choose a new "
                "folder (the corpus replaces everything in it)")
    return None


class BenchFailure(Exception):
    """A benchmark that cannot run; its message says why, for the terminal."""


def _wait_for_deleters(folder: Path, limit: float = 600.0) -> None:
    """Until the site a previous build replaced is deleted (write.discard): its deleter
    would otherwise run beside the next timed build and slow it down."""
    from .write import trash_name

    deadline = time.monotonic() + limit
    pattern = f"{trash_name(folder / 'build')}-*"
    while any(folder.glob(pattern)) and time.monotonic() < deadline:
        time.sleep(0.2)


@dataclass(frozen=True)
class Timing:
    """One timed build: wall seconds; CPU seconds of the build and its workers, user and
    system (steadier than wall time on a shared machine, and the system part is the
    disk's); the largest process's peak memory in MB."""

    wall: float
    user: float
    system: float
    peak: int


def _timed_build(folder: Path, jobs: int | None, up_to_date: bool = False) -> Timing:
    """One `sitegen build` in a fresh process, which must find build/ `up_to_date` or
    not: a figure for the wrong kind of build would be worse than none."""
    _wait_for_deleters(folder)
    # What earlier rounds wrote goes to the disk first: a build of 10 000 records writes
    # 850 MB, which the kernel writes back over the next half minute, beside (and
    # slowing, up to 7 s of system time) the round after it, not the build it came from.
    if hasattr(os, "sync"):
        os.sync()
    # HTML and data files only: `sitegen bench search` measures the index, and the PDF
    # figures come from `--pdf-sample`.
    command = [sys.executable, "-m", "sitegen.cli", "--project", str(folder), "build",
               "--no-pdf", "--no-search"]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchFailure(f"the build in {folder} failed:\n{done.stderr.strip()}")
    # Its last line says which it did (warnings before it may quote any record text).
    said = (done.stdout + done.stderr).strip().splitlines() or [""]
    if not said[-1].startswith("build/ is up to date: " if up_to_date else "built "):
        raise BenchFailure(f"the build in {folder} was expected to "
                           f"{'find build/ up to date' if up_to_date else 'build'}, but:\n"
                           f"{(done.stdout + done.stderr).strip()}")
    # A child's usage includes its own waited-for children: the build's workers.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Timing(seconds, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime,
                  max(before.ru_maxrss, after.ru_maxrss) // 1024)


def _timed_build_after_template_edit(folder: Path, jobs: int | None, edit: int) -> Timing:
    """A full rebuild over the previous site, as after an edit to a template that every
    page uses (the edit is a comment, taken back afterwards). Numbered: the same edit
    twice would find the site up to date."""
    template = folder / "templates" / "base.html"
    original = template.read_bytes()
    template.write_bytes(original + f"{{# edit {edit} for the benchmark #}}\n".encode())
    try:
        return _timed_build(folder, jobs)
    finally:
        template.write_bytes(original)


def _timings(label: str, runs: list[Timing], note: str = "") -> str:
    """`label: median W s (each); CPU user U s + system S s (medians)` and a note."""
    walls = ", ".join(f"{run.wall:.2f}" for run in runs)
    return (f"{label} median {statistics.median(r.wall for r in runs):.2f} s ({walls}){note}; "
            f"CPU user {statistics.median(r.user for r in runs):.1f} s + system "
            f"{statistics.median(r.system for r in runs):.1f} s")


# Where the full builds' predecessors wait until the benchmark ends: see _set_aside.
REPLACED = ".bench-replaced"


def _set_aside(folder: Path, holding: Path) -> None:
    """Move build/ and the PDF cache out of the way of a full build, rather than delete
    them. On ext4 without a journal (this machine's disk), an inode freed in the last 60 s,
    or 300 s while its table block is unwritten, is passed over, one buffer lookup each,
    when a new file is made (recently_deleted, fs/ext4/ialloc.c): a build just after
    deleting the 60 000 files of the last one spent 3-14 s of system time against 3 s,
    and timed the kernel's bookkeeping instead of the build."""
    holding.mkdir(parents=True)
    for name in ("build", ".sitegen-cache"):
        if (folder / name).exists():
            (folder / name).rename(holding / name)


def machine_speed() -> float:
    """CPU seconds of one fixed piece of pure Python, median of three: this machine is
    shared, and the same build has taken 25.7 s of CPU one hour and 37.6 s another. Set
    beside a run's figures, it tells a slower host from slower code (0.39-0.48 s on the
    machines sitegen was timed on)."""
    def once() -> float:
        started, total = time.process_time(), 0
        for number in range(5_000_000):
            total += number * number
        return time.process_time() - started

    return statistics.median(once() for _ in range(3))


def _html_timings(folder: Path, reporter: Reporter, jobs: int | None, rounds: int,
                  records: int) -> None:
    """Full builds, each with its no-change rebuild, then the template-edited rebuilds.
    Every full round's predecessor waits in REPLACED: `rounds` sites on disk at the end."""
    before = machine_speed()
    full: list[Timing] = []
    unchanged: list[Timing] = []
    for number in range(rounds):
        _set_aside(folder, folder / REPLACED / str(number))
        full.append(_timed_build(folder, jobs))
        unchanged.append(_timed_build(folder, jobs, up_to_date=True))
    edited = [_timed_build_after_template_edit(folder, jobs, edit) for edit in range(rounds)]
    pages = sum(1 for _ in (folder / "build").rglob("*.html"))
    median_full = statistics.median(run.wall for run in full)
    reporter.info(f"records: {records}, pages: {pages}, jobs: {jobs or 'all cores'}")
    reporter.info(_timings("full build:       ", full, f"; {pages / median_full:.0f} pages/s"))
    reporter.info(_timings("no-change rebuild:", unchanged))
    reporter.info(_timings("template edited:  ", edited,
                           "; every page again, over the previous site"))
    reporter.info(f"peak memory (largest process): {max(run.peak for run in full)} MB")
    reporter.info(f"machine speed: a fixed Python loop took {before:.3f} s of CPU before "
                  f"the builds, {machine_speed():.3f} s after (compare runs by it)")


def run(folder: Path, reporter: Reporter, jobs: int | None = None, rounds: int = 3,
        pdf_sample: int = 0) -> int:
    """Full HTML builds (with no build/ before them), each followed by a no-change
    rebuild; then as many rebuilds after a template edit; then, with `pdf_sample`, seconds
    per table PDF on that many records."""
    records = sum(1 for _ in (folder / "content").rglob("project-*.yaml"))
    if not (folder / CORPUS_MARK).is_file() or not records:
        reporter.info(f"{folder} holds no benchmark corpus: write one with "
                      f"`sitegen bench corpus --records N {folder}`")
        return 1
    if refresh_presentation(folder):
        reporter.info("templates/ and theme/ of the corpus replaced by sitegen's own: they "
                      "were an older sitegen's")
    replaced = folder / REPLACED
    shutil.rmtree(replaced, ignore_errors=True)
    try:
        _html_timings(folder, reporter, jobs, rounds, records)
        if pdf_sample:
            pdf_benchmark(folder, reporter, sample=pdf_sample, rounds=rounds)
            # Four times the sample: on 24 records a build's fixed costs (start-up,
            # listings, the swap into build/) weigh more and the 2-core ratio swung
            # 1.4-1.6x; on 48 it was 1.89x, nearer what 10 000 records see.
            pdf_throughput(folder, reporter, sample=4 * pdf_sample, rounds=max(1, rounds - 1))
    finally:
        # Last: deleting them just before a timed step would slow it (_set_aside).
        shutil.rmtree(replaced, ignore_errors=True)
    return 0


def pdf_benchmark(folder: Path, reporter: Reporter, sample: int = 12, rounds: int = 3) -> None:
    """Seconds per table PDF, ours against three naive renderings, alternating in one run.

    Ours = fixed table layout with set column widths, one FontConfiguration and one parsed
    stylesheet per process. The naive ones, from least to most naive:
    - same markup: our print page and stylesheet, but automatic table layout and fonts and
      stylesheet loaded anew for every PDF (WeasyPrint's defaults);
    - web page: `HTML(filename=<the table's web page>).write_pdf()` in one process;
    - command: the `weasyprint` command on the table's web page, once per table, as a
      shell loop over the pages would do it (what the issue's 1.5–1.8 s figure matches).
    The web pages are those of `build/` (zh), so the HTML must have been built.
    """
    from weasyprint import CSS, HTML

    from .content import load_site
    from .errors import Diagnostics
    from .glossary import load_glossary
    from .pdf import PdfRenderer
    from .project import Project
    from .site import table_path, table_pdf_page

    project = Project(folder)
    glossary = load_glossary()
    site = load_site(project, glossary, Diagnostics())
    tables = site.tables[:sample]
    if not tables:
        raise BenchFailure(f"{folder} has no record that loads: `sitegen check` says why")
    ours = PdfRenderer(project.root, project.templates_dir, project.theme_dir, glossary)
    scratch = folder / ".sitegen-cache" / "naive.pdf"
    scratch.parent.mkdir(parents=True, exist_ok=True)

    def web_page(table) -> Path:
        page = project.build_dir / table_path(table.publisher.id, table.year, table.id, "zh")
        if not page.is_file():
            raise BenchFailure(f"{page} is missing: build the HTML first")
        return page

    def rendered(renderer: PdfRenderer, table) -> None:
        """A render that failed (a font, the time limit) must not be timed as a quick one."""
        problems = Diagnostics()
        made = renderer.render(table_pdf_page(table, "zh"), None, table.year,
                               table.source_path, problems)
        if made is None or problems.has_errors():
            raise BenchFailure(f"{table.source_path}: the PDF could not be made: "
                               + "; ".join(d.message for d in problems.errors))

    def render_ours(table) -> None:
        rendered(ours, table)

    def render_same_markup(table) -> None:
        renderer = PdfRenderer(project.root, project.templates_dir, project.theme_dir,
                               glossary)
        renderer.stylesheets.append(CSS(string="table { table-layout: auto !important }"))
        rendered(renderer, table)

    def render_web_page(table) -> None:
        HTML(filename=str(web_page(table))).write_pdf(str(scratch))

    def render_command(table) -> None:
        done = subprocess.run([sys.executable, "-m", "weasyprint", "--quiet",
                               str(web_page(table)), str(scratch)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BenchFailure(f"weasyprint failed on {web_page(table)}:\n{done.stderr}")

    sides = {"ours": render_ours, "same markup": render_same_markup,
             "web page": render_web_page, "command": render_command}
    timings: dict[str, list[float]] = {name: [] for name in sides}
    render_ours(tables[0])  # warm-up: fonts and stylesheet, loaded once per process
    for _ in range(rounds):
        for table in tables:
            for name, render in sides.items():
                started = time.perf_counter()
                render(table)
                timings[name].append(time.perf_counter() - started)
    scratch.unlink(missing_ok=True)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    reporter.info(f"table PDF, one core: median {medians['ours']:.3f} s, "
                  f"{len(timings['ours'])} renders; naive renderings alternating with it:")
    for name in list(sides)[1:]:
        reporter.info(f"  naive, {name + ':':<12} median {medians[name]:.3f} s "
                      f"→ ours {medians[name] / medians['ours']:.1f}x faster")


def pdf_throughput(folder: Path, reporter: Reporter, sample: int = 24, rounds: int = 2
                   ) -> None:
    """PDFs per second of a whole `sitegen build` on one and on two cores, alternating.

    A project of the corpus' first `sample` records (with their publishers' files) is
    built with PDFs from a cold cache, so that every table PDF and volume is rendered.
    """
    from .build import build
    from .project import Project
    from .report import RecordingReporter

    project_dir = folder / ".sitegen-cache" / "pdf-throughput"
    shutil.rmtree(project_dir, ignore_errors=True)
    for part in PRESENTATION:
        shutil.copytree(folder / part, project_dir / part)
    for record in sorted((folder / "content").rglob("project-*.yaml"))[:sample]:
        target = project_dir / record.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(record, target)
        if not (target.parent.parent / "publisher.yaml").exists():
            shutil.copy(record.parent.parent / "publisher.yaml", target.parent.parent)
    rates: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(rounds):
        for cores in (1, 2):
            shutil.rmtree(project_dir / "build", ignore_errors=True)
            shutil.rmtree(project_dir / ".sitegen-cache", ignore_errors=True)
            started = time.perf_counter()
            result = build(Project(project_dir), RecordingReporter(), workers=cores,
                           search=False)
            seconds = time.perf_counter() - started
            rates[cores].append((result.pdfs_rendered + result.volumes_rendered) / seconds)
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    reporter.info(f"PDF build of {sample} records ({result.pdfs_rendered} table PDFs, "
                  f"{result.volumes_rendered} volumes): {one:.2f} PDFs/s on 1 core, "
                  f"{two:.2f} on 2 ({two / one:.2f}x)")
    shutil.rmtree(project_dir, ignore_errors=True)
