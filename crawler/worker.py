"""PagePipeline in a thread of its own.

Extraction, facts and indexing are CPU work of tens to hundreds of milliseconds a page (and
seconds for the first one, which loads dictionaries). Run in Scrapy's reactor thread they stall
every download in flight: a reactor blocked for longer than DOWNLOAD_TIMEOUT makes all open
requests time out at once when it wakes, although their responses arrived. In a worker thread the
GIL still serializes the Python work, but the reactor gets its turn every few milliseconds.

The worker owns its own Archive connection (sqlite3 connections stay in the thread that opened
them); the reactor thread keeps the crawl's main connection for the error log and the run record.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from twisted.internet.defer import Deferred

from jiwen.models import FetchedPage
from jiwen.pipeline import Outcome, PagePipeline
from jiwen.store import Archive

T = TypeVar("T")

# Exercises the whole extraction path once (encoding, boilerplate, numbers, places, programmes,
# dates, segmentation) so its dictionaries load before the first download, not during one.
WARM_UP_PAGE = """<html><head><meta charset="utf-8"><title>某县举办春风行动专场招聘会</title></head>
<body><h1>某县举办春风行动专场招聘会</h1><div>发布时间：2024-02-20 来源：县人社局</div>
<p>2月19日，贵州省黔东南苗族侗族自治州从江县举办“春风行动”专场招聘会，36家企业提供就业岗位1200余个，
现场达成就业意向480人，发放一次性交通补贴12.5万元，同比增长15%。</p></body></html>""".encode()


class PipelineWorker:
    def __init__(self, archive_dir: Path, run_id: int) -> None:
        self.archive_dir = Path(archive_dir)
        self.run_id = run_id
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jiwen-pipeline")
        self._archive: Archive | None = None
        self._pipeline: PagePipeline | None = None
        self._closed = False

    def start(self) -> None:
        """Open the archive and the pipeline in the worker thread and warm them up; blocks.
        Called before the reactor runs, so an unusable archive fails the crawl at once."""
        self._executor.submit(self._open).result()

    def process(self, page: FetchedPage) -> Deferred:
        """A Deferred firing with the page's Outcome, in the reactor thread."""
        return as_deferred(self._executor.submit(self._require().process, page))

    def flush(self) -> Deferred:
        return as_deferred(self._executor.submit(self._require().flush))

    def close(self) -> None:
        """Flush the index batch and close, after the reactor stopped; blocks. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            self._executor.submit(self._close).result()
        finally:
            self._executor.shutdown(wait=True)

    def _open(self) -> None:
        from jiwen.extract import process_page

        self._archive = Archive(self.archive_dir)
        self._pipeline = PagePipeline(self._archive, run_id=self.run_id)
        process_page(WARM_UP_PAGE, url="http://warm-up.invalid/")

    def _close(self) -> None:
        if self._pipeline is not None:
            self._pipeline.close()
        if self._archive is not None:
            self._archive.close()

    def _require(self) -> PagePipeline:
        if self._pipeline is None:
            raise RuntimeError("PipelineWorker.start() was not called")
        return self._pipeline


def as_deferred(future: Future[T]) -> Deferred:
    """A Deferred fired in the reactor thread when `future` (from another thread) is done.
    Twisted's own deferToThread would put the work on the reactor's shared thread pool, where
    the one-connection-per-thread rule of sqlite3 cannot be kept."""
    from twisted.internet import reactor

    deferred: Deferred = Deferred()

    def done(finished: Future[Any]) -> None:
        error = finished.exception()
        if error is not None:
            reactor.callFromThread(deferred.errback, error)
        else:
            reactor.callFromThread(deferred.callback, finished.result())

    future.add_done_callback(done)
    return deferred


__all__ = ["Outcome", "PipelineWorker", "as_deferred"]
