"""Keeping the search index in step with the store.

`catch_up_index` indexes what the store marks as not yet indexed (articles.indexed = 0) and
removes what left the indexable set; any writer can run it, so work a killed writer left behind
is never lost.

`BackgroundIndexer` runs it in a process of its own while a long writer (a crawl, a big ingest)
extracts: indexing costs about as much CPU per article as extraction, and on two cores the two
overlap instead of taking turns under one interpreter lock. The writer says how many articles it
stored; the indexer commits when a batch is full or when the oldest waiting article has waited
`max_delay` seconds (so a slow crawl's articles become searchable within seconds, and a fast one
still makes few, large commits: Whoosh's cost per commit grows with the segments it merges).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from jiwen.core.errors import WorkerError, storage_failure
from jiwen.core.processes import WorkerFailure, become_worker, spawn_context
from jiwen.store import Archive

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.queues import Queue

    from jiwen.index import ArchiveIndex

log = logging.getLogger(__name__)

# A commit here overlaps extraction and costs about the same per article at 100 as at 200 (1,000
# articles: 17-19 s CPU either way), while the last batch, indexed after the last page is stored,
# is what the writer waits for at close: smaller is better.
DEFAULT_BATCH = 100
DEFAULT_MAX_DELAY = 5.0
# How long close() waits for the indexer's last batch: a serial catch-up of a few thousand
# articles on a loaded two-core machine takes minutes, never an hour.
DEFAULT_CLOSE_TIMEOUT = 1800.0
_NOW = "now"
_CLOSE = "close"


def catch_up_index(archive: Archive, index: ArchiveIndex) -> int:
    """Bring `index` (an ArchiveIndex) up to date with the store; returns how many entries
    changed."""
    index.remove_leftovers()  # what a killed rebuild left beside the index
    to_add, to_delete = archive.pending_index()
    if not to_add and not to_delete:
        return 0
    if to_delete:
        index.delete(to_delete)
    if to_add:
        index.add(archive.iter_articles(ids=to_add))
    archive.mark_indexed(to_add + to_delete)
    return len(to_add) + len(to_delete)


class BackgroundIndexer:
    """A process that indexes what a writer stores. Start it after the writer took the archive's
    writer lock; `close()` before releasing it."""

    def __init__(
        self,
        archive_dir: Path,
        *,
        batch_size: int = DEFAULT_BATCH,
        max_delay: float = DEFAULT_MAX_DELAY,
        log_queue: Queue[logging.LogRecord] | None = None,
    ) -> None:
        self._connection, child_end = spawn_context().Pipe()
        self._process = spawn_context().Process(
            target=_serve,
            args=(str(archive_dir), os.getpid(), log_queue, child_end, batch_size, max_delay),
            name="jiwen-indexer",
            daemon=True,
        )
        self._process.start()
        child_end.close()
        self._gone = False
        self._result: int | None = None

    def stored(self, count: int = 1) -> None:
        """`count` more articles are in the store waiting to be indexed."""
        self._send(count)

    def index_now(self) -> None:
        """Commit what is waiting without waiting for a full batch (does not block)."""
        self._send(_NOW)

    def close(self, timeout: float = DEFAULT_CLOSE_TIMEOUT) -> int:
        """Index what is left, stop the process; returns how many index entries it changed in
        all. Raises WorkerError when the indexer failed or did not finish within `timeout`
        seconds (what it did not index stays marked in the store, and the next writer or
        `jiwen reindex` indexes it).

        The protocol has one message each way: the writer sends "close" once, the indexer sends
        its one answer (a count or a failure) once, whenever it is ready: a failure at start-up
        waits in the pipe. The wait is bounded, and an indexer that dies meanwhile is noticed
        within a second."""
        if self._result is not None:
            return self._result
        self._send(_CLOSE)
        deadline = time.monotonic() + timeout
        reply: int | WorkerFailure | None = None
        try:
            while reply is None:
                if self._connection.poll(1.0):
                    reply = self._connection.recv()
                elif not self._process.is_alive() and not self._connection.poll(0):
                    reply = WorkerFailure(
                        "IndexerGone",
                        f"the indexer process ended unexpectedly (exit code {self._process.exitcode})",
                        "",
                    )
                elif time.monotonic() >= deadline:
                    self._process.kill()
                    reply = WorkerFailure(
                        "IndexerTimeout",
                        f"the indexer did not finish within {timeout:g}s and was stopped; "
                        "the next writer or 'jiwen reindex' indexes what it left",
                        "",
                    )
        except (EOFError, OSError):
            reply = WorkerFailure("IndexerGone", f"the indexer process ended unexpectedly (exit code {self._process.exitcode})", "")
        finally:
            self._process.join(timeout=30)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(timeout=5)
            self._connection.close()
        if isinstance(reply, WorkerFailure):
            self._result = 0
            raise WorkerError(reply)
        self._result = reply
        return reply

    def _send(self, message: int | str) -> None:
        if self._gone:
            return
        try:
            self._connection.send(message)
        except (BrokenPipeError, OSError):
            # Noticed again, with the exit code, at close(); meanwhile storing goes on.
            self._gone = True
            log.error("the indexer process ended unexpectedly; stored articles are indexed by the next writer")


def _serve(
    archive_dir: str,
    parent_pid: int,
    log_queue: Queue[logging.LogRecord] | None,
    connection: Connection,
    batch_size: int,
    max_delay: float,
) -> None:
    become_worker(parent_pid, log_queue)
    from jiwen.index import ArchiveIndex
    from jiwen.index.analyzer import segmenter

    try:
        archive = Archive(Path(archive_dir), create=False)
        index = ArchiveIndex(archive.index_dir)
        segmenter()  # load the dictionary before the first batch arrives
    except Exception as error:
        log.exception("the indexer could not start")
        _answer_close(connection, WorkerFailure.of(error))
        return
    changed = 0
    failure: WorkerFailure | None = None

    def catch_up() -> None:
        nonlocal changed, failure
        try:
            changed += catch_up_index(archive, index)
            failure = None
        except Exception as error:  # logged; the next batch retries, close() reports the last one
            reason = storage_failure(error)
            if reason is None:
                log.exception("indexing a batch failed")
            else:
                log.error("indexing a batch failed: %s", reason)
            failure = WorkerFailure.of(error)

    catch_up()  # what an earlier, killed writer left unindexed
    waiting, oldest = 0, 0.0
    while True:
        timeout = None if waiting == 0 else max(0.0, oldest + max_delay - time.monotonic())
        try:
            message = connection.recv() if connection.poll(timeout) else _NOW
        except (EOFError, OSError):
            return  # the parent is gone without closing: the next writer catches up
        if message == _CLOSE:
            break
        if isinstance(message, int):
            oldest = oldest if waiting else time.monotonic()
            waiting += message
            if waiting < batch_size:
                continue
        catch_up()
        waiting = 0
    catch_up()
    index.close()
    archive.close()
    _answer_close(connection, failure if failure is not None else changed)


def _answer_close(connection: Connection, answer: int | WorkerFailure) -> None:
    """The indexer's one answer, sent once (see BackgroundIndexer.close)."""
    try:
        connection.send(answer)
    except (EOFError, OSError):
        pass
    finally:
        connection.close()
