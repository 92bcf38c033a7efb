"""`sitegen serve`: a real server in a subprocess, on a free port, against a small project.

Every wait is bounded; every server is stopped (Ctrl-C to its process group) in a
finally block.
"""

from __future__ import annotations

import http.client
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import RECORD, REPO, run_cli, write_project

from sitegen.preview_server import HostGuard
from sitegen.project import Project
from sitegen.watch import PollingSource

RECORD_DIR = "content/test-bureau/2023"
PAGE = "/zh/test-bureau/2023/a/index.html"
DRAFT = RECORD.replace("测试项目", "草稿项目").replace("year: 2023\n", "year: 2023\ndraft: true\n")
TIMEOUT = 20.0


class Server:
    """A `sitegen serve` subprocess and what it printed."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        self.printed: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.port = int(self.wait_for_line(r"serving the preview at http://127\.0\.0\.1:(\d+)/"))

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for_line(self, pattern: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.process.poll() is None, "".join(self.printed)
                continue
            self.printed.append(line)
            if found := re.search(pattern, line):
                return found.group(1) if found.groups() else line
        raise AssertionError(f"never printed {pattern!r}:\n{''.join(self.printed)}")

    def everything_printed(self) -> str:
        """All of stderr, once the process has ended."""
        self.reader.join(TIMEOUT)
        while not self.lines.empty():
            self.printed.append(self.lines.get())
        return "".join(self.printed)

    def request(self, path: str, headers: dict[str, str] | None = None
                ) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8")
        finally:
            connection.close()

    def fetch(self, path: str) -> tuple[int, str, bytes]:
        """Status, content type and the bytes as sent (for files that are not text)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.getheader("Content-Type") or "", response.read()
        finally:
            connection.close()

    def wait_for_page(self, path: str, text: str) -> tuple[int, str]:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            status, body = self.request(path)
            if text in body:
                return status, body
            time.sleep(0.05)
        raise AssertionError(f"{path} never showed {text!r}; last:\n{body[:2000]}")


def serve_command(project: Project, *args: str) -> list[str]:
    return [sys.executable, "-m", "sitegen.cli", "--project", str(project.root), "serve", *args]


@contextmanager
def served(project: Project, *args: str) -> Iterator[Server]:
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    # A session of its own, so that Ctrl-C reaches the server and its worker processes
    # together, as a terminal sends it.
    process = subprocess.Popen(serve_command(project, "--port", "0", *args), text=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=environment, start_new_session=True)
    try:
        yield Server(process)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def event_stream(port: int, headers: dict[str, str] | None = None
                 ) -> Iterator[http.client.HTTPResponse]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request("GET", "/_sitegen/events", headers=headers or {})
        yield connection.getresponse()
    finally:
        connection.close()


