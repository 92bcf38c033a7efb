"""The preview's HTTP side: files of the preview folder, the error page, reload events.

Standard library only (`ThreadingHTTPServer`): a request never waits for another, and the
reload channel is Server-Sent Events, which needs no library in the browser either.

Safety: it answers only requests whose Host is its own, so a page on another site cannot
read unpublished drafts through DNS rebinding (PITFALLS.md: `livereload` accepts any Host
and Origin); it refuses any request with a foreign Origin (browsers send one when another
site's script asks, never for a plain link); it serves only files of the preview folder.
"""

from __future__ import annotations

import ipaddress
import socket
import socketserver
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from . import errorpage
from .errors import Diagnostic
from .preview import Preview

KEEPALIVE = 15.0   # seconds between comments on an idle event stream (finds closed tabs)
LOOPBACK = ("127.0.0.1", "localhost", "::1")
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".json": "application/json",
         ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
         ".woff2": "font/woff2", ".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8",
         ".csv": "text/csv; charset=utf-8"}


class Broadcaster:
    """Tells every open page to reload. A token names the site's version: the server's
    start time and a counter, so a page from before a restart reloads too."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._epoch = format(time.time_ns(), "x")
        self._generation = 0
        self._listening: Counter[str] = Counter()  # page addresses with an open stream
        self.closed = False

    def open_pages(self) -> list[str]:
        """Addresses of the pages open in browsers: rebuilt first after a template change."""
        with self._changed:
            return [address for address, count in self._listening.items() if count > 0]

    @contextmanager
    def listening(self, address: str | None) -> Iterator[None]:
        with self._changed:
            self._listening[address or ""] += 1
        try:
            yield
        finally:
            with self._changed:
                self._listening[address or ""] -= 1

    @property
    def token(self) -> str:
        return f"{self._epoch}.{self._generation}"

    def publish(self) -> None:
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def wait(self, token: str, timeout: float) -> str:
        """The token once it differs from `token`, or the same one after `timeout`."""
        with self._changed:
            self._changed.wait_for(lambda: self.closed or self.token != token, timeout)
            return self.token

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()


class HostGuard:
    """Which Host and Origin headers belong to this server."""

    def __init__(self, host: str, port: int) -> None:
        names = {*LOOPBACK, host.lower()}
        self.hosts = {f"[{n}]:{port}" if ":" in n else f"{n}:{port}" for n in names}
        self.port = port
        self.any_address = host in ("0.0.0.0", "::")  # any of this machine's addresses

    def host_allowed(self, value: str | None) -> bool:
        if not value:
            return False
        if value.lower() in self.hosts:
            return True
        name, _, port = value.rpartition(":")
        # Bound to every interface we cannot list our addresses; an IP literal is still
        # safe, since DNS rebinding needs a name.
        return self.any_address and port == str(self.port) and _is_ip(name.strip("[]"))

    def origin_allowed(self, origin: str) -> bool:
        scheme, _, rest = origin.partition("://")
        return scheme == "http" and self.host_allowed(rest)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class PreviewServer(ThreadingHTTPServer):
    """One thread per request; event streams are daemon threads that end with it."""

    daemon_threads = True
    preview: Preview  # set once the first build is done; requests queue until then

    def __init__(self, host: str, port: int) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), PreviewHandler)
        self.broadcaster = Broadcaster()
        self.guard = HostGuard(host, self.server_port)

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser that stops waiting (a reload, a closed tab) is no error; anything else
        is one line in the terminal, never a traceback."""
        failure = sys.exc_info()[1]
        if not isinstance(failure, ConnectionError):
            print(f"sitegen serve: a request failed: {failure!r}", file=sys.stderr)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall on DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "sitegen-preview"

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal reports rebuilds, not every request

    def _answer(self, body: bool) -> None:
        refusal = self._refusal()
        if refusal:
            self._send(HTTPStatus.FORBIDDEN, refusal.encode(), "text/plain; charset=utf-8", body)
            return
        address, query = self._address()
        if address is None:
            self._send(HTTPStatus.FORBIDDEN, b"refused: outside the preview\n",
                       "text/plain; charset=utf-8", body)
        elif address == errorpage.EVENTS.lstrip("/") and body:
            asked = parse_qs(query)
            self._events(asked.get("since", [""])[0], _page_address(asked.get("page", [""])[0]))
        elif address == errorpage.PROBLEMS.lstrip("/"):
            self._problems(self.server.preview.problems(), body, whole_site=True)
        else:
            self._page(address, body)

    def _refusal(self) -> str | None:
        """Why this request is refused, if it is: a foreign Host or Origin."""
        guard = self.server.guard
        if not guard.host_allowed(self.headers.get("Host")):
            return "refused: this preview answers only to its own address (Host)\n"
        origin = self.headers.get("Origin")
        if origin is not None and not guard.origin_allowed(origin):
            return "refused: requests from other sites are not allowed (Origin)\n"
        return None

    def _address(self) -> tuple[str | None, str]:
        parts = urlsplit(self.path)
        return _page_address(unquote(parts.path)), parts.query

    def _page(self, address: str, body: bool) -> None:
        preview = self.server.preview
        preview.wait_for(address)
        if (made := preview.site_data(address)) is not None:  # the site-wide CSVs
            self._send(HTTPStatus.OK, made, TYPES[".csv"], body)
            return
        problems = preview.problems_at(address)
        pdf_of = preview.pdf_state(address) if address.endswith(".pdf") else None
        if pdf_of is not None and problems is None:
            problems = preview.pdfs.ensure(pdf_of, address,
                                           (preview.output / address).is_file()) or None
        if problems is not None:
            self._problems(problems, body, whole_site=False)
            return
        root = preview.output.resolve()
        file = (root / address).resolve()
        if not file.is_relative_to(root):  # a symbolic link pointing out
            self._send(HTTPStatus.FORBIDDEN, b"refused: outside the preview\n",
                       "text/plain; charset=utf-8", body)
        elif file.is_dir():  # relative links need the slash
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", "/" + address + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif not file.is_file():
            self._missing(address, body)
        else:
            self._file(file, address, body)

    def _missing(self, address: str, body: bool) -> None:
        """A page that is not there. Under a publisher with errors in its files, most
        likely because of one of them (a publisher.yaml that does not read takes all its
        pages away): they are shown, to be fixed, and the page comes back by itself.
        Else (a mistyped address too): not found."""
        parts = address.split("/")  # <language>/<publisher>/…
        folder = f"content/{parts[1]}/" if len(parts) > 2 and address.endswith(".html") else None
        errors = [d for d in self.server.preview.problems() if d.severity == "error"
                  and folder and d.position.path.startswith(folder)]
        if errors:
            self._problems(errors, body, whole_site=False)
            return
        page = errorpage.not_found_page(self.server.broadcaster.token)
        self._send(HTTPStatus.NOT_FOUND, page.encode(), TYPES[".html"], body)

    def _file(self, file: Path, address: str, body: bool) -> None:
        data = file.read_bytes()
        kind = TYPES.get(file.suffix, "application/octet-stream")
        if file.suffix == ".html":
            data = self._decorate(data.decode("utf-8"), address).encode()
        self._send(HTTPStatus.OK, data, kind, body)

    def _decorate(self, html: str, address: str) -> str:
        """The live-reload script, and banners for drafts and for problems elsewhere."""
        preview = self.server.preview
        top = errorpage.DRAFT_BANNER if preview.is_draft(address) else ""
        errors = preview.error_count()
        bottom = errorpage.reload_script(self.server.broadcaster.token)
        if errors:
            bottom = errorpage.problems_banner(errors) + bottom
        return errorpage.inject(html, top, bottom)

    def _problems(self, problems: list[Diagnostic], body: bool, whole_site: bool) -> None:
        page = errorpage.error_page(problems, self.server.preview.project.root,
                                    self.server.broadcaster.token, whole_site)
        status = HTTPStatus.OK if whole_site else HTTPStatus.INTERNAL_SERVER_ERROR
        self._send(status, page.encode(), TYPES[".html"], body)

    def _send(self, status: HTTPStatus, data: bytes, kind: str, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a reload must fetch the new CSS too
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self, since: str, page: str | None) -> None:
        """A Server-Sent Events stream: `reload` after each rebuild, comments meanwhile."""
        with self.server.broadcaster.listening(page):
            self._stream_events(since)

    def _stream_events(self, since: str) -> None:
        broadcaster = self.server.broadcaster
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        token = broadcaster.token
        try:
            self.wfile.write(b"retry: 1000\n\n")
            if since and since != token:
                self.wfile.write(f"event: reload\ndata: {token}\n\n".encode())
            while not broadcaster.closed:
                self.wfile.flush()
                latest = broadcaster.wait(token, KEEPALIVE)
                message = f"event: reload\ndata: {latest}\n\n" if latest != token else ": -\n\n"
                self.wfile.write(message.encode())
                token = latest
        except (BrokenPipeError, ConnectionResetError):
            pass  # the tab was closed


def _page_address(path: str) -> str | None:
    """A URL path as an address inside the preview folder; None if it tries to leave it.

    Refused rather than normalised (as SimpleHTTPRequestHandler does): a request with
    `..` in it is never an honest link of this site."""
    if (not path.startswith("/") or "\\" in path or "\0" in path
            or any(segment in (".", "..") for segment in path.split("/"))):
        return None
    address = path.lstrip("/")
    return address + "index.html" if address == "" or address.endswith("/") else address
