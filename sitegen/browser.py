"""A real browser for the tests and the search benchmark: Debian's chromium, headless,
driven by Playwright, looking at a build folder served from this machine only.

Playwright's own browser download is never used (it would fetch a browser from the
network): `executable_path` points at the system chromium, which `make test` installs.
Every request to another host is aborted and recorded, so a test can fail on it.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class LocalSite:
    """A folder served over HTTP on 127.0.0.1 (a free port) from a background thread."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class OffsiteGuard:
    """Aborts and records every request a page makes to another machine."""

    tried: list[str] = field(default_factory=list)

    def route(self, route: Any) -> None:
        url = route.request.url
        if _is_local(url):
            route.continue_()
        else:
            self.tried.append(url)
            route.abort()

    def websocket(self, socket: Any) -> None:
        if not _is_local(socket.url):
            self.tried.append(socket.url)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


@contextmanager
def chromium() -> Iterator[Any]:
    """The system chromium under Playwright; raises RuntimeError when it is missing."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium "
                           "(`make test` does; never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def guarded_page(browser: Any, width: int = 1280, height: int = 900
                 ) -> Iterator[tuple[Any, OffsiteGuard]]:
    """A fresh page (own context, no cache shared) whose off-machine requests are blocked."""
    guard = OffsiteGuard()
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    context.route("**/*", guard.route)
    page = context.new_page()
    page.on("websocket", guard.websocket)
    try:
        yield page, guard
    finally:
        context.close()
