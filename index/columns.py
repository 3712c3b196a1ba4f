"""Per-segment columns as numpy files beside the segment, memory-mapped at search time.

A search needs, for the documents it matches, their field lengths (BM25), dates (sort, ranges),
ids (tie-breaks, export order) and facet values. Whoosh keeps these in its own columns, which can
only be read document by document in Python or decoded whole into lists; doing that at every
start made a one-shot `jiwen search` on 100,000 articles decode 100,000 ids, dates and value lists
before answering, and its memory grew with the archive.

So a writer, right after each commit, saves every new segment's columns as plain `.npy` files in
the index folder (`MAIN_<segment id>.jw_<name>.npy`): fixed-width ids, int32 dates, the one-byte
field lengths, and each facet as CSR (per-document offsets into an int32 array of value codes,
with the segment's vocabulary in a small JSON file). A search opens them with
`numpy.load(mmap_mode="r")`: nothing is read at open, and a query touches only the pages holding
the documents it matched. The names follow Whoosh's segment file pattern, so Whoosh deletes them
with their segment when a merge or rebuild retires it. Segments never change once written
(deletions are kept aside), so the files never go stale.

A segment whose files are missing (its writer was killed between the commit and saving them)
still works: its columns are decoded in memory once per segment until the next writer saves them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from jiwen.index.schema import FACETS, SEARCHED_FIELDS

MULTI_VALUED = frozenset({"place", "province", "program"})
FORMAT_VERSION = 1
DONE = "jw_columns.json"  # written last: a segment with it has all its files
LENGTH_OF_BYTE = numpy.array([byte_to_length(value) for value in range(256)], dtype=numpy.float32)


def _path(directory: Path, segment_id: str, name: str) -> Path:
    return directory / f"{segment_id}.{name}"


def _raw_values(reader, fieldname: str) -> list:
    """A Whoosh column read whole (bytes, list of bytes or int per document)."""
    count = reader.doc_count_all()
    if not reader.has_column(fieldname):
        return [() if fieldname in MULTI_VALUED else (0 if fieldname == "date" else None)] * count
    return list(reader.column_reader(fieldname, translate=False))


def _segment_lengths(reader, fieldname: str) -> numpy.ndarray:
    """Field lengths of a segment's documents as Whoosh's one-byte codes. Whoosh keeps them in a
    hidden column reachable only through the codec's per-document reader (private), hence the
    fallback that asks document by document."""
    perdoc = getattr(reader, "_perdoc", None)
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if perdoc is not None else None
    if column is not None:
        return numpy.array(list(column), dtype=numpy.uint8)
    lengths = [reader.doc_field_length(docnum, fieldname, 0) for docnum in range(reader.doc_count_all())]
    # Back to the byte code, so both paths give the same array.
    from whoosh.util.numeric import length_to_byte

    return numpy.array([length_to_byte(length) for length in lengths], dtype=numpy.uint8)


def _facet_arrays(values: list, multi: bool) -> tuple[numpy.ndarray, numpy.ndarray, list[str]]:
    vocabulary: dict[bytes, int] = {}
    offsets = numpy.zeros(len(values) + 1, dtype=numpy.int64)
    codes: list[int] = []
    for docnum, items in enumerate(values):
        for item in items if multi else ((items,) if items else ()):
            code = vocabulary.get(item)
            if code is None:
                code = vocabulary[item] = len(vocabulary)
            codes.append(code)
        offsets[docnum + 1] = len(codes)
    names = [item.decode("utf-8") for item in vocabulary]
    return offsets, numpy.array(codes, dtype=numpy.int32), names


def compute_columns(reader) -> dict[str, object]:
    """Every column of one segment, decoded from Whoosh's: {name: array or vocabulary list}."""
    count = reader.doc_count_all()
    ids = [value or b"" for value in _raw_values(reader, "id")]
    width = max((len(value) for value in ids), default=1) or 1
    columns: dict[str, object] = {
        "ids": numpy.array(ids, dtype=f"S{width}") if ids else numpy.zeros(0, dtype="S1"),
        "date": numpy.array(_raw_values(reader, "date"), dtype=numpy.int32).reshape(count),
    }
    for fieldname in SEARCHED_FIELDS:
        columns[f"length_{fieldname}"] = _segment_lengths(reader, fieldname)
    for name in FACETS:
        offsets, codes, names = _facet_arrays(_raw_values(reader, name), name in MULTI_VALUED)
        columns[f"facet_{name}_offsets"] = offsets
        columns[f"facet_{name}_codes"] = codes
        columns[f"facet_{name}_values"] = names
    return columns