def read_event(stream: http.client.HTTPResponse, name: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        line = stream.readline().decode()
        assert line, "the event stream ended"
        if line.strip() == f"event: {name}":
            return
    raise AssertionError(f"no {name} event")


def save(project: Project, name: str, text: str) -> None:
    (project.root / RECORD_DIR / name).write_text(text, encoding="utf-8")


def test_edit_is_served_and_reload_signalled(tmp_path: Path):
    project = write_project(tmp_path / "site", {"2023/a.yaml": RECORD})
    with served(project) as server:
        status, page = server.request(PAGE)
        assert status == 200 and "<h1>测试项目</h1>" in page
        assert '<script data-sitegen-preview>' in page and "/_sitegen/events" in page
        with event_stream(server.port) as stream:
            assert stream.status == 200
            assert stream.getheader("Content-Type") == "text/event-stream"
            save(project, "a.yaml", RECORD.replace("测试项目", "修缮项目"))
            read_event(stream, "reload")
        status, page = server.request(PAGE)
        assert status == 200 and "修缮项目" in page and "测试项目" not in page
        assert "修缮项目" in server.request("/zh/test-bureau/2023/index.html")[1]
        server.wait_for_line(r"rebuilt content/test-bureau/2023/a\.yaml")


def test_polling_watcher_serves_edits_too(tmp_path: Path):
    project = write_project(tmp_path / "site", {"2023/a.yaml": RECORD})
    with served(project, "--poll") as server:
        save(project, "a.yaml", RECORD.replace("测试项目", "轮询项目"))
        assert server.wait_for_page(PAGE, "<h1>轮询项目</h1>")[0] == 200


def test_broken_record_shows_error_page_until_fixed(tmp_path: Path):
    other = RECORD.replace("测试项目", "另一个项目")
    project = write_project(tmp_path / "site", {"2023/a.yaml": RECORD, "2023/b.yaml": other})
    broken = RECORD.replace("title: 财政", "colour: red\ntitle: 财政")
    line = broken.splitlines().index("colour: red") + 1
    with served(project) as server:
        server.request(PAGE)
        save(project, "a.yaml", broken)
        status, page = server.wait_for_page(PAGE, "此页无法生成")
        assert status == 500
        assert f"content/test-bureau/2023/a.yaml:{line}:" in page
        assert "colour" in page and "/_sitegen/events" in page
        status, page = server.request("/zh/test-bureau/2023/b/index.html")
        assert status == 200 and "另一个项目" in page and "1 error(s) in the preview" in page
        status, problems = server.request("/_sitegen/problems")
        assert f"a.yaml:{line}:" in problems
        server.wait_for_line(rf"a\.yaml:{line}:\d+: error")
        save(project, "a.yaml", RECORD.replace("测试项目", "修好的项目"))
        status, page = server.wait_for_page(PAGE, "修好的项目")
        assert status == 200 and "error(s) in the preview" not in page


def test_broken_template_shows_on_every_page_until_fixed(tmp_path: Path):
    project = write_project(tmp_path / "site", {"2023/a.yaml": RECORD})
    template = project.templates_dir / "table.html"
    good = template.read_text(encoding="utf-8")
    with served(project) as server:
        template.write_text(good + "\n{% if %}\n", encoding="utf-8")
        status, page = server.wait_for_page(PAGE, "此页无法生成")
        assert status == 500 and "templates/table.html:" in page
        template.write_text(good.replace("</article>", "<p>模板已改</p></article>"),
                            encoding="utf-8")
        status, page = server.wait_for_page(PAGE, "模板已改")
        assert status == 200


def test_a_publisher_file_that_does_not_read_is_shown_on_its_pages(tmp_path: Path):
    """A misspelt field in publisher.yaml takes every page of the publisher away: the page
    being previewed shows why (not "Not found"), said once, and comes back when fixed."""
    project = write_project(tmp_path / "site", {"2023/a.yaml": RECORD})
    publisher = project.content_dir / "test-bureau/publisher.yaml"
    good = publisher.read_text(encoding="utf-8")
    with served(project) as server:
        publisher.write_text(good.replace("name:", "nmae:", 1), encoding="utf-8")
        status, page = server.wait_for_page(PAGE, "此页无法生成")
        assert status == 500 and "unknown field &#39;nmae&#39;. Did you mean" in page, page
        assert "test-bureau/publisher.yaml:1:" in page and "missing field" not in page
        # An address mistyped, or of another publisher, is not found, errors or not.
        assert server.request("/zh/no-such-page.html")[0] == 404
        assert server.request("/zh/other-bureau/2023/a/index.html")[0] == 404
        publisher.write_text(good, encoding="utf-8")
        assert server.wait_for_page(PAGE, "测试项目")[0] == 200


def test_new_record_appears_and_deleted_record_goes(tmp_path: Path):
    project = write_project(tmp_path / "site", {"2023/a.yaml": RECORD})
    new_page, new_year = "/zh/test-bureau/2024/c/index.html", "/zh/test-bureau/2024/index.html"
    new_file = project.content_dir / "test-bureau/2024/c.yaml"
    with served(project) as server:
        assert server.request(new_page)[0] == 404
        new_file.parent.mkdir()
        text = RECORD.replace("测试项目", "新增项目").replace("year: 2023", "year: 2024")
        new_file.write_text(text.replace(": 2023-", ": 2024-"), encoding="utf-8")
        assert server.wait_for_page(new_page, "新增项目")[0] == 200
        assert "新增项目" in server.request(new_year)[1]
        assert "2024" in server.request("/zh/test-bureau/index.html")[1]
        new_file.unlink()
        assert server.wait_for_page(new_page, "Not found")[0] == 404
        started = time.monotonic()
        assert server.request(new_year)[0] == 404  # the year's listing went with it
        assert time.monotonic() - started < 5


def test_data_files_follow_every_save(tmp_path: Path):
    """What the pages link for data users: each record's CSV and JSON, and the site's
    tables.csv and indicators.csv, are served as a build would write them after every
    save, and go with a deleted record."""
    project = write_project(tmp_path / "site", {"2023/a.yaml": RECORD})
    data, other = "/data/test-bureau/2023/a", "/data/test-bureau/2023/b"
    with served(project) as server:
        status, kind, body = server.fetch(f"{data}.csv")
        assert status == 200 and kind.startswith("text/csv") and "=4(次)" in body.decode()
        assert "培训次数" in server.fetch("/data/indicators.csv")[2].decode("utf-8-sig")
        assert ",a,target-table,测试项目," in server.fetch("/data/tables.csv")[2].decode()
        save(project, "a.yaml", RECORD.replace("=4(次)", "=9(次)"))
        server.wait_for_page(PAGE, "=9(次)")
        assert "=9(次)" in server.fetch(f"{data}.csv")[2].decode()
        assert "=9(次)" in server.fetch(f"{data}.json")[2].decode()
        assert "=9(次)" in server.fetch("/data/indicators.csv")[2].decode("utf-8-sig")
        save(project, "b.yaml", RECORD.replace("测试项目", "新增项目"))
        server.wait_for_page("/zh/test-bureau/2023/b/index.html", "新增项目")
        assert server.fetch(f"{other}.csv")[0] == 200
        assert ",b,target-table,新增项目," in server.fetch("/data/tables.csv")[2].decode()
        (project.root / RECORD_DIR / "b.yaml").unlink()
        server.wait_for_page("/zh/test-bureau/2023/b/index.html", "Not found")
        assert server.fetch(f"{other}.csv")[0] == 404
        assert ",b," not in server.fetch("/data/tables.csv")[2].decode()


def test_refuses_paths_outside_foreign_hosts_and_origins(tmp_path: Path):
    project = write_project(tmp_path / "site", {"2023/a.yaml": RECORD})
    (tmp_path / "site" / ".sitegen-cache" / "secret.txt").parent.mkdir(exist_ok=True)
    (tmp_path / "site" / ".sitegen-cache" / "secret.txt").write_text("secret")
    with served(project) as server:
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/zh/../../secret.txt",
                     "/..%2fsecret.txt", "/theme/..%5c..%5csecret.txt"):
            status, body = server.request(path)
            assert status == 403 and "secret" not in body, path
        own = f"127.0.0.1:{server.port}"
        assert server.request(PAGE, {"Host": f"localhost:{server.port}"})[0] == 200
        for host in (f"evil.example:{server.port}", "127.0.0.1", f"127.0.0.1:{server.port + 1}"):
            assert server.request(PAGE, {"Host": host})[0] == 403, host
        assert server.request(PAGE, {"Host": own, "Origin": "http://evil.example"})[0] == 403
        with event_stream(server.port, {"Origin": "http://evil.example"}) as stream:
            assert stream.status == 403
        with event_stream(server.port, {"Origin": f"http://{own}"}) as stream:
            assert stream.status == 200


