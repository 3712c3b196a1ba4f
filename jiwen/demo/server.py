"""A small threaded HTTP server for a folder of files: the demo site, the test fixture site and the
crawl benchmark's generated site.

Files are served as they are. A `_routes.toml` in the folder gives single paths the behaviours a
crawler has to survive, e.g.:

    [routes."/news/gone.html"]
    status = 404
    [routes."/news/202311/t20231109_2004.html"]
    fail_times = 1            # answer 500 once, then serve the file
    [routes."/old/story.html"]
    redirect = "/news/202311/t20231108_2001.html"   # 302 unless `status` says 301/307/308
    [routes."/news/slow.html"]
    delay = 5.0               # seconds before answering (capped at MAX_DELAY)
    [routes."/news/202311/t20231110_2005.html"]
    content_type = "text/html; charset=utf-8"       # "" sends no Content-Type at all
    [routes."/news/alias.html"]
    file = "downloads/report.bin"                   # serve another file under this path
    validators = false        # no ETag/Last-Modified for this path
    [routes."/news/bomb.html"]
    headers = { Content-Encoding = "gzip" }         # extra response headers, sent as given
    [routes."/news/challenged.html"]
    status = 412              # with `file`: that file's bytes under this status (a challenge page)
    file = "answers/challenge.html"
    pass_cookie = "token=ok"  # a request whose Cookie header holds this gets the real page
    pass_user_agent = "HeadlessChrome"  # ... and, if given, whose User-Agent holds this (a
                              # challenge that ties its cookie to the browser that earned it)
    [routes."*"]              # every path that has no route of its own (robots.txt included)

`SiteServer.hold(path)` keeps a path's answer back until `release()`, for tests that must stop a
crawl while it is still waiting for a page. Every file gets an ETag and a Last-Modified, and If-None-Match / If-Modified-Since get a 304, so a
crawler's conditional requests can be tested. Every request is logged in `SiteServer.requests`,
and `SiteServer.peak_in_flight` is the most requests it was answering at once (a crawler's
per-server concurrency, seen from the server).

http.server rather than a framework: the standard library is enough for static files plus a
handful of switches, and nothing has to be installed for `jiwen demo`.
"""

from __future__ import annotations

import hashlib
import mimetypes
import sys
import threading
import time
import tomllib
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

MAX_DELAY = 30.0  # a slow route never holds a thread (or a test) longer than this
ROUTES_FILE = "_routes.toml"