def has_columns(directory: Path, segment_id: str) -> bool:
    try:
        done = json.loads(_path(directory, segment_id, DONE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return done.get("version") == FORMAT_VERSION


def _write_atomically(path: Path, write) -> None:
    # A dot name: Whoosh's file cleaning skips it, and a reader never sees a half-written file.
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with partial.open("wb") as out:
        write(out)
    os.replace(partial, path)


def save_columns(directory: Path, reader) -> None:
    """Write one segment's column files (idempotent: segments are immutable)."""
    segment_id = reader.segment().segment_id()
    for name, value in compute_columns(reader).items():
        if isinstance(value, list):
            data = json.dumps(value, ensure_ascii=False).encode("utf-8")
            _write_atomically(_path(directory, segment_id, f"jw_{name}.json"), lambda out, data=data: out.write(data))
        else:
            _write_atomically(
                _path(directory, segment_id, f"jw_{name}.npy"), lambda out, value=value: numpy.save(out, value, allow_pickle=False)
            )
    done = json.dumps({"version": FORMAT_VERSION, "documents": reader.doc_count_all()}).encode("utf-8")
    _write_atomically(_path(directory, segment_id, DONE), lambda out: out.write(done))


def save_missing_columns(directory: Path, index) -> int:
    """Save the column files of every segment of `index` that lacks them; returns how many."""
    saved = 0
    with index.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            segment = leaf.segment()
            if segment is not None and not has_columns(directory, segment.segment_id()):
                save_columns(directory, leaf)
                saved += 1
    return saved


class SegmentColumns:
    """One segment's columns: memory-mapped files when the segment has them, else decoded once
    in memory (a segment whose writer was killed before it saved them)."""

    def __init__(self, directory: Path, reader) -> None:
        self.directory = directory
        self.reader = reader
        self.segment_id = reader.segment().segment_id()
        self.count = reader.doc_count_all()
        self.mapped = has_columns(directory, self.segment_id)
        self._decoded: dict[str, object] | None = None
        self._loaded: dict[str, object] = {}

    def get(self, name: str):
        value = self._loaded.get(name)
        if value is None:
            if self.mapped:
                if name.endswith("_values"):
                    path = _path(self.directory, self.segment_id, f"jw_{name}.json")
                    value = json.loads(path.read_text(encoding="utf-8"))
                else:
                    value = numpy.load(_path(self.directory, self.segment_id, f"jw_{name}.npy"), mmap_mode="r")
            else:
                if self._decoded is None:
                    self._decoded = compute_columns(self.reader)
                value = self._decoded[name]
            self._loaded[name] = value
        return value


class ColumnCache:
    """Decoded columns of segments without files, kept across searchers while the segment lives
    (the in-memory fallback should be paid once per process, not once per query)."""

    def __init__(self) -> None:
        self._segments: dict[str, SegmentColumns] = {}

    def segment(self, directory: Path, reader) -> SegmentColumns:
        segment_id = reader.segment().segment_id()
        found = self._segments.get(segment_id)
        if found is None or (not found.mapped and has_columns(directory, segment_id)):
            found = self._segments[segment_id] = SegmentColumns(directory, reader)
        else:
            found.reader = reader
        return found

    def keep_only(self, segment_ids: set[str]) -> None:
        self._segments = {key: value for key, value in self._segments.items() if key in segment_ids}