def test_draft_is_previewed_but_never_built(tmp_path: Path, capsys):
    project = write_project(tmp_path / "site", {"2023/a.yaml": RECORD, "2023/d.yaml": DRAFT})
    draft_page = "/zh/test-bureau/2023/d/index.html"
    with served(project) as server:
        status, page = server.request(draft_page)
        assert status == 200 and "草稿项目" in page and "DRAFT" in page
        assert "草稿项目" in server.request("/zh/test-bureau/2023/index.html")[1]
        assert "DRAFT" not in server.request(PAGE)[1]
    status, _ = run_cli(capsys, project, "build", "--no-pdf")
    assert status == 0
    built = project.build_dir
    assert not (built / draft_page.lstrip("/")).exists()
    assert (built / PAGE.lstrip("/")).is_file()
    for page in built.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "草稿项目" not in text and "_sitegen" not in text, page


def test_busy_port_is_reported_and_ctrl_c_stops_cleanly(tmp_path: Path):
    project = write_project(tmp_path / "site", {"2023/a.yaml": RECORD})
    with served(project) as server:
        second = subprocess.run(serve_command(project, "--port", str(server.port)),
                                capture_output=True, text=True, timeout=TIMEOUT,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
        assert second.returncode == 1
        assert f"port {server.port} is already in use" in second.stderr
        assert "--port" in second.stderr and "Traceback" not in second.stderr
        first = server.process
    assert first.returncode == 0
    printed = server.everything_printed()
    assert "preview stopped" in printed and "Traceback" not in printed


def test_host_guard_accepts_only_own_addresses():
    guard = HostGuard("127.0.0.1", 8000)
    assert guard.host_allowed("127.0.0.1:8000") and guard.host_allowed("localhost:8000")
    assert not guard.host_allowed("attacker.example:8000")
    assert not guard.host_allowed("192.168.1.5:8000") and not guard.host_allowed(None)
    assert guard.origin_allowed("http://localhost:8000")
    assert not guard.origin_allowed("http://attacker.example") and not guard.origin_allowed("null")
    everywhere = HostGuard("0.0.0.0", 8000)
    assert everywhere.host_allowed("192.168.1.5:8000")  # a phone on the LAN, by address
    assert not everywhere.host_allowed("rebound.example:8000")


def test_polling_watcher_sees_saves(tmp_path: Path):
    (tmp_path / "a.yaml").write_text("one")
    source = PollingSource([tmp_path])
    (tmp_path / "a.yaml").write_text("two, longer")
    (tmp_path / "b.yaml").write_text("new")
    assert source.read(2.0) == {tmp_path / "a.yaml", tmp_path / "b.yaml"}


def test_a_record_saved_as_its_new_folder_is_watched_is_seen(tmp_path: Path, monkeypatch):
    """A year's folder made and its first record saved at once: the record was missed
    (and never previewed) when it came between the folder's listing and its watch. Here
    it is saved right after the listing, every time."""
    import os

    from sitegen.watch import InotifySource

    source = InotifySource([tmp_path])
    folder, record = tmp_path / "2024", tmp_path / "2024" / "c.yaml"
    listing = os.scandir

    def listed_then_saved(path):
        entries = list(listing(path))
        if Path(path) == folder and not record.exists():
            record.write_text("kind: target-table\n", encoding="utf-8")
        return iter(entries)

    monkeypatch.setattr(os, "scandir", listed_then_saved)
    folder.mkdir()
    seen: set[Path] = set()
    deadline = time.monotonic() + 5
    while record not in seen and time.monotonic() < deadline:
        seen |= source.read(0.2)
    source.close()
    assert record in seen


def pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True,
                          check=True)
    return done.stdout.decode("utf-8")


