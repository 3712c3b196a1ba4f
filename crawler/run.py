"""run_crawl(): one crawl of one or more sites into an archive, in the current process.

The CLI (`jiwen crawl`) calls it once per process: Scrapy's reactor cannot be restarted, so the
scheduler runs each crawl as its own `jiwen crawl` subprocess.

Stop and resume: each site's Scrapy job state (its request queue) lives in <archive>/jobs/<site>/
while a crawl runs. A crawl stopped early (Ctrl-C, SIGTERM) leaves it there and the next crawl of
that site resumes from it; after a kill -9 (a run marked 'killed') it is dropped, because Scrapy's
disk queues are not crash-safe, and the next crawl starts from the list pages; a crawl that finishes (or whose page pipeline died, see
FRESH_START_AFTER) removes it, so the next one starts again from the list pages. The seen-request
set is not kept across runs (crawler/dupefilter.py): what was requested but never archived is
requested again. An article already in the archive is never fetched again, and one requested twice
in a run only once (ArchivedArticleFilter), so resuming cannot skip or duplicate articles.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections import Counter
from pathlib import Path

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from jiwen.core.errors import ConfigError, WorkerError
from jiwen.core.progress import Progress
from jiwen.crawler.blocked import BLOCKED_REASON
from jiwen.crawler.browser import BROWSER_SETTING, INSTALL_HINT, RENDER_SETTING, add_browser_report, browser_missing, crawl_browser
from jiwen.crawler.context import CONTEXT_SETTING, CrawlContext, PageWorker, WorkerFactory
from jiwen.crawler.diagnosis import add_diagnosis
from jiwen.crawler.names import name_problem
from jiwen.crawler.progress import ProgressCallback
from jiwen.crawler.sites import SiteConfig, site_for_url
from jiwen.crawler.spiders.news import NewsSpider
from jiwen.store import Archive

log = logging.getLogger(__name__)

# Finish reasons after which a site's Scrapy job folder is deleted, so its next crawl starts again
# from the list pages. (The seen-requests set is not kept in the folder at all, see
# crawler/dupefilter.py; after "pipeline_gone" the queue is dropped too, for a clean restart.)
# After "blocked" (crawler/blocked.py) the queue holds what the site refused to serve.
FRESH_START_AFTER = ("finished", "pipeline_gone", "blocked")

OUTCOMES = ("new", "updated", "unchanged", "duplicate", "offtopic", "failed")


def jobs_dir(archive_dir: Path) -> Path:
    return Path(archive_dir) / "jobs"


def _last_crawl_was_killed(archive: Archive, site_name: str, current_run: int) -> bool:
    """Whether the site's previous crawl ended without Scrapy closing its queues (kill -9, a crash,
    a power cut): start_run has marked such runs 'killed' by then."""
    for run in archive.crawl_runs_of(site_name, limit=2):
        if run["id"] != current_run:
            return run["outcome"] == "killed"
    return False


def job_dir(archive_dir: Path, site_name: str) -> Path:
    """<archive>/jobs/<site>: a site's Scrapy job state (JOBDIR). Refuses a name that would put it
    anywhere but directly inside jobs/ (names are validated when sites are loaded; this holds even
    if one slipped through)."""
    jobs = jobs_dir(archive_dir)
    folder = jobs / site_name
    if name_problem(site_name) or folder.parent != jobs or folder.name != site_name:
        raise ConfigError(f"site name {site_name!r} cannot name a job folder inside {jobs}")
    return folder


def remove_job_dir(archive_dir: Path, site_name: str) -> None:
    """Delete a site's job state, so its next crawl starts from the list pages. The one place job
    folders are removed: it removes nothing that does not resolve to a folder strictly inside
    <archive>/jobs/ (not jobs/ itself, not the archive, not through a symlink)."""
    folder = job_dir(archive_dir, site_name)
    jobs = jobs_dir(archive_dir).resolve()
    if folder.is_symlink():
        raise ConfigError(f"refusing to remove {folder}: it is a symbolic link")
    resolved = folder.resolve()
    if resolved.parent != jobs or resolved == jobs:
        raise ConfigError(f"refusing to remove {folder}: it is not inside {jobs}")
    shutil.rmtree(resolved, ignore_errors=True)


def crawl_settings(archive_dir: Path, context: CrawlContext, overrides: dict | None, progress: bool | Progress) -> Settings:
    settings = Settings()
    settings.setmodule("jiwen.crawler.settings", priority="project")
    settings.set(CONTEXT_SETTING, context, priority="cmdline")
    settings.set("HTTPCACHE_DIR", str(jobs_dir(archive_dir) / "httpcache"), priority="cmdline")
    settings.set("JIWEN_PROGRESS", ProgressCallback(progress) if callable(progress) else progress, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_crawl(
    archive_dir: Path,
    *,
    worker_factory: WorkerFactory,
    sites: list[SiteConfig] | None = None,
    urls: list[str] | None = None,
    settings_overrides: dict | None = None,
    progress: bool | Progress = True,
) -> dict:
    """Crawl `sites` and bare `urls` into the archive at `archive_dir`; returns the crawl report
    (also stored with the run: `jiwen runs`). `worker_factory` makes the worker every fetched page
    goes to (`jiwen.library.crawl.crawl` passes the page pipeline's). `progress`: a line on stderr
    every few seconds (True), nothing (False), or progress(pages fetched, None) after every page."""
    url_sites = [site_for_url(url) for url in urls or []]
    targets = list(sites or []) + url_sites
    if not targets:
        raise ConfigError("nothing to crawl: name a site or pass a URL")
    for site in targets:
        job_dir(archive_dir, site.name)  # before anything is written: a bad name is one line
    names = [site.name for site in targets]
    render = (settings_overrides or {}).get(RENDER_SETTING)
    if any((render or site.render) == "browser" for site in targets) and (missing := browser_missing()):
        # Before anything is written: a site that must be rendered cannot be crawled at all.
        raise ConfigError(f'{missing}, and the crawl asks for the browser (render = "browser"): {INSTALL_HINT}')
    if len(set(names)) != len(names):
        raise ConfigError(f"site {Counter(names).most_common(1)[0][0]!r} is named twice in one crawl; crawl it once")
    archive_dir = Path(archive_dir)
    archive = Archive(archive_dir)
    started = time.monotonic()
    run_id = archive.start_run(
        "crawl",
        names[0] if len(names) == 1 else None,
        {"sites": names, "urls": list(urls or []), "overrides": {k: repr(v) for k, v in (settings_overrides or {}).items()}},
    )
    for site in targets:
        if _last_crawl_was_killed(archive, site.name, run_id):
            # Scrapy's disk queues are not crash-safe: a kill -9 can cut a queue file mid-write
            # (seen: a queue file shorter than its 4-byte header, then struct.error on every push
            # of that priority, and the list pages and articles behind it silently lost). After a
            # kill the crawl starts again from the list pages; archived articles are not fetched.
            remove_job_dir(archive_dir, site.name)
    crawlers: list[Crawler] = []
    report: dict = {"run_id": run_id, "sites": ", ".join(names), "outcome": "failed"}
    worker = worker_factory(archive_dir, run_id, {site.name: site.extract for site in targets if site.extract is not None})
    browser = None
    try:
        worker.start()
        context = CrawlContext(archive, run_id, worker)
        settings = crawl_settings(archive_dir, context, settings_overrides, progress)
        # One chromium for the whole crawl, launched only when a page needs it (crawler/browser.py).
        browser = crawl_browser(settings)
        settings.set(BROWSER_SETTING, browser, priority="cmdline")
        process = CrawlerProcess(settings)
        # An unreachable robots.txt is logged by Scrapy with a traceback; the same failure is
        # recorded against the start URL in fetch_errors, in one line.
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)
        for site in targets:
            site_settings = settings.copy()
            site_settings.set("JOBDIR", str(job_dir(archive_dir, site.name)), priority="cmdline")
            if site.download_delay is not None:
                # Below --no-throttle's override (cmdline): that one means no delays at all.
                site_settings.set("DOWNLOAD_DELAY", site.download_delay, priority="spider")
            # The first crawler installs the reactor (what CrawlerProcess does for crawlers it
            # creates itself; ours are made here to give each site its own JOBDIR).
            crawler = Crawler(NewsSpider, site_settings, init_reactor=not crawlers)
            crawlers.append(crawler)
            # A bare URL that is not a list page is surveyed for news columns first (discovery.py).
            process.crawl(crawler, site=site, discover=any(site is url_site for url_site in url_sites))
        process.start()
        index_failure = _close_worker(worker)  # the last index batch belongs to the crawl's time
        report = crawl_report(run_id, names, crawlers, time.monotonic() - started)
        add_diagnosis(report, names, crawlers)
        add_browser_report(report, browser)
        if index_failure:
            report["errors"]["index"] = 1
            report["index_failure"] = index_failure
        for site, crawler in zip(targets, crawlers):
            if crawler.stats.get_value("finish_reason") in FRESH_START_AFTER:
                remove_job_dir(archive_dir, site.name)
    finally:
        if browser is not None:
            browser.close()
        _close_worker(worker)  # after a failure too: what was stored gets indexed (no-op if closed)
        report.setdefault("elapsed_seconds", round(time.monotonic() - started, 2))
        archive.finish_run(run_id, report["outcome"], report)
        archive.close()
    return report


def _close_worker(worker: PageWorker) -> str | None:
    """Close the pipeline; its failure, if any, as one line. Everything fetched is archived by
    then: what did not reach the index stays marked in the store for the next writer."""
    try:
        worker.close()
    except WorkerError as error:
        log.error("indexing failed: %s; the articles are archived, `jiwen reindex` indexes them", error)
        return str(error)
    return None


def crawl_report(run_id: int, names: list[str], crawlers: list[Crawler], elapsed: float) -> dict:
    stats: Counter = Counter()
    reasons = []
    for crawler in crawlers:
        values = crawler.stats.get_stats()
        reasons.append(values.get("finish_reason", "unknown"))
        stats.update({key: value for key, value in values.items() if isinstance(value, int) and not isinstance(value, bool)})
    fetched = {key.rsplit("/", 1)[1]: value for key, value in stats.items() if key.startswith("jiwen/fetched/")}
    report: dict = {
        "run_id": run_id,
        "sites": ", ".join(names),
        "outcome": "finished" if all(reason == "finished" for reason in reasons) else "interrupted",
        "pages_fetched": sum(fetched.values()),
        "list_pages": fetched.get("list", 0),
        "articles_fetched": fetched.get("article", 0),
    }
    for outcome in OUTCOMES:
        report[outcome] = stats.get(f"jiwen/outcome/{outcome}", 0)
    report["already_archived"] = stats.get("jiwen/skipped_archived", 0)
    report["lists_not_modified"] = stats.get("jiwen/not_modified/list", 0)
    report["robots_disallowed"] = stats.get("robotstxt/forbidden", 0)
    report["elapsed_seconds"] = round(elapsed, 2)
    report["not_found"] = stats.get("jiwen/not_found", 0)
    report["blocked"] = dict(sorted((key.rsplit("/", 1)[1], value) for key, value in stats.items() if key.startswith("jiwen/blocked/")))
    report["errors"] = dict(sorted((key.rsplit("/", 1)[1], value) for key, value in stats.items() if key.startswith("jiwen/error/")))
    if all(reason in ("finished", BLOCKED_REASON) for reason in reasons) and BLOCKED_REASON in reasons:
        report["outcome"] = BLOCKED_REASON
    if report["outcome"] != "finished":
        report["finish_reasons"] = dict(zip(names, reasons))
    return report
