"""The index's writer lock: how long a writer waits for another, and the error it then raises.

Apart from `writer.py` so that a process that only searches (a one-shot `jiwen search`) imports
neither Whoosh's writers nor multiprocessing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jiwen.core.errors import JiwenError
from jiwen.index.store import INDEX_NAME, storage

DEFAULT_LOCK_TIMEOUT = 10.0


class IndexBusyError(JiwenError):
    """Another writer holds the search index's lock."""


@contextmanager
def write_lock(directory: Path, *, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the index's writer lock without opening a writer or the index (for work done beside
    the index, such as rebuilding one that cannot be opened): the lock Whoosh's writers take."""
    lock = storage(directory).lock(f"{INDEX_NAME}_WRITELOCK")
    deadline = time.monotonic() + timeout
    while not lock.acquire(blocking=False):
        if time.monotonic() >= deadline:
            raise IndexBusyError(
                f"search index {directory} is being written by another process (waited {timeout:g}s); wait for it to finish and retry"
            )
        time.sleep(0.1)
    try:
        yield
    finally:
        lock.release()