def test_each_page_links_its_pdf_which_follows_every_save(tmp_path: Path):
    project = write_project(tmp_path / "site", {"2023/a.yaml": RECORD})
    pdf = "/zh/test-bureau/2023/a/a.pdf"
    with served(project) as server:
        status, page = server.request(PAGE)
        assert status == 200 and 'href="a.pdf"' in page
        status, kind, data = server.fetch(pdf)  # never made yet: made now, then sent
        assert (status, kind) == (200, "application/pdf") and "测试项目" in pdf_text(data)
        save(project, "a.yaml", RECORD.replace("测试项目", "修缮项目"))
        server.wait_for_page(PAGE, "<h1>修缮项目</h1>")
        status, kind, data = server.fetch(pdf)  # waits for the one in the making
        assert status == 200 and "修缮项目" in pdf_text(data) and "测试项目" not in pdf_text(data)
        english = server.fetch("/en/test-bureau/2023/a/a.pdf")
        assert english[0] == 200 and "Test project" in pdf_text(english[2])
        assert server.fetch("/zh/test-bureau/2023/a/b.pdf")[0] == 404
    # Ctrl-C with the PDF worker idle: it stops with the server, and says nothing.
    assert server.process.returncode == 0
    printed = server.everything_printed()
    assert "preview stopped" in printed and "Traceback" not in printed


