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

Extraction (article, facts, relevance, fingerprint: four fifths of the child's work a page) can
run in extraction processes of the child's own (`extract_workers`), started when pages wait for
the child (a crawl's first few pages, and small scheduled runs, do not pay for their start). The
child then archives each page as it arrives, hands it to them, and stores what comes back in the
order the pages came (near-duplicates are decided against the articles stored before, as when it
extracts them itself), replying to each call in that order.
"""

from __future__ import annotations

import functools
import logging
import os
import queue
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from twisted.internet.defer import Deferred

from jiwen.core.errors import JiwenError, WorkerError
from jiwen.core.models import FetchedPage
from jiwen.core.processes import LogForwarding, WorkerFailure, become_worker, spawn_context
from jiwen.crawler.deferreds import deferred_from_future
from jiwen.library.extractors import extraction_context, warm_up
from jiwen.library.pipeline import Extracted, Outcome, PagePipeline, extract
from jiwen.store import Archive

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

    from jiwen.extract import ExtractionOverrides

log = logging.getLogger(__name__)

_CLOSE = "close"


# Extraction processes a crawl's pipeline may start: one a core, two at most (the reactor, the
# pipeline process and the indexer share the cores with them).
EXTRACT_WORKERS = min(2, os.cpu_count() or 1)
# The pipeline process starts its extraction processes once it has extracted START_AFTER pages
# itself and START_BACKLOG more wait for it: a crawl that keeps it busy, not the first pages that
# queued while it loaded its dictionaries, nor a scheduled run's handful.
START_AFTER = 16
START_BACKLOG = 8
# Pages the pipeline process reads ahead of its replies: it stops reading the pipe beyond that,
# so a reactor that downloads faster than pages are stored waits on the pipe, not on memory.
READ_AHEAD = 64


class PipelineWorker:
    def __init__(
        self,
        archive_dir: Path,
        run_id: int,
        overrides: dict[str, ExtractionOverrides] | None = None,
        *,
        extract_workers: int = EXTRACT_WORKERS,
        start_after: int = START_AFTER,
        start_backlog: int = START_BACKLOG,
    ) -> None:
        self.archive_dir = Path(archive_dir)
        self.run_id = run_id
        self.overrides = dict(overrides or {})  # site name -> ExtractionOverrides
        # Extraction processes (0 or 1: the pipeline process extracts), started once it has
        # extracted `start_after` pages and `start_backlog` more wait.
        self.extract_workers = extract_workers
        self.start_extractors_at = (start_after, start_backlog)
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
            kwargs={"extract_workers": self.extract_workers, "start": self.start_extractors_at},
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
    *,
    extract_workers: int = 0,
    start: tuple[int, int] = (START_AFTER, START_BACKLOG),
) -> None:
    become_worker(parent_pid, log_queue)
    try:
        archive = Archive(Path(archive_dir))
        pipeline = PagePipeline(archive, run_id=run_id, index_in_background=True, log_queue=log_queue, overrides=overrides)
    except Exception as error:
        connection.send(WorkerFailure.of(error))
        return
    connection.send("opened")
    try:
        warm_up()
    except Exception:  # the first real page meets the same problem and reports it per URL
        log.exception("warming up the extractor failed")
    served = _Served(connection, pipeline, log_queue, extract_workers if extract_workers > 1 else 0, start)
    try:
        served.run()
    finally:
        served.stop_extractors()
        if not served.closed:
            archive.close()


class _Reply:
    """The reply to one call, ready or to be made when its page's extraction is done."""

    def __init__(
        self, reply: Any = None, *, page_id: int = 0, page: FetchedPage | None = None, future: Future[Extracted] | None = None
    ) -> None:
        self.reply = reply
        self.page_id, self.page, self.future = page_id, page, future

    def ready(self) -> bool:
        return self.future is None or self.future.done()


class _Served:
    """The pipeline process's loop: calls read from the pipe by a thread of their own, pages
    extracted here or by the extraction processes, replies sent in the order of the calls."""

    def __init__(
        self, connection: Connection, pipeline: PagePipeline, log_queue: Queue[logging.LogRecord], workers: int, start: tuple[int, int]
    ) -> None:
        self.connection, self.pipeline, self.log_queue = connection, pipeline, log_queue
        self.workers, (self.start_after, self.start_backlog) = workers, start
        self.extracted_here = 0
        self.events: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self.replies: deque[_Reply] = deque()
        self.room = threading.Semaphore(READ_AHEAD)  # calls read and not yet answered
        self.extractors: ProcessPoolExecutor | None = None
        self.closed = False

    def run(self) -> None:
        threading.Thread(target=self._read_calls, name="jiwen-pipeline-calls", daemon=True).start()
        while not self.closed:
            event, call = self.events.get()
            if event == "call":
                self._call(*call)
            elif event == "end":
                return  # the crawl is gone without closing: the next writer catches up
            self._send_ready()

    def _read_calls(self) -> None:
        while True:
            self.room.acquire()
            try:
                call = self.connection.recv()
            except (EOFError, OSError):
                self.events.put(("end", None))
                return
            self.events.put(("call", call))

    def _call(self, method: str, args: tuple[Any, ...]) -> None:
        if method == "process":
            self.replies.append(self._process(*args))
            return
        self._send_all()  # a flush or a close comes after every page sent before it
        try:
            if method == _CLOSE:
                self.stop_extractors()
                try:
                    self.pipeline.close()
                finally:
                    self.closed = True
                    self.pipeline.archive.close()
                self._answer(None)
                return
            self._answer(getattr(self.pipeline, method)(*args))
        except Exception as error:
            self._answer(WorkerFailure.of(error))

    def _process(self, page: FetchedPage, force: bool = False) -> _Reply:
        url = page.final_url or page.url
        if any(waiting.page is not None and (waiting.page.final_url or waiting.page.url) == url for waiting in self.replies):
            # Whether its bytes are those of its stored article depends on that one being stored.
            self._send_all()
        try:
            page_id, outcome = self.pipeline.take(page, force=force)
            if outcome is not None:
                return _Reply(self._outcome(outcome))
            if (
                self.extractors is None
                and self.workers
                and self.extracted_here >= self.start_after
                and self.events.qsize() >= self.start_backlog
            ):
                self._start_extractors()
            if self.extractors is not None:
                try:
                    future = self.extractors.submit(_extract_page, page)
                except BrokenProcessPool:
                    self._lose_extractors()
                else:
                    future.add_done_callback(lambda _done: self.events.put(("extracted", None)))
                    return _Reply(page_id=page_id, page=page, future=future)
            self.extracted_here += 1
            return _Reply(self._outcome(self.pipeline.extract_and_store(page_id, page)))
        except Exception as error:
            return _Reply(WorkerFailure.of(error))

    def _outcome(self, outcome: Outcome) -> Outcome:
        # The crawl needs the outcome, not the article: no need to pickle it back.
        return replace(self.pipeline.counted(outcome), article=None)

    def _finish(self, waiting: _Reply) -> Any:
        if waiting.future is None or waiting.page is None:
            return waiting.reply
        try:
            try:
                extracted = waiting.future.result()
            except BrokenProcessPool:  # an extraction process died (killed, out of memory)
                self._lose_extractors()
                extracted = extract(waiting.page, self.pipeline.overrides, self.pipeline.default_overrides)
            return self._outcome(self.pipeline.store_extracted(waiting.page_id, waiting.page, extracted))
        except Exception as error:
            return WorkerFailure.of(error)

    def _send_ready(self) -> None:
        while self.replies and self.replies[0].ready():
            self._answer(self._finish(self.replies.popleft()))

    def _send_all(self) -> None:
        while self.replies:
            self._answer(self._finish(self.replies.popleft()))  # waits for its extraction

    def _answer(self, reply: Any) -> None:
        self.connection.send(reply)
        self.room.release()

    def _start_extractors(self) -> None:
        log.info("extracting pages in %d processes of their own (%d pages waiting)", self.workers, self.events.qsize())
        self.extractors = ProcessPoolExecutor(
            self.workers,
            mp_context=extraction_context(),
            initializer=_start_page_extractor,
            initargs=(self.pipeline.overrides, self.pipeline.default_overrides, self.log_queue),
        )

    def _lose_extractors(self) -> None:
        """After an extraction process died: the pages it held, and every later one, are extracted
        here, as before they started."""
        if self.extractors is not None:
            log.warning("an extraction process ended unexpectedly; the page pipeline extracts the pages itself from now on")
            self.extractors.shutdown(wait=False, cancel_futures=True)
            self.extractors, self.workers = None, 0

    def stop_extractors(self) -> None:
        if self.extractors is not None:
            self.extractors.shutdown(wait=True, cancel_futures=True)
            self.extractors = None


class _Extractor(TypedDict, total=False):
    overrides: dict[str, ExtractionOverrides]
    default_overrides: ExtractionOverrides | None


_EXTRACTOR: _Extractor = {}


def _start_page_extractor(
    overrides: dict[str, ExtractionOverrides],
    default_overrides: ExtractionOverrides | None,
    log_queue: Queue[logging.LogRecord],
) -> None:
    # Forked by the extraction processes' fork server (which ends with the pipeline process):
    # warm already, so warm_up() costs a few milliseconds.
    become_worker(os.getppid(), log_queue)
    _EXTRACTOR["overrides"], _EXTRACTOR["default_overrides"] = overrides, default_overrides
    try:
        warm_up()
    except Exception:
        log.exception("warming up an extraction process failed")


def _extract_page(page: FetchedPage) -> Extracted:
    return extract(page, _EXTRACTOR["overrides"], _EXTRACTOR["default_overrides"])


__all__ = ["Outcome", "PipelineWorker"]


def crawl(archive_dir: Path, *, extract_workers: int | None = None, **options: Any) -> dict[str, Any]:
    """Crawl into the archive at `archive_dir` through the page pipeline; `extract_workers`: the
    extraction processes the pipeline may start (default EXTRACT_WORKERS; 1: none); the other
    options are `jiwen.crawler.run.run_crawl`'s (sites, urls, settings_overrides, progress).
    Returns the crawl report."""
    from jiwen.crawler.run import run_crawl

    workers = EXTRACT_WORKERS if extract_workers is None else extract_workers
    report = run_crawl(archive_dir, worker_factory=functools.partial(PipelineWorker, extract_workers=workers), **options)
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
