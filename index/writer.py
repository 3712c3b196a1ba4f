"""Opening Whoosh writers: one at a time, with a bounded wait, and the options that make bulk
indexing fast.

Whoosh's own lock is a file lock taken when a writer opens; a second writer gets `LockError` at
once. `SegmentWriter` can retry for a while (`timeout`/`delay`), which is what we want: a short
bounded wait, then a clear one-line error. Whoosh's `AsyncWriter` did not serve: it silently
buffers into a thread and commits later, so a caller would never learn its documents were not in.
"""

from __future__ import annotations

import multiprocessing
import os

from whoosh import multiproc
from whoosh.index import Index, LockError
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import IndexWriter, PostingPool, SegmentWriter

from jiwen.core.processes import die_with_parent
from jiwen.index.analyzer import segmenter
from jiwen.index.codec import JiwenCodec
from jiwen.index.locking import DEFAULT_LOCK_TIMEOUT, IndexBusyError

# Memory for the posting pool of each writer process: larger pools mean fewer sorted runs to merge.
LIMIT_MB = 256
# What a pooled posting takes in memory, about: its tuple, term and value bytes, docnum, weight.
POSTING_BYTES = 200
# Below this many documents, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 1000
# Articles per rebuild round: about 2,000 per worker keeps a worker's postings under LIMIT_MB
# (8,000 measured 1.7x slower: the pools spilled to disk, and the batch held 1.3 GB).
REBUILD_ROUND = 4000
# Past this many segments, the smallest are merged after a commit (ArchiveIndex._merge_small),
# and bulk adds go through the serial writer (one segment, not one per worker).
MAX_SEGMENTS = 12


class _CountingPool(PostingPool):
    """Whoosh's posting pool, counting postings instead of estimating each one's bytes (an
    estimate, an assertion and a set update per posting: a tenth of a bulk build's time)."""

    def __init__(self, tempstore, segment, limitmb=128, **kwargs):
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self.limit_postings = max(1, self.limit // POSTING_BYTES)

    def add(self, item):
        self.current.append(item)
        self.currentsize += 1
        if self.currentsize > self.limit_postings:
            self.save()


class _BulkSegmentWriter(SegmentWriter):
    """Whoosh's segment writer with the counting pool (Whoosh takes a `poolclass` argument and
    ignores it)."""

    def __init__(self, ix, *, limitmb=128, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = _CountingPool(self._tempstorage, self.newsegment, limitmb=limitmb)


def writer_processes() -> int:
    """Worker processes for a parallel writer. None in a daemonic process (the background
    indexer): multiprocessing forbids daemons to have children, and Whoosh's workers would fail
    on every batch ("daemonic processes are not allowed to have children")."""
    if multiprocessing.current_process().daemon:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


class _MortalSubWriterTask(SubWriterTask):
    """Whoosh's worker, which dies with the process that forked it. Whoosh's own outlives a
    killed parent for ever, blocked on its job queue and holding (through the inherited file
    descriptor) the index's writer lock, so every later writer is refused."""

    def __init__(self, *args, parent_pid: int) -> None:
        super().__init__(*args)
        self._parent_pid = parent_pid

    def run(self) -> None:
        die_with_parent(self._parent_pid)
        # Whoosh's worker makes its writer from the module's `SegmentWriter`, with no hook for
        # another class: swapped here, in the worker process only, which does nothing else.
        multiproc.SegmentWriter = _BulkSegmentWriter
        super().run()


class _MortalMpWriter(MpWriter):
    """Whoosh's parallel writer with workers that die with it (Whoosh offers no hook for the
    worker class, so `_new_task` is Whoosh's, with the class swapped)."""

    def _new_task(self):
        task = _MortalSubWriterTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
            parent_pid=os.getpid(),
        )
        self.tasks.append(task)
        task.start()
        return task


def open_writer(index: Index, directory, *, timeout: float = DEFAULT_LOCK_TIMEOUT, parallel: bool = False) -> IndexWriter:
    """A writer on `index`; waits up to `timeout` seconds for another writer to finish.

    `parallel` analyses documents in worker processes, each writing its own segment
    (multisegment: no serial merge at commit), which is what makes bulk builds fast."""
    options: dict = {"timeout": timeout, "delay": 0.1, "limitmb": LIMIT_MB, "codec": JiwenCodec()}
    processes = writer_processes() if parallel else 1
    if processes > 1:
        # Load jieba's dictionary before the workers fork, so they share it instead of each
        # spending a second or two loading their own.
        segmenter()
    try:
        if processes > 1:
            return _MortalMpWriter(index, procs=processes, multisegment=True, batchsize=50, **options)
        return _BulkSegmentWriter(index, **options)
    except LockError:
        raise IndexBusyError(
            f"search index {directory} is being written by another process (waited {timeout:g}s); wait for it to finish and retry"
        ) from None