def test_a_pdf_that_cannot_be_made_shows_why(tmp_path: Path):
    project = write_project(tmp_path / "site",
                            {"2023/a.yaml": RECORD.replace("培训次数", "培训次数𓀀")})
    with served(project) as server:
        assert server.request(PAGE)[0] == 200  # the page itself is fine
        status, kind, data = server.fetch("/zh/test-bureau/2023/a/a.pdf")
        page = data.decode("utf-8")
        assert status == 500 and kind.startswith("text/html")
        assert "content/test-bureau/2023/a.yaml" in page and "U+13000" in page
        # and it counts among the preview's problems, like any other
        assert "error(s) in the preview" in server.request(PAGE)[1]
        assert "U+13000" in server.request("/_sitegen/problems")[1]


def test_a_pdf_follows_the_print_stylesheet(tmp_path: Path):
    """print.css is part of every PDF: a save of it makes each PDF again (from a worker
    that reads the new stylesheet), instead of serving the one made before; a save of
    style.css, which no PDF uses, keeps them."""
    project = write_project(tmp_path / "site", {"2023/a.yaml": RECORD})
    pdf = "/zh/test-bureau/2023/a/a.pdf"
    with served(project) as server:
        assert "测试项目" in pdf_text(server.fetch(pdf)[2])
        made = project.root / ".sitegen-cache/preview" / pdf.lstrip("/")
        made_at = made.stat().st_mtime_ns
        web_only = project.theme_dir / "style.css"  # no part of a PDF: they all stay
        web_only.write_text(web_only.read_text(encoding="utf-8") + "/* web */\n",
                            encoding="utf-8")
        server.wait_for_line(r"rebuilt theme/style\.css")
        assert made.stat().st_mtime_ns == made_at
        stylesheet = project.theme_dir / "print.css"
        stylesheet.write_text(stylesheet.read_text(encoding="utf-8")
                              + '@page { @top-left { content: "STYLESHEET-MARK" } }\n',
                              encoding="utf-8")
        server.wait_for_line(r"rebuilt theme/print\.css")
        status, _, data = server.fetch(pdf)
        assert status == 200 and "STYLESHEET-MARK" in pdf_text(data)


def test_a_deleted_record_takes_its_pdf_problems_with_it(tmp_path: Path):
    project = write_project(tmp_path / "site",
                            {"2023/a.yaml": RECORD.replace("培训次数", "培训次数𓀀"),
                             "2023/b.yaml": RECORD.replace("测试项目", "另一个项目")})
    with served(project) as server:
        assert server.fetch("/zh/test-bureau/2023/a/a.pdf")[0] == 500
        assert "U+13000" in server.request("/_sitegen/problems")[1]
        (project.root / RECORD_DIR / "a.yaml").unlink()
        server.wait_for_line(r"rebuilt content/test-bureau/2023/a\.yaml")
        assert "U+13000" not in server.request("/_sitegen/problems")[1]
        assert "error(s) in the preview" not in server.request(
            "/zh/test-bureau/2023/b/index.html")[1]


