"""What jiwen's worker processes (the crawl's page pipeline, the background indexer) share: how
they start, how they stop, and how their log lines reach the parent's log.

Why processes and not threads: extraction, facts and indexing are pure-Python CPU work, and a
thread running them holds the interpreter lock the crawler's reactor needs (and each other's).
On the two-core machines jiwen runs on, the crawl gained most from giving the pipeline and the
indexer processes of their own.

Workers are started with multiprocessing's "spawn" method: a fork of a process that already runs
Twisted's reactor or holds SQLite connections copies state the child must not use. Pools of
identical extraction processes are forked instead from a server of their own ("forkserver"), a
fresh single-threaded process that loaded the extractor once (`warm_fork_context`), so each
starts warm instead of spending a second loading dictionaries.

A worker ignores SIGINT: Ctrl-C reaches the whole process group, and the parent's graceful stop
(Scrapy finishing its in-flight pages) needs the worker alive until the parent says "close". A
worker whose parent dies without closing it (SIGKILL) is killed by the kernel on Linux
(PR_SET_PDEATHSIG), and stops at the next message otherwise: what it was writing is caught up by
the next writer, like any killed writer's work.
"""

from __future__ import annotations

import ctypes
import logging
import logging.handlers
import os
import signal
import sys
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext, SpawnContext
    from multiprocessing.queues import Queue


def spawn_context() -> SpawnContext:
    """multiprocessing's "spawn" context, made on first use:
    importing multiprocessing is a tenth of a one-shot `jiwen search`'s start-up on a busy
    machine, and a search starts no worker."""
    import multiprocessing

    return multiprocessing.get_context("spawn")


def warm_fork_context(*preload: str) -> BaseContext:
    """multiprocessing's "forkserver" context, its server made to import the `preload` modules
    (by name: a module whose import warms what its processes need) before it forks any process.
    The server is one per process and starts with the first process asked of it. It ends once
    every holder of its pipe is gone, its own processes included: a preload module ties it to
    this process (`die_with_parent`), or a killed process leaves it and them behind. Its
    processes' parent is the server: they call `become_worker(os.getppid(), ...)`. "spawn" where
    there is no fork server (Windows)."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    return context


_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class WorkerFailure:
    """An exception raised in a worker, sent back to the parent (tracebacks do not pickle)."""

    kind: str
    message: str
    traceback: str

    @classmethod
    def of(cls, error: BaseException) -> WorkerFailure:
        return cls(type(error).__name__, str(error), "".join(traceback.format_exception(error)))


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux PR_SET_PDEATHSIG); exit
    now if the parent is already gone (it died before the signal was armed)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl: the worker stops when its pipe closes instead
    if os.getppid() != parent_pid:
        os._exit(0)


def become_worker(parent_pid: int, log_queue: Queue[logging.LogRecord] | None) -> None:
    """First thing a worker process does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent_pid)
    if log_queue is not None:
        handler = logging.handlers.QueueHandler(log_queue)
        for name in ("jiwen", "scrapy"):
            logger = logging.getLogger(name)
            logger.handlers[:] = [handler]
            logger.propagate = False
            logger.setLevel(logging.INFO)


class LogForwarding:
    """Carries worker processes' log records into this process's loggers (the logging cookbook's
    queue pattern), so they land in the same file and terminal as the parent's own lines."""

    def __init__(self) -> None:
        self.queue: Queue[logging.LogRecord] = spawn_context().Queue()
        self._listener = logging.handlers.QueueListener(self.queue, _Relay())
        self._listener.start()

    def stop(self) -> None:
        self._listener.stop()
        self.queue.close()
        self.queue.join_thread()


class _Relay(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
