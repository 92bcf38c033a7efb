"""The `sitegen` command: wires the stages, prints diagnostics, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BuildError
from .project import Project
from .report import TerminalReporter

if TYPE_CHECKING:
    from .site import TableSummary

# The pipeline (Jinja, WeasyPrint's helpers, multiprocessing) is imported inside the
# commands, within main()'s handling of Ctrl-C: pressed during those imports it would
# otherwise print a traceback.


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (argparse says what is wrong)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} is not 1 or more")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitegen", description="Publish budget performance target tables as a website.")
    parser.add_argument("--project", type=Path, default=Path.cwd(),
                        help="the project folder (default: the current folder)")
    commands = parser.add_subparsers(dest="command", required=True)

    check_cmd = commands.add_parser("check", help="validate every record, print all problems")
    check_cmd.add_argument("--strict", action="store_true",
                           help="treat warnings as errors (and list every one)")
    check_cmd.add_argument("--all", action="store_true", dest="every_warning",
                           help="list every warning: by default, after five of one kind "
                                "the rest are counted")
    build_cmd = commands.add_parser("build", help="check, then write the site to build/")
    build_cmd.add_argument("--jobs", type=positive_int, default=None,
                           help="worker processes (default: one per core)")
    build_cmd.add_argument("--no-pdf", action="store_true",
                           help="skip PDFs (quick looks, timing the HTML alone)")
    build_cmd.add_argument("--no-search", action="store_true",
                           help="skip the search index (quick looks, timing the rest)")

    new_cmd = commands.add_parser("new", help="write a commented skeleton record")
    new_cmd.add_argument("publisher", help="publisher folder, e.g. shanghai-justice")
    new_cmd.add_argument("year", type=int, help="budget year, e.g. 2024")
    new_cmd.add_argument("id", help="record id (file name), e.g. office-renovation")
    new_cmd.add_argument("--form", default="shanghai-2023",
                         help="form family, as in sitegen/data/forms.yaml (default: "
                              "shanghai-2023)")

    bench_cmd = commands.add_parser("bench", help="synthetic corpus and build timings")
    bench_sub = bench_cmd.add_subparsers(dest="bench_command", required=True)
    corpus = bench_sub.add_parser("corpus", help="write a synthetic project of N records")
    corpus.add_argument("--records", type=positive_int, default=1000)
    corpus.add_argument("dir", type=Path)
    run = bench_sub.add_parser("run", help="time a full build and a no-change rebuild")
    run.add_argument("dir", type=Path)
    run.add_argument("--jobs", type=positive_int, default=None)
    run.add_argument("--pdf-sample", type=positive_int, default=0,
                     help="also time table PDFs on this many records")
    run.add_argument("--rounds", type=positive_int, default=3,
                     help="how many times each side is timed (default: 3; medians quoted)")
    search = bench_sub.add_parser("search", help="the search index against plain Pagefind "
                                  "on a built DIR (needs chromium and playwright)")
    search.add_argument("dir", type=Path)

    serve_cmd = commands.add_parser("serve", help="preview the site (drafts too), reloading "
                                    "on every save")
    serve_cmd.add_argument("--port", type=int, default=8000, help="default: 8000")
    serve_cmd.add_argument("--host", default=None,
                           help="address to listen on (default: 127.0.0.1, this machine only)")
    serve_cmd.add_argument("--poll", action="store_true",
                           help="look for saves every 0.5 s: for network or shared folders, "
                           "where the system does not report changes")
    import_cmd = commands.add_parser("import", help="turn tables (text exports, .docx, "
                                     ".xlsx) into records to check")
    import_cmd.add_argument("files", nargs="+", type=Path, metavar="FILE")
    import_cmd.add_argument("--publisher", default=None,
                            help="write into content/PUBLISHER/<year>/ (e.g. shanghai-justice)")
    import_cmd.add_argument("--out", type=Path, default=None,
                            help="write into DIR/<year>/ instead")
    import_cmd.add_argument("--force", action="store_true",
                            help="replace records that already exist")
    return parser


def _check(project: Project, args: argparse.Namespace, reporter: TerminalReporter) -> int:
    from .build import check

    diagnostics, summaries = check(project)
    reporter.every_warning = args.every_warning or args.strict  # under --strict, errors
    reporter.diagnostics(diagnostics.sorted())
    for line in coverage_lines(summaries):
        reporter.info(line)
    failed = diagnostics.has_errors() or (args.strict and diagnostics.warnings)
    if not failed:
        reporter.info(f"{len(summaries)} record(s) checked: no errors")
    return 1 if failed else 0


def coverage_lines(summaries: list[TableSummary]) -> list[str]:
    """English translation coverage per publisher, e.g. `shanghai-justice: 100.0 %`."""
    totals: dict[str, list[int]] = {}
    for summary in summaries:
        counts = totals.setdefault(summary.publisher.id, [0, 0])
        counts[0] += summary.english_coverage[0]
        counts[1] += summary.english_coverage[1]
    return [f"English coverage {publisher}: {done}/{total} texts "
            f"({100 * done / total:.1f} %)" for publisher, (done, total) in sorted(totals.items())
            if total]


def _build(project: Project, args: argparse.Namespace, reporter: TerminalReporter) -> int:
    from .build import build

    try:
        result = build(project, reporter, workers=args.jobs, pdf=not args.no_pdf,
                       search=not args.no_search)
    except BuildError as failure:
        reporter.diagnostics(failure.diagnostics.sorted())
        reporter.info("build failed: build/ was left as it was")
        return 1
    reporter.diagnostics(result.diagnostics.sorted())
    if result.up_to_date:
        reporter.info(f"build/ is up to date: nothing changed ({result.seconds:.2f} s)")
        return 0
    pdfs = "" if args.no_pdf else (f", {result.pdfs_rendered} table PDF(s) and "
                                   f"{result.volumes_rendered} volume(s) rendered")
    search = "" if args.no_search else (f"; {result.search_pages} page(s) indexed for search "
                                        f"in {result.search_seconds:.2f} s")
    reporter.info(f"built {result.pages} pages into {project.shown(project.build_dir)}/ "
                  f"in {result.seconds:.2f} s{pdfs}{search}")
    return 0


def _new(project: Project, args: argparse.Namespace, reporter: TerminalReporter) -> int:
    from .glossary import load_forms
    from .skeleton import write_skeleton  # reads the form families: within main()'s care

    written, refusal = write_skeleton(project, args.publisher, args.year, args.id, args.form,
                                      load_forms())
    if refusal:
        reporter.info(f"sitegen new: {refusal}")
        return 1
    for path in written:
        reporter.info(f"wrote {project.shown(path)}")
    return 0


def _bench(project: Project, args: argparse.Namespace, reporter: TerminalReporter) -> int:
    from . import bench  # only the benchmark needs it

    if args.bench_command == "corpus":
        if problem := bench.corpus_problem(args.dir):
            reporter.info(f"error: {problem}")
            return 1
        bench.write_corpus(args.dir, args.records)
        reporter.info(f"wrote {args.records} records into {args.dir}")
        return 0
    try:
        if args.bench_command == "search":
            from . import bench_search  # needs the dev extra (playwright) and chromium

            return bench_search.run(args.dir, reporter)
        return bench.run(args.dir, reporter, jobs=args.jobs, rounds=args.rounds,
                         pdf_sample=args.pdf_sample)
    except BuildError as failure:  # the PDF throughput builds a copy of corpus records
        reporter.diagnostics(failure.diagnostics.sorted())
        reporter.info("error: a benchmark build failed")
        return 1
    except (bench.BenchFailure, RuntimeError, ImportError) as failure:
        # RuntimeError: no chromium; ImportError: no playwright (`make test` installs both)
        reporter.info(f"error: {failure}")
        return 1


def _serve(project: Project, args: argparse.Namespace, reporter: TerminalReporter) -> int:
    from .serve import serve  # only the preview needs the server

    return serve(project, reporter, host=args.host, port=args.port, polling=args.poll)


def _import(project: Project, args: argparse.Namespace, reporter: TerminalReporter) -> int:
    from .importers.run import run_import  # only importing needs python-docx and openpyxl

    lines, status = run_import(args.files, project.content_dir, args.publisher, args.out,
                               args.force, project.shown)
    for line in lines:
        reporter.info(line)
    return status


COMMANDS = {"check": _check, "build": _build, "new": _new, "bench": _bench, "serve": _serve,
            "import": _import}


def main(argv: list[str] | None = None) -> int:
    reporter = TerminalReporter()
    command = None
    try:
        args = _parser().parse_args(argv)
        command = args.command
        return COMMANDS[command](Project(args.project.resolve()), args, reporter)
    except KeyboardInterrupt:
        reporter.info("interrupted: build/ was left as it was")
        return 130
    except OSError as failure:  # the disk, not a record: full, read-only, taken away
        where = f" ({failure.filename})" if failure.filename else ""
        kept = " build/ was left as it was." if command == "build" else ""
        reporter.info(f"sitegen: the system refused to read or write a file{where}: "
                      f"{failure.strerror or failure}.{kept} Free space or fix the "
                      "folder's permissions, then run again.")
        return 74  # EX_IOERR
    except Exception as failure:  # a bug of ours: say so plainly, keep the trace for us
        if os.environ.get("SITEGEN_DEBUG"):
            raise
        reporter.info(f"sitegen: internal error: {type(failure).__name__}: {failure}\n"
                      "This is a bug in sitegen, not in your records. Run again with "
                      "SITEGEN_DEBUG=1 to see where it happened, and report it.")
        return 70


if __name__ == "__main__":
    sys.exit(main())
