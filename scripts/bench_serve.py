"""Benchmark of `sitegen serve`: time from saving a record to its page being rebuilt.

    .venv/bin/sitegen bench corpus --records 10000 /tmp/b10k
    .venv/bin/python scripts/bench_serve.py /tmp/b10k [--edits 7] [--template]

Starts the server on the corpus, listens on its reload channel, then saves records one
at a time and times save → reload event (sent once the saved record's pages are
rewritten), checking the new text is served. Two kinds of edit: a narrative word (the
record's pages only) and the project name (its listings too, after the reload). With
--template it also times a template save (everything re-rendered). Edits the corpus.
"""

from __future__ import annotations

import argparse
import http.client
import queue
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path


class Preview:
    def __init__(self, root: Path, open_page: str) -> None:
        command = [sys.executable, "-m", "sitegen.cli", "--project", str(root), "serve",
                   "--port", "0"]
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        started = time.perf_counter()
        self.port = int(self.wait_for(r"serving the preview at http://127\.0\.0\.1:(\d+)/"))
        print(f"start-up (build of everything): {time.perf_counter() - started:.1f} s")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        connection.request("GET", f"/_sitegen/events?page={open_page}")  # as a browser tab
        self.events = connection.getresponse()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line.rstrip())

    def wait_for(self, pattern: str, timeout: float = 900) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if found := re.search(pattern, line):
                return found.group(1)
        raise TimeoutError(pattern)

    def wait_for_reload(self) -> None:
        while not self.events.readline().startswith(b"event: reload"):
            pass

    def get(self, path: str) -> str:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        connection.request("GET", path)
        return connection.getresponse().read().decode()

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks

    def rss_mb(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024


def time_edits(preview: Preview, root: Path, label: str, edits: int,
               change: Callable[[str, str], str]) -> None:
    records = sorted((root / "content").rglob("project-*.yaml"))
    times = []
    for number in range(edits):
        record = records[(number * 997 + len(label)) % len(records)]
        marker = f"bench {label} {number} {time.time_ns()}"
        text = change(record.read_text(encoding="utf-8"), marker)
        started = time.perf_counter()
        record.write_text(text, encoding="utf-8")
        preview.wait_for_reload()
        times.append((time.perf_counter() - started) * 1000)
        publisher, year = record.parent.parent.name, record.parent.name
        assert marker in preview.get(f"/zh/{publisher}/{year}/{record.stem}/index.html")
        rebuilt = preview.wait_for(r"(rebuilt .*)")
        print(f"  {label} {number}: {times[-1]:.0f} ms to reload; server: {rebuilt}")
        time.sleep(0.3)
    print(f"{label}: save → page rebuilt, median {statistics.median(times):.0f} ms "
          f"(min {min(times):.0f}, max {max(times):.0f}, {edits} edits)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--template", action="store_true")
    args = parser.parse_args()
    first = sorted((args.root / "content").rglob("project-*.yaml"))[0]
    open_page = f"/zh/{first.parent.parent.name}/{first.parent.name}/{first.stem}/index.html"
    preview = Preview(args.root, open_page)
    try:
        before = preview.cpu_seconds()
        time.sleep(10)
        print(f"idle: {(preview.cpu_seconds() - before) * 10:.1f} % of a core; "
              f"memory {preview.rss_mb()} MB")
        time_edits(preview, args.root, "narrative", args.edits, lambda text, marker: re.sub(
            r"(项目概况\n    text:\n      zh: )", rf"\g<1>{marker}，", text, count=1))
        time_edits(preview, args.root, "name", args.edits, lambda text, marker: re.sub(
            r"(  name: \{zh: )", rf"\g<1>{marker}", text, count=1))
        if args.template:
            template = args.root / "templates" / "table.html"
            marker = f"<p>bench template {time.time_ns()}</p>"
            text = template.read_text(encoding="utf-8").replace("</article>",
                                                                marker + "</article>", 1)
            started = time.perf_counter()
            template.write_text(text, encoding="utf-8")
            preview.wait_for_reload()
            print(f"template saved → the open page rebuilt: "
                  f"{(time.perf_counter() - started) * 1000:.0f} ms")
            assert marker in preview.get(open_page)
            print(f"template saved → everything rebuilt: {preview.wait_for(r'(rebuilt .*)')}")
    finally:
        preview.process.send_signal(signal.SIGINT)
        preview.process.wait(120)


if __name__ == "__main__":
    main()
