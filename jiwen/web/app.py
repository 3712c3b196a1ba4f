"""The Starlette application behind `jiwen serve`, and the server that runs it (uvicorn).

Why these parts: Starlette is a small maintained ASGI toolkit (routing, static files, responses)
with nothing we do not use; Jinja2 is the template engine it supports, with autoescaping on for
every template; uvicorn serves it. Charts are drawn on the server by matplotlib as SVG, so the
page needs no JavaScript chart library and no CDN — every asset ships in this package.

Read-only by construction: every request opens the store with SQLite's mode=ro (a WAL reader that
never blocks the crawl or ingest writing it, and sees only committed transactions); the search
index is opened once per process and follows the writer's commits by itself.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from jiwen.core.errors import ArchiveError, JiwenError
from jiwen.store import Archive
from jiwen.web import views
from jiwen.web.i18n import LanguageMiddleware, current_language, translate
from jiwen.web.params import BadRequest
from jiwen.web.security import HostCheck, SecurityHeaders, allowed_hosts

logger = logging.getLogger("jiwen.serve")


class ServeState:
    """What a server process keeps between requests: the archive folder and one open index."""

    def __init__(self, archive_dir: Path) -> None:
        self.archive_dir = Path(archive_dir)
        self._index = None
        self._index_lock = threading.Lock()
        self.trend_cache: dict[tuple, object] = {}

    def open_archive(self) -> Archive:
        return Archive(self.archive_dir, read_only=True)

    def with_index(self, call: Callable):
        """Run `call(index)` under the process's one `ArchiveIndex` (its searcher is not shared
        between threads at once). The index keeps one searcher across requests and opens a new
        one only when a writer has committed (or a rebuild swapped the folder) since."""
        from jiwen.index import ArchiveIndex

        with self._index_lock:
            if self._index is None:
                if not (self.archive_dir / "index").is_dir():
                    raise ArchiveError(f"archive {self.archive_dir} has no index yet; run 'jiwen reindex'")
                self._index = ArchiveIndex(self.archive_dir / "index")
            return call(self._index)

    def matching_ids(self, request) -> list[str]:
        """The shared index's `matching_ids` (for /facts' place mentioned in the articles)."""
        return self.with_index(lambda index: index.matching_ids(request))

    def store_stamp(self) -> tuple:
        """Changes whenever a writer commits (the database or its write-ahead log is written)."""
        stamps = []
        for name in ("archive.sqlite3", "archive.sqlite3-wal"):
            try:
                status = (self.archive_dir / name).stat()
                stamps.append((status.st_mtime_ns, status.st_size))
            except FileNotFoundError:
                stamps.append(None)
        return tuple(stamps)


def templates() -> Environment:
    environment = Environment(
        loader=PackageLoader("jiwen.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["t"] = translate
    environment.globals["language"] = current_language
    return environment


def create_app(archive_dir: Path, hosts: frozenset[str] | None = None) -> Starlette:
    """The application; `hosts`: the Host header values it answers (None: any, for in-process use)."""
    state = ServeState(archive_dir)
    environment = templates()

    def page(template_name: str, status_code: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(environment.get_template(template_name).render(**context), status_code=status_code)

    def error_response(request: Request, status: int, title: str, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        return page("error.html", status, title=title, message=message, status=status)

    async def bad_request(request: Request, error: Exception) -> Response:
        return error_response(request, 400, "Bad request", str(error))

    async def handled(request: Request, error: JiwenError) -> Response:
        if isinstance(error, ArchiveError):
            return error_response(request, 503, "Archive unavailable", str(error))
        return error_response(request, 400, "Bad request", str(error))

    async def http_error(request: Request, error: HTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed"}
        return error_response(request, error.status_code, titles.get(error.status_code, "Error"), str(error.detail))

    async def server_error(request: Request, error: Exception) -> Response:
        logger.exception("error serving %s", request.url.path)
        return error_response(request, 500, "Server error", "jiwen could not answer this page; the server log says why")

    handlers = views.Handlers(state, page)
    routes = [
        Route("/", handlers.search_page),
        Route("/search.json", handlers.search_download),
        Route("/search.csv", handlers.search_download),
        Route("/feed.atom", handlers.search_feed),
        Route("/watch/{name}.atom", handlers.watch_feed),
        Route("/facts", handlers.facts_page),
        Route("/facts.csv", handlers.facts_download),
        Route("/facts.json", handlers.facts_download),
        Route("/article/{article_id}", handlers.article_page),
        Route("/raw/{article_id}", handlers.raw_page),
        Route("/raw/{article_id}/page", handlers.raw_frame),
        Route("/trends", handlers.trends_page),
        Route("/trends/chart.svg", handlers.trends_chart),
        Route("/trends.csv", handlers.trends_csv),
        Route("/sites", handlers.sites_page),
        Route("/facts.css", handlers.facts_css),
        Route("/api/search", handlers.api_search),
        Route("/api/article/{article_id}", handlers.api_article),
        Route("/api/trends", handlers.api_trends),
        Mount("/static", StaticFiles(packages=[("jiwen.web", "static")]), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={BadRequest: bad_request, JiwenError: handled, HTTPException: http_error, Exception: server_error},
    )
    app.state.jiwen = state
    app.add_middleware(SecurityHeaders)
    app.add_middleware(LanguageMiddleware)
    if hosts is not None:
        app.add_middleware(HostCheck, allowed=hosts)  # added last: it runs first
    return app


def check_archive(directory: Path) -> None:
    """At start: the archive exists, its store opens read-only and it has an index; else a
    JiwenError with one line that says what to do."""
    with Archive(directory, read_only=True) as archive:
        archive.stats()
    if not (Path(directory) / "index").is_dir():
        raise ArchiveError(f"archive {directory} has no index yet; run 'jiwen reindex --archive {directory}'")


def run_server(directory: Path, *, host: str, port: int, allow_hosts: tuple[str, ...] = (), echo: Callable[[str], None] = print) -> None:
    import uvicorn

    # Bound here rather than by uvicorn, so a taken port is one line and exit 1, not a log dump.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise JiwenError(f"cannot listen on {host}:{port}: {error.strerror or error}; choose another --port") from None
    listener.listen(128)
    bound_port = listener.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    echo(f"serving {directory} read-only on http://{shown_host}:{bound_port}/ (Ctrl-C stops)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        echo("jiwen: warning: listening beyond this machine; jiwen has no accounts, put it behind a reverse proxy with authentication")
    app = create_app(directory, allowed_hosts(host, bound_port, allow_hosts))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[listener])
