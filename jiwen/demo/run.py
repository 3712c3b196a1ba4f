"""`jiwen demo`: the whole job on the bundled sample site, with no outside network.

Serves jiwen/demo/site on 127.0.0.1 (a free port), crawls it with the real Scrapy crawler into an
archive, which indexes it, then runs a few searches and prints what they found.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from importlib import resources
from pathlib import Path

from jiwen.core.errors import JiwenError
from jiwen.core.lock import ArchiveLock
from jiwen.core.models import SearchRequest
from jiwen.core.progress import Progress
from jiwen.formatting import format_crawl_report, format_search, format_stats
from jiwen.library.search import run_search
from jiwen.store import Archive

DEFAULT_SEARCHES = (
    SearchRequest(query="就业", facets=["province", "program"], limit=5),
    SearchRequest(query="务工", place="贵州省", limit=5),
    SearchRequest(query="技能培训", sort="date", facets=["month"], limit=3),
    SearchRequest(program="春风行动", limit=5),
)


def run_demo(archive_dir: Path | None, queries: list[str], echo: Callable[[str], None] = print, progress: Progress | None = None) -> int:
    """Serve, crawl, index and search the sample site; `progress(pages fetched, None)` during the
    crawl and `progress(n, n)` when it ends. Returns the searches' hits."""
    from jiwen.crawler.sites import site_for_url
    from jiwen.demo.server import serve_site
    from jiwen.library.crawl import crawl

    searches = [SearchRequest(query=query, facets=["province"], limit=5) for query in queries] or list(DEFAULT_SEARCHES)
    with ExitStack() as stack:
        if archive_dir is None:
            archive_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="jiwen-demo-"))) / "archive"
            keep_note = "(a temporary archive, removed at exit: pass --archive DIR to keep it)"
        else:
            keep_note = f"(kept: try 'jiwen search 务工 --archive {archive_dir}')"
        site_root = Path(str(resources.files("jiwen.demo").joinpath("site")))
        server = stack.enter_context(serve_site(site_root))
        echo(f"serving the sample site on {server.base_url}/")
        echo(f"archive: {archive_dir} {keep_note}")
        lock = ArchiveLock(archive_dir, command="jiwen demo").acquire()
        try:
            report = crawl(
                archive_dir,
                # Named, so the site facet reads "demo" rather than the free port of this run.
                sites=[site_for_url(server.base_url + "/", name="demo")],
                settings_overrides={"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0},
                progress=progress or False,
            )
        finally:
            lock.release()
        if progress is not None:
            fetched = report.get("pages_fetched", 0)
            progress(fetched, fetched)
        echo(format_crawl_report(report))
        archive = stack.enter_context(Archive(archive_dir, create=False))
        numbers = archive.stats()
        echo("")
        echo(format_stats(numbers, archive.directory))
        if numbers["articles"] == 0:
            raise JiwenError("the demo crawl archived no article; the crawl report above says why")
        total_hits = 0
        for request in searches:
            echo("")
            echo("$ jiwen search " + _describe(request))
            response = run_search(archive, request)
            total_hits += response.total
            echo(format_search(response, request))
        return total_hits


def _describe(request: SearchRequest) -> str:
    parts = [request.query] if request.query else []
    for option in ("place", "program", "site", "since", "until"):
        value = getattr(request, option)
        if value:
            parts.append(f"--{option} {value}")
    if request.sort != "relevance":
        parts.append(f"--sort {request.sort}")
    parts.extend(f"--facet {facet}" for facet in request.facets)
    return " ".join(parts)
