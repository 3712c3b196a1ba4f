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

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter
from whoosh.index import Index, LockError
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import IndexWriter, SegmentWriter

from jiwen.processes import die_with_parent

from .analyzer import segmenter
from .locking import DEFAULT_LOCK_TIMEOUT, IndexBusyError

# Memory for the posting pool of each writer process: larger pools mean fewer sorted runs to merge.
LIMIT_MB = 256
# Below this many documents, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 1000
# Articles per rebuild round: about 2,000 per worker keeps a worker's postings under LIMIT_MB.
REBUILD_ROUND = 4000
# Past this many segments, bulk adds go through the serial writer, which merges small ones.
MAX_SEGMENTS = 12


class _LengthTable:
    """A segment's field lengths, read once per field into a list. Whoosh's field writer asks
    for the length of a posting's document at every posting it writes (hundreds per document and
    field), each a read through the per-document column reader: 15% of a bulk build's time."""

    def __init__(self, lengths) -> None:
        self._lengths = lengths
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        table = self._fields.get(fieldname)
        if table is None:
            lengths = self._lengths
            table = self._fields[fieldname] = [
                lengths.doc_field_length(number, fieldname, default) for number in range(lengths.doc_count_all())
            ]
        return table[docnum]


class _BulkFieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        super().add_postings(schema, _LengthTable(lengths) if lengths else None, items)


class _BulkPostingsWriter(W3PostingsWriter):
    def add_posting(self, id_, weight, vbytes, length=None):
        # Whoosh's add_posting, written again without its four per-posting type assertions
        # (the field writer above hands it docnums, floats and bytes only): the same blocks.
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if vbytes:
            self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length


class BulkCodec(W3Codec):
    """Whoosh's own codec and index format, with a field writer that looks field lengths up in
    memory and a postings writer without per-posting assertions (12-14% less CPU for a bulk
    build, measured against W3Codec on the same documents). Segments name the plain `W3Codec`
    (it is pickled into the table of contents), so an index written with this codec is an
    ordinary Whoosh 3 index to every reader."""

    def field_writer(self, storage, segment):
        return _BulkFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _BulkPostingsWriter(
            dbfile, blocklimit=self._blocklimit, byteids=byteids,
            compression=self._compression, inlinelimit=self._inlinelimit,
        )  # fmt: skip

    def new_segment(self, storage, indexname):
        return W3Codec(self._blocklimit, self._compression, self._inlinelimit).new_segment(storage, indexname)


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


def open_writer(
    index: Index, directory, *, timeout: float = DEFAULT_LOCK_TIMEOUT, parallel: bool = False
) -> IndexWriter:
    """A writer on `index`; waits up to `timeout` seconds for another writer to finish.

    `parallel` analyses documents in worker processes, each writing its own segment
    (multisegment: no serial merge at commit), which is what makes bulk builds fast."""
    options: dict = {"timeout": timeout, "delay": 0.1, "limitmb": LIMIT_MB, "codec": BulkCodec()}
    processes = writer_processes() if parallel else 1
    if processes > 1:
        # Load jieba's dictionary before the workers fork, so they share it instead of each
        # spending a second or two loading their own.
        segmenter()
    try:
        if processes > 1:
            return _MortalMpWriter(index, procs=processes, multisegment=True, batchsize=50, **options)
        return SegmentWriter(index, **options)
    except LockError:
        raise IndexBusyError(
            f"search index {directory} is being written by another process "
            f"(waited {timeout:g}s); wait for it to finish and retry"
        ) from None
