"""PagePipeline in a process of its own, called from Scrapy's reactor.

Extraction, facts and indexing are CPU work of tens of milliseconds a page (and seconds for the
first one, which loads dictionaries). Run in the reactor's thread they stall every download in
flight; run in a thread beside it they still hold the interpreter lock the reactor needs (the
crawl measured a third slower than the same pipeline alone). In a child process the crawler, the
pipeline and its background indexer (jiwen.library.indexer) run on separate cores.

The reactor side sends pages down the pipe from one thread, in the order Scrapy hands them over,
without waiting for the outcome of the page before: the child takes them one at a time and in
order, as the single SQLite writer and index writer need, and a second thread reads its outcomes
back in that same order. So the child always finds its next page waiting in the pipe. When each
call waited for the one before (send, wait, send), the child sat idle between pages for as long as
the reply and the next page took to cross the reactor process, whose threads share one interpreter
lock with the reactor: 4 ms a page on a loaded two-core machine, a fifteenth of the pipeline's
time. The child owns its own Archive connection; the reactor thread keeps the crawl's main
connection for the error log and the run record.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twisted.internet.defer import Deferred

from jiwen.core.errors import JiwenError, WorkerError
from jiwen.core.models import FetchedPage
from jiwen.core.processes import LogForwarding, WorkerFailure, become_worker, spawn_context
from jiwen.crawler.deferreds import deferred_from_future
from jiwen.library.pipeline import Outcome, PagePipeline
from jiwen.store import Archive

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

    from jiwen.extract import ExtractionOverrides

log = logging.getLogger(__name__)

# Exercises the whole extraction path once (encoding, boilerplate, numbers, places, programmes,
# dates, segmentation) so its dictionaries load before the first download, not during one.
WARM_UP_PAGE = """<html><head><meta charset="utf-8"><title>某县举办春风行动专场招聘会</title></head>
<body><h1>某县举办春风行动专场招聘会</h1><div>发布时间：2024-02-20 来源：县人社局</div>
<p>2月19日，贵州省黔东南苗族侗族自治州从江县举办“春风行动”专场招聘会，36家企业提供就业岗位1200余个，
现场达成就业意向480人，发放一次性交通补贴12.5万元，同比增长15%。</p></body></html>""".encode()

_CLOSE = "close"


class PipelineWorker:
    def __init__(self, archive_dir: Path, run_id: int, overrides: dict[str, ExtractionOverrides] | None = None) -> None:
        self.archive_dir = Path(archive_dir)
        self.run_id = run_id
        self.overrides = dict(overrides or {})  # site name -> ExtractionOverrides
        # Sends calls in order; the reader thread resolves their futures in the same order.
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jiwen-pipeline-send")
        self._waiting: deque[Future[Any]] = deque()  # the futures of calls sent (or being sent), oldest first
        self._waiting_lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._connection: Connection | None = None
        self._process: BaseProcess | None = None
        self._logs: LogForwarding | None = None
        self._closed = False

    def start(self) -> None:
        """Start the pipeline process and wait until it has opened the archive (called before the
        reactor runs, so an unusable archive fails the crawl at once). It then loads its
        dictionaries while the first pages download; pages sent meanwhile wait in the pipe."""
        self._logs = LogForwarding()
        self._connection, child_end = spawn_context().Pipe()
        self._process = spawn_context().Process(
            target=_serve,
            args=(str(self.archive_dir), self.run_id, os.getpid(), self._logs.queue, child_end, self.overrides),
            name="jiwen-pipeline",
            daemon=False,  # it starts the background indexer, and daemons may not have children
        )
        self._process.start()
        child_end.close()
        try:
            self._receive()  # "opened", or the error that kept the pipeline from starting
        except WorkerError as error:
            self.close()
            raise JiwenError(f"the page pipeline could not start: {error}") from None
        self._reader = threading.Thread(target=self._read_replies, name="jiwen-pipeline-read", daemon=True)
        self._reader.start()

    def process(self, page: FetchedPage) -> Deferred[Outcome]:
        """A Deferred firing with the page's Outcome (without the article), in the reactor thread."""
        return deferred_from_future(self._submit("process", page))

    def flush(self) -> Deferred[None]:
        return deferred_from_future(self._submit("flush"))

    def close(self) -> None:
        """Index what is left and stop the process, after the reactor stopped; blocks. Idempotent.
        Raises WorkerError when the last indexing failed."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._process is not None and self._process.is_alive() and self._reader is not None:
                self._submit(_CLOSE).result()
        finally:
            self._sender.shutdown(wait=True)
            if self._reader is None and self._connection is not None:
                self._connection.close()  # a child still waiting for work sees the end of its pipe
            if self._process is not None and self._connection is not None:
                self._process.join(timeout=60)  # it ends after answering "close"
                if self._process.is_alive():
                    self._process.terminate()
            if self._reader is not None:
                self._reader.join(timeout=10)  # the child's end is closed: the reader has seen it
                if self._connection is not None:
                    self._connection.close()
            self._fail_waiting()
            if self._logs is not None:
                self._logs.stop()

    def _pipe(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("the page pipeline was not started")
        return self._connection

    def _submit(self, method: str, *args: Any) -> Future[Any]:
        """Send a call without waiting for the ones before it; its future gets the reply."""
        future: Future[Any] = Future()
        with self._waiting_lock:
            self._waiting.append(future)
        self._sender.submit(self._send, future, method, args)
        return future

    def _send(self, future: Future[Any], method: str, args: tuple[Any, ...]) -> None:
        try:
            self._pipe().send((method, args))
        except (BrokenPipeError, OSError):
            self._fail_waiting()  # the child is gone: no reply will come for any call sent
        except Exception as error:
            # Not sent at all (send pickles the call before writing a byte): no reply will come
            # for it, so it leaves the queue, or it would take the next call's reply and every
            # later call the one after its own (the last, a flush or close, never answered).
            with self._waiting_lock:
                if future in self._waiting:
                    self._waiting.remove(future)
            if not future.done():
                future.set_exception(error)

    def _read_replies(self) -> None:
        """The reader thread: each reply resolves the oldest call waiting; at the end of the pipe
        every call still waiting fails with the pipeline's exit."""
        while True:
            try:
                reply = self._pipe().recv()
            except (EOFError, OSError):
                self._fail_waiting()
                return
            with self._waiting_lock:
                future = self._waiting.popleft() if self._waiting else None
            if future is None or future.done():
                continue
            if isinstance(reply, WorkerFailure):
                future.set_exception(WorkerError(reply))
            else:
                future.set_result(reply)

    def _fail_waiting(self) -> None:
        with self._waiting_lock:
            waiting, self._waiting = list(self._waiting), deque()
        if not waiting:
            return
        error = self._gone()
        for future in waiting:
            if not future.done():
                future.set_exception(error)

    def _receive(self) -> Any:
        try:
            reply = self._pipe().recv()
        except (EOFError, OSError):
            raise self._gone() from None
        if isinstance(reply, WorkerFailure):
            raise WorkerError(reply)
        return reply

    def _gone(self) -> WorkerError:
        exit_code = None
        if self._process is not None:
            self._process.join(timeout=5)
            exit_code = self._process.exitcode
        return WorkerError(WorkerFailure("PipelineGone", f"the page pipeline process ended unexpectedly (exit code {exit_code})", ""))


