"""`sitegen serve`: builds the preview, serves it, rebuilds on every save. Wiring only.

The rebuilder (`preview.Preview`) owns the site, the watcher (`watch`) reports saves, the
server (`preview_server`) answers browsers; this module classifies each save and connects
them. We do not use the `livereload` package (PITFALLS.md): it accepts any Host and
websocket Origin, scans the whole tree every 800 ms on its event loop, blocks serving while
it rebuilds and drops reloads within 3 s of the last. On the 10 000-record benchmark it
signalled a save after 464 ms (median, no rebuild at all) and dropped 4 of 6 saves made a
second apart; this server signals the rebuilt page after ~70 ms.
"""

from __future__ import annotations

import errno
import ipaddress
import threading
import time
from pathlib import Path

from . import errorpage
from .errors import BuildError, Diagnostic
from .glossary import DATA_DIR
from .pipeline import stop_all_pools
from .preview import Preview
from .preview_server import PreviewServer
from .project import RECORD_SUFFIXES, Project
from .report import Reporter
from .watch import ChangeSource, open_source, watch

PRINTED = 20  # problems printed per rebuild; the browser lists them all


def serve(project: Project, reporter: Reporter, host: str | None = None, port: int = 8000,
          workers: int | None = None, polling: bool = False) -> int:
    """Build the preview, serve it and rebuild on every save until Ctrl-C."""
    bind = host or "127.0.0.1"
    try:
        server = PreviewServer(bind, port)  # before building: a busy port fails at once
    except OSError as failure:
        reporter.info(_cannot_listen(failure, bind, port))
        return 1
    if not _is_loopback(bind):
        reporter.info(f"warning: listening on {bind}: other machines on the network can "
                      "see this preview, drafts included")
    stop = threading.Event()
    watcher: threading.Thread | None = None
    roots = [project.content_dir, project.templates_dir, project.theme_dir, DATA_DIR]
    source = open_source([root for root in roots if root.is_dir()], polling)  # saves made
    try:                                                     # during the first build count
        _start(server, project, reporter, workers)
        watcher = threading.Thread(target=_rebuild_on_save, name="sitegen-watch", daemon=True,
                                   args=(server, source, reporter, stop))
        watcher.start()
        reporter.info(f"serving the preview at {_url(bind, server.server_port)} "
                      "(Ctrl-C to stop)")
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    except BuildError as failure:  # the glossary itself is broken: nothing to show
        reporter.diagnostics(failure.diagnostics.sorted())
        return 1
    finally:
        stop.set()  # the watcher closes its source when it sees this
        stop_all_pools()  # a rebuild under way is dropped, not finished
        if watcher is None:
            source.close()
        server.broadcaster.close()
        server.server_close()
        if getattr(server, "preview", None) is not None:
            server.preview.pdfs.close()
    reporter.info("preview stopped")
    return 0


def _start(server: PreviewServer, project: Project, reporter: Reporter,
           workers: int | None) -> None:
    reporter.info("building the preview (drafts included) ...")
    started = time.perf_counter()
    server.preview = Preview(project, workers=workers)
    pages = server.preview.build_all()
    reporter.info(f"built {pages} page(s) in {time.perf_counter() - started:.1f} s")
    problems = server.preview.problems()
    if problems:
        _print_problems(problems, reporter, server)


def classify(path: Path, project: Project) -> str:
    """What a saved path is: `record`, `content` (folders, new files), `theme`,
    `templates` (or the glossary), `everything` (a publisher) or `ignored`."""
    if path in (project.content_dir, project.templates_dir, DATA_DIR):
        return "everything"  # the watcher lost events: trust nothing
    name = path.name
    if name.startswith(".") or name.endswith("~") or name == "4913" or path.suffix in (
            ".swp", ".swx", ".tmp"):
        return "ignored"  # editors' backup, swap and probe files (vim's `4913`)
    if path.is_relative_to(project.theme_dir):
        return "theme"
    if path.is_relative_to(project.templates_dir) or path.is_relative_to(DATA_DIR):
        return "templates"
    if not path.is_relative_to(project.content_dir):
        return "ignored"
    parts = path.relative_to(project.content_dir).parts
    if parts[-1] == "publisher.yaml" and len(parts) == 2:
        return "everything"
    if len(parts) == 3 and path.suffix in RECORD_SUFFIXES:
        return "record"
    return "content"


def _rebuild_on_save(server: PreviewServer, source: ChangeSource, reporter: Reporter,
                     stop: threading.Event) -> None:
    project = server.preview.project
    try:
        for changed in watch(source, stop):
            saved = {path: classify(path, project) for path in changed}
            saved = {path: kind for path, kind in saved.items() if kind != "ignored"}
            if saved:
                _rebuild(server, saved, reporter, stop)
    except OSError as failure:  # e.g. the system's limit of watched folders
        reporter.info(f"sitegen serve: stopped watching for changes: {failure}; "
                      "restart the preview to see new saves")
    finally:
        source.close()


def _rebuild(server: PreviewServer, saved: dict[Path, str], reporter: Reporter,
             stop: threading.Event) -> None:
    preview = server.preview
    had_errors = preview.error_count() > 0
    started = time.perf_counter()
    try:
        pages = preview.apply(saved, server.broadcaster.publish,
                              server.broadcaster.open_pages())
    except Exception as failure:  # a bug of ours: say so, keep serving
        if stop.is_set():
            return  # stopped under way by Ctrl-C: nothing went wrong
        reporter.info(f"sitegen serve: internal error while rebuilding: "
                      f"{type(failure).__name__}: {failure}")
        return
    seconds = time.perf_counter() - started
    shown = sorted(preview.project.shown(path) for path in saved)
    reporter.info(f"rebuilt {', '.join(shown)}: {pages} page(s) in {seconds * 1000:.0f} ms")
    problems = [d for d in preview.problems()
                if d.severity == "error" or d.position.path in shown]
    if problems:
        _print_problems(problems, reporter, server)
    elif had_errors:
        reporter.info("no errors left")


def _print_problems(problems: list[Diagnostic], reporter: Reporter,
                    server: PreviewServer) -> None:
    reporter.diagnostics(problems[:PRINTED])
    more = len(problems) - PRINTED
    where = _url(server.server_name, server.server_port) + errorpage.PROBLEMS.lstrip("/")
    reporter.info((f"... and {more} more; " if more > 0 else "") + f"in the browser: {where}")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def _cannot_listen(failure: OSError, host: str, port: int) -> str:
    if failure.errno == errno.EADDRINUSE:
        return (f"sitegen serve: port {port} is already in use on {host} (another "
                f"`sitegen serve`?). Use another port: sitegen serve --port {port + 1}")
    if failure.errno == errno.EACCES:
        return (f"sitegen serve: not allowed to listen on port {port} (ports below 1024 "
                "need administrator rights). Use another port: sitegen serve --port 8000")
    return f"sitegen serve: cannot listen on {host}:{port}: {failure.strerror or failure}"
