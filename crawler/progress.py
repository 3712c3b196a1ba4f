"""A progress line on stderr every few seconds while a crawl runs (run_crawl(progress=True)),
instead of Scrapy's log, which is kept at WARNING so the CLI stays readable. Given a function
instead (JIWEN_PROGRESS = progress(done, total)), it calls that with the pages fetched so far after
every response, and prints nothing: the caller draws its own progress bar."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class ProgressReport:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("JIWEN_PROGRESS_INTERVAL", 5.0)
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        progress = crawler.settings.get("JIWEN_PROGRESS")
        if callable(progress):
            return PagesFetched(crawler, progress, crawler.settings.getint("JIWEN_PROGRESS_TOTAL") or None)
        if not crawler.settings.getbool("JIWEN_PROGRESS"):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.report, spider)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider, reason) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.report(spider, final=True)

    def report(self, spider, final: bool = False) -> None:
        stats = self.crawler.stats.get_stats()
        fetched = sum(value for key, value in stats.items() if key.startswith("jiwen/fetched/"))
        errors = sum(value for key, value in stats.items() if key.startswith("jiwen/error/"))
        new = stats.get("jiwen/outcome/new", 0)
        done = "done" if final else f"{time.monotonic() - self.started:.0f}s"
        print(
            f"crawl {spider.site.name}: {done}, {fetched} pages fetched, {new} new articles, "
            f"{stats.get('jiwen/skipped_archived', 0)} already archived, {errors} errors",
            file=sys.stderr,
            flush=True,
        )


class ProgressCallback:
    """A progress function carried in Scrapy's settings. Scrapy deep-copies settings for every
    crawler; the copy of this is this same object, so the caller's own bar is the one updated."""

    def __init__(self, progress) -> None:
        self.progress = progress

    def __call__(self, done: int, total: int | None) -> None:
        self.progress(done, total)

    def __deepcopy__(self, memo: dict) -> ProgressCallback:
        return self


class PagesFetched:
    """Calls progress(pages fetched, total or None) after every response."""

    def __init__(self, crawler, progress, total: int | None) -> None:
        self.progress = progress
        self.total = total
        self.fetched = 0
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    def response_received(self, response, request, spider) -> None:
        self.fetched += 1
        self.progress(self.fetched, self.total)