def _serve(
    archive_dir: str,
    run_id: int,
    parent_pid: int,
    log_queue: Queue[logging.LogRecord],
    connection: Connection,
    overrides: dict[str, ExtractionOverrides] | None = None,
) -> None:
    become_worker(parent_pid, log_queue)
    try:
        from jiwen.extract import process_page

        archive = Archive(Path(archive_dir))
        pipeline = PagePipeline(archive, run_id=run_id, index_in_background=True, log_queue=log_queue, overrides=overrides)
    except Exception as error:
        connection.send(WorkerFailure.of(error))
        return
    connection.send("opened")
    try:
        process_page(WARM_UP_PAGE, url="http://warm-up.invalid/")
    except Exception:  # the first real page meets the same problem and reports it per URL
        log.exception("warming up the extractor failed")
    while True:
        try:
            method, args = connection.recv()
        except (EOFError, OSError):
            return  # the crawl is gone without closing: the next writer catches up
        try:
            if method == _CLOSE:
                try:
                    pipeline.close()
                finally:
                    archive.close()
                connection.send(None)
                return
            result = getattr(pipeline, method)(*args)
            # The crawl needs the outcome, not the article: no need to pickle it back.
            connection.send(replace(result, article=None) if isinstance(result, Outcome) else result)
        except Exception as error:
            connection.send(WorkerFailure.of(error))
            if method == _CLOSE:
                return


__all__ = ["Outcome", "PipelineWorker"]


def crawl(archive_dir: Path, **options: Any) -> dict[str, Any]:
    """Crawl into the archive at `archive_dir` through the page pipeline; the options are
    `jiwen.crawler.run.run_crawl`'s (sites, urls, settings_overrides, progress). Returns the
    crawl report."""
    from jiwen.crawler.run import run_crawl

    report = run_crawl(archive_dir, worker_factory=PipelineWorker, **options)
    report.update(_watch_report(archive_dir))
    return report


def _watch_report(archive_dir: Path) -> dict[str, Any]:
    """After a crawl: each watch's new matches, recorded; {"watches": {name: count}} when there
    are watches ('jiwen watch check' lists the articles)."""
    from jiwen.library.watches import check_watches

    with Archive(archive_dir) as archive:
        if not archive.watches():
            return {}
        new = check_watches(archive)
    return {"new_watch_matches": {name: len(hits) for name, hits in new.items()}}
