"""Item pipelines: the crawler's items go through the same PagePipeline as `jiwen ingest`
(archive the raw page, extract, score relevance, find near-duplicates, store, index in batches)."""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future

from jiwen.core.errors import WorkerError
from jiwen.crawler.context import ContextComponent
from jiwen.crawler.items import PageItem

log = logging.getLogger(__name__)

# Outcomes of a page archived for the first time: what a column "produces" (jiwen/library/health.py).
FIRST_ARCHIVED = ("new", "offtopic", "duplicate")


class ArchivePipeline(ContextComponent):
    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.failures_logged: set[str] = set()
        self.closing = None

    async def process_item(self, item: PageItem) -> PageItem:
        page = item.page
        try:
            outcome = await maybe_deferred_to_future(self.context.worker.process(page))
        except Exception as error:
            # A bug in a later stage must not end the crawl, nor print a traceback per page: the
            # first of each kind is logged in full, every one is recorded against its URL.
            remote = isinstance(error, WorkerError)  # raised in the pipeline process
            name = error.kind if remote else type(error).__name__
            if name not in self.failures_logged:
                self.failures_logged.add(name)
                if remote:
                    log.error(
                        "processing %s failed (later failures of this kind are only recorded):\n%s",
                        page.url,
                        error.failure.traceback or error.failure.message,
                    )
                else:
                    log.exception("processing %s failed (later failures of this kind are only recorded)", page.url)
            if name == "PipelineGone" and not self.closing:
                # Nothing more can be archived in this crawl: stop fetching (what is archived
                # stays). Not awaited: closing waits for the items in progress, this one included.
                self.closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason="pipeline_gone"))
            self.crawler.stats.inc_value("jiwen/error/pipeline")
            self.context.record_error(page.url, "pipeline", page.status, f"{name}: {error}")
            raise DropItem(f"{name}: {error}", log_level="INFO") from None
        self.crawler.stats.inc_value(f"jiwen/outcome/{outcome.status}")
        if outcome.status in FIRST_ARCHIVED and item.column:
            self.crawler.stats.inc_value(f"jiwen/column_new/{item.column}")  # per-column health
        if outcome.status == "failed":
            self.crawler.stats.inc_value("jiwen/error/extract")
            self.context.record_error(page.url, "extract", page.status, outcome.message)
        return item

    async def close_spider(self) -> None:
        # This site's index batch; run_crawl closes the shared worker after every site.
        try:
            await maybe_deferred_to_future(self.context.worker.flush())
        except WorkerError as error:  # the pipeline is gone: said once per kind above, per URL in the archive
            log.info("site closed without its index batch: %s", error)