@dataclass(frozen=True)
class Route:
    status: int | None = None
    fail_times: int = 0
    fail_status: int = 500
    redirect: str | None = None
    delay: float = 0.0
    content_type: str | None = None
    file: str | None = None
    validators: bool = True
    pass_cookie: str | None = None
    pass_user_agent: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str  # path and query, as requested
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class SiteServer:
    """A running server. Use as a context manager, or call close(). `base_url` ends without '/'."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"no site folder at {self.root}")
        self.routes = load_routes(self.root)
        self.requests: list[LoggedRequest] = []
        self._attempts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._in_flight = 0
        self.peak_in_flight = 0
        # Paths whose answer waits until `release()` (at most MAX_DELAY): a test that must kill a
        # crawl midway holds one page, so the crawl cannot finish first however busy the machine.
        self._held: dict[str, threading.Event] = {}
        self._http = _ThreadingServer((host, port), _handler_for(self))
        self._http.daemon_threads = True
        self._http.block_on_close = False
        bound_host, bound_port = self._http.server_address[:2]
        self.base_url = f"http://{bound_host}:{bound_port}"
        self._thread = threading.Thread(target=self._http.serve_forever, name="jiwen-site-server", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def __enter__(self) -> SiteServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __iter__(self):
        """Allows `server, base_url = serve_site(root)`."""
        return iter((self, self.base_url))

    def hold(self, path: str) -> None:
        """Answer `path` (path and query) only once `release()` is called."""
        with self._lock:
            self._held[path] = threading.Event()

    def release(self) -> None:
        with self._lock:
            held, self._held = list(self._held.values()), {}
        for event in held:
            event.set()

    def paths_requested(self) -> list[str]:
        with self._lock:
            return [entry.path for entry in self.requests]

    def count(self, path: str) -> int:
        """How many times `path` (path and query) was requested."""
        return sum(1 for requested in self.paths_requested() if requested == path)

    def _log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _attempt(self, path: str) -> int:
        with self._lock:
            self._attempts[path] = self._attempts.get(path, 0) + 1
            return self._attempts[path]


def serve_site(root: Path | str, host: str = "127.0.0.1", port: int = 0) -> SiteServer:
    """Serve the folder `root` on host:port (port 0: a free port) in a background thread."""
    return SiteServer(Path(root), host, port)


def load_routes(root: Path) -> dict[str, Route]:
    routes_file = root / ROUTES_FILE
    if not routes_file.is_file():
        return {}
    raw = tomllib.loads(routes_file.read_text("utf-8"))
    return {path: Route(**options) for path, options in raw.get("routes", {}).items()}


class _ThreadingServer(ThreadingHTTPServer):
    # The standard library listens with a backlog of 5. Scrapy opens connections in bursts; the
    # kernel drops the SYNs that overflow the backlog and the client retries one second later,
    # which turned a 1 ms page into a 1 s one every few requests.
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        # A client that gives up (a timeout, an oversized page cut off) resets its connection;
        # the standard library would print a traceback for each.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def _handler_for(site: SiteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_SiteHandler):
        server_site = site

    return Handler


class _SiteHandler(BaseHTTPRequestHandler):
    server_site: SiteServer
    server_version = "jiwen-demo"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the second waits for the client's
    # delayed ACK (~40 ms a response on keep-alive connections), which is all a benchmark would measure.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args) -> None:
        pass  # requests are logged in SiteServer.requests, not on stderr

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _answer(self, *, send_body: bool) -> None:
        self.server_site._enter()
        try:
            self._answer_request(send_body=send_body)
        finally:
            self.server_site._leave()

    def _answer_request(self, *, send_body: bool) -> None:
        site = self.server_site
        path = unquote(urlsplit(self.path).path)
        route = site.routes.get(self.path) or site.routes.get(path) or site.routes.get("*") or Route()
        if route.pass_cookie and route.pass_cookie in (self.headers.get("Cookie") or ""):
            if not route.pass_user_agent or route.pass_user_agent in (self.headers.get("User-Agent") or ""):
                route = Route()
        status, headers, body = self._respond_to(path, route)
        site._log(LoggedRequest(self.command, self.path, status, {k.lower(): v for k, v in self.headers.items()}))
        with site._lock:
            held = site._held.get(self.path)
        if held is not None:
            held.wait(MAX_DELAY)
        if route.delay:
            time.sleep(min(route.delay, MAX_DELAY))
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to clean up

    def _respond_to(self, path: str, route: Route) -> tuple[int, dict[str, str], bytes]:
        site = self.server_site
        if route.redirect is not None:
            return route.status or 302, {"Location": route.redirect}, b""
        if route.fail_times and site._attempt(self.path) <= route.fail_times:
            return route.fail_status, {"Content-Type": "text/plain"}, b"temporarily broken\n"
        if route.status is not None and route.status >= 400 and route.file is not None:
            answer = self._file_for(route.file)
            if answer is not None:
                return route.status, {"Content-Type": "text/html; charset=utf-8"}, answer.read_bytes()
        if route.status is not None and route.status >= 400:
            return route.status, {"Content-Type": "text/plain"}, f"{route.status}\n".encode()
        file = self._file_for(route.file or path)
        if file is None:
            return 404, {"Content-Type": "text/plain"}, b"not found\n"
        body = file.read_bytes()
        headers: dict[str, str] = {}
        content_type = route.content_type if route.content_type is not None else _guess_type(file)
        if content_type:
            headers["Content-Type"] = content_type
        headers.update(route.headers)
        if route.validators:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            modified = file.stat().st_mtime
            headers["ETag"] = etag
            headers["Last-Modified"] = formatdate(modified, usegmt=True)
            if _not_modified(self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), etag, modified):
                return 304, {"ETag": etag, "Last-Modified": headers["Last-Modified"]}, b""
        return route.status or 200, headers, body

    def _file_for(self, path: str) -> Path | None:
        root = self.server_site.root
        candidate = (root / path.lstrip("/")).resolve()
        if candidate != root and root not in candidate.parents:
            return None  # ../ escapes
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_file() or candidate.name == ROUTES_FILE:
            return None
        return candidate


def _guess_type(file: Path) -> str:
    if file.suffix in (".html", ".htm", ".shtml"):
        return "text/html"  # no charset: the page's <meta> decides, as on most CMS servers
    if file.suffix == ".xml":
        return "application/xml"
    return mimetypes.guess_type(file.name)[0] or "application/octet-stream"


def _not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str, modified: float) -> bool:
    if if_none_match is not None:
        return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
    if if_modified_since is not None:
        try:
            return int(modified) <= parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
    return False