def test_a_browser_that_stops_waiting_is_no_error(capsys):
    from sitegen.preview_server import PreviewServer

    server = PreviewServer.__new__(PreviewServer)  # handle_error needs no socket
    for failure in (BrokenPipeError(), ConnectionResetError()):
        try:
            raise failure
        except ConnectionError:
            server.handle_error(None, ("127.0.0.1", 1))
    assert capsys.readouterr().err == ""
    try:
        raise ValueError("odd")
    except ValueError:
        server.handle_error(None, ("127.0.0.1", 1))
    printed = capsys.readouterr().err
    assert printed == "sitegen serve: a request failed: ValueError('odd')\n"


def test_a_pdf_still_being_made_after_the_wait_says_so(monkeypatch, tmp_path: Path):
    """A request for a PDF waits PDF_WAIT for it; then it says the PDF is still being
    made, rather than a "not found" or a silent old version, and counts as no problem."""
    from concurrent.futures import Future

    from sitegen import preview_pdf
    from sitegen.preview_state import RecordState
    from sitegen.project import RecordFile

    monkeypatch.setattr(preview_pdf, "PDF_WAIT", 0.05)
    state = RecordState(RecordFile(tmp_path / "a.yaml", "content/test-bureau/2023/a.yaml",
                                   "test-bureau", 2023, "a"), publisher=None)
    pdfs = preview_pdf.PreviewPdfs(work=None)
    address = preview_pdf.pdf_addresses(state)[0]
    pdfs._jobs[address] = Future()  # a PDF the worker has not come to yet
    [problem] = pdfs.ensure(state, address, exists=True)
    assert problem.position.path == "content/test-bureau/2023/a.yaml"
    assert "still being made after 0 s" in problem.message and "reload" in problem.message
    assert pdfs.all_problems() == []


def test_ctrl_c_during_a_full_rebuild_stops_at_once_and_quietly(tmp_path: Path):
    """Ctrl-C while a template save has every page rebuilt in worker processes (from
    200 records on): the rebuild is dropped, not finished first (here it would take
    over a minute: the saved template is slow on purpose), the preview says it stopped,
    nothing prints a traceback, and no worker outlives it."""
    from sitegen.pipeline import PARALLEL_THRESHOLD

    records = {f"2023/r{number:03d}.yaml": RECORD.replace("测试项目", f"测试项目{number}")
               for number in range(PARALLEL_THRESHOLD)}
    project = write_project(tmp_path / "site", records)
    cache = project.root / ".sitegen-cache"
    with served(project) as server:  # serving, the first build done
        template = project.templates_dir / "base.html"
        slow = "{% for _ in range(2000000) %}{% endfor %}"  # ~0.2 s a page
        template.write_text(template.read_text(encoding="utf-8") + slow, encoding="utf-8")
        deadline = time.monotonic() + TIMEOUT
        while not any(cache.glob(".preview-staging-*")):  # the rebuild is under way
            assert time.monotonic() < deadline, "the template save started no rebuild"
            time.sleep(0.01)
        time.sleep(0.5)  # the workers are at it
        group = server.process.pid
        interrupted = time.monotonic()
    # served() sends Ctrl-C and waits TIMEOUT seconds before it kills (status -9)
    assert server.process.returncode == 0
    assert time.monotonic() - interrupted < 10
    printed = server.everything_printed()
    assert "preview stopped" in printed and "rebuilt templates/base.html" not in printed
    for noise in ("Traceback", "KeyboardInterrupt", "internal error"):
        assert noise not in printed, printed
    deadline = time.monotonic() + TIMEOUT
    while True:  # the workers went with the server
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "worker processes outlived the preview"
        time.sleep(0.05)
