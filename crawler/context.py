"""What the components of one crawl share: the open archive, the run they write to, and the one
PipelineWorker (one PagePipeline, one index writer) every site's items go through.

Handed to Scrapy through the JIWEN_CONTEXT setting. Scrapy deep-copies settings for each crawler;
the context must not be copied (it holds the one SQLite connection every component writes
through, so the item pipeline's transactions and the error log never wait on each other), hence
`__deepcopy__` returns the object itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from twisted.internet.defer import Deferred

from jiwen.core.models import FetchedPage
from jiwen.store import Archive

CONTEXT_SETTING = "JIWEN_CONTEXT"


class PageWorker(Protocol):
    """What the crawl hands every fetched page to: archive, extract, store, index. The crawler is
    given one (`run_crawl(worker_factory=...)`, made by the library's `jiwen.library.crawl`); it
    does not build it, as Scrapy hands a spider its crawler rather than the spider importing the
    engine."""

    def start(self) -> None: ...
    def process(self, page: FetchedPage) -> Deferred: ...
    def flush(self) -> Deferred: ...
    def close(self) -> None: ...


# archive folder, run id, {site name: its [site.extract] overrides} -> a PageWorker
WorkerFactory = Callable[[Path, int, dict[str, Any]], PageWorker]


@dataclass
class CrawlContext:
    archive: Archive  # the reactor thread's connection: error log, archived URLs, the run record
    run_id: int
    worker: PageWorker

    def __deepcopy__(self, memo: dict) -> CrawlContext:
        return self

    @cached_property
    def archived_urls(self) -> set[str]:
        """Read once per crawl: one scan of `pages` instead of a query per request."""
        return self.archive.archived_urls()

    def record_error(self, url: str, kind: str, status: int | None, message: str) -> None:
        self.archive.record_fetch_error(self.run_id, url, kind, status, message[:500])


def context_of(crawler) -> CrawlContext:
    context = crawler.settings.get(CONTEXT_SETTING)
    if context is None:
        raise RuntimeError("the jiwen crawler components need run_crawl() (the JIWEN_CONTEXT setting is not set)")
    return context


class ContextComponent:
    """Base of the middlewares and pipelines that work on this crawl's archive context."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.context = context_of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)
