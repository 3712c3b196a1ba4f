"""The documents of one searcher as numpy arrays: a search's masks, scores and orders are vector
operations, and per-document values (lengths, dates, ids, facet values) are gathered from the
memory-mapped per-segment columns (`columns.py`) for the matching documents only.

Why arrays: Whoosh's collectors, sorting facets and grouping handle one document at a time in
Python (5 to 20 microseconds each); at 100,000 matching articles a search would take seconds.
What a search allocates per query is a byte per document for its masks and eight for its scores
(800 KB at 100,000 articles); nothing is decoded at open, and a value is read only for a document
the query matched.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy
from whoosh.searching import Searcher

from jiwen.index.columns import LENGTH_OF_BYTE, ColumnCache, SegmentColumns
from jiwen.index.schema import SEARCHED_FIELDS

# Below this many matched documents a facet is counted segment by segment (see facet_counts).
FEW_MATCHES = 20_000


class SearchArrays:
    def __init__(self, searcher: Searcher, columns: ColumnCache, directory: Path) -> None:
        self.searcher = searcher
        self.size = searcher.doc_count_all()
        # An empty index has one reader without a segment: nothing to read.
        self.leaves = [(reader, offset) for reader, offset in searcher.reader().leaf_readers() if reader.segment()]
        self.segments: list[SegmentColumns] = [columns.segment(directory, reader) for reader, _ in self.leaves]
        columns.keep_only({segment.segment_id for segment in self.segments})
        self.starts = numpy.array([offset for _reader, offset in self.leaves], dtype=numpy.int64)
        self.ends = numpy.array([offset + reader.doc_count_all() for reader, offset in self.leaves], dtype=numpy.int64)

    @cached_property
    def live(self) -> numpy.ndarray:
        """Documents not deleted: from each segment's (small) set of deletions, not by walking
        every document."""
        live = numpy.ones(self.size, dtype=bool)
        for reader, offset in self.leaves:
            if reader.has_deletions():
                deleted = numpy.fromiter(reader.segment().deleted_docs(), dtype=numpy.int64)
                live[deleted + offset] = False
        return live

    @cached_property
    def average_length(self) -> dict[str, float]:
        count = self.searcher.doc_count_all() or 1
        return {name: (self.searcher.field_length(name) / count) or 1.0 for name in SEARCHED_FIELDS}

    def _pieces(self, docnums: numpy.ndarray):
        """(segment, positions in `docnums`, local document numbers) for each segment holding
        some of `docnums` (global numbers, ascending)."""
        bounds = numpy.searchsorted(docnums, numpy.concatenate([self.starts, self.ends[-1:]]))
        for number, segment in enumerate(self.segments):
            low, high = bounds[number], bounds[number + 1]
            if high > low:
                yield segment, slice(low, high), docnums[low:high] - self.starts[number]

    def gather(self, name: str, docnums: numpy.ndarray, dtype) -> numpy.ndarray:
        """Column `name` of the documents `docnums` (any order)."""
        docnums = numpy.asarray(docnums, dtype=numpy.int64)
        if not len(docnums) or not self.segments:
            return numpy.zeros(len(docnums), dtype=dtype)
        ascending = bool(numpy.all(docnums[1:] >= docnums[:-1]))
        order = None if ascending else numpy.argsort(docnums, kind="stable")
        ordered = docnums if ascending else docnums[order]
        result = numpy.zeros(len(docnums), dtype=dtype)
        for segment, positions, local in self._pieces(ordered):
            result[positions] = segment.get(name)[local]
        if order is not None:
            unordered = numpy.empty_like(result)
            unordered[order] = result
            result = unordered
        return result

    def lengths_of(self, fieldname: str, docnums: numpy.ndarray) -> numpy.ndarray:
        return LENGTH_OF_BYTE[self.gather(f"length_{fieldname}", docnums, numpy.uint8)]

    def dates_of(self, docnums: numpy.ndarray) -> numpy.ndarray:
        return self.gather("date", docnums, numpy.int64)

    def ids_of(self, docnums: numpy.ndarray) -> numpy.ndarray:
        """Ids as fixed-width UTF-8 bytes: byte order is the ids' code point order."""
        width = max((segment.get("ids").dtype.itemsize for segment in self.segments), default=1)
        return self.gather("ids", docnums, f"S{width}")

    @cached_property
    def dates(self) -> numpy.ndarray:
        """Every document's date (for date ranges, which compare all of them at once)."""
        return self.dates_of(numpy.arange(self.size, dtype=numpy.int64))

    @cached_property
    def _facet_vocabularies(self) -> dict[str, tuple[list[str], list[numpy.ndarray]]]:
        return {}

    def _facet_vocabulary(self, name: str) -> tuple[list[str], list[numpy.ndarray]]:
        """Facet `name`'s values over every segment, and for each segment the array taking its
        value codes to positions in that list (made once per searcher)."""
        cache = self._facet_vocabularies
        found = cache.get(name)
        if found is None:
            positions: dict[str, int] = {}
            mappings = []
            for segment in self.segments:
                values = segment.get(f"facet_{name}_values")
                mappings.append(
                    numpy.fromiter((positions.setdefault(value, len(positions)) for value in values), dtype=numpy.int64, count=len(values))
                )
            found = cache[name] = (list(positions), mappings)
        return found

    @staticmethod
    def _matched_codes(segment: SegmentColumns, name: str, local: numpy.ndarray) -> numpy.ndarray:
        """Facet `name`'s value codes (the segment's own) of its documents `local`."""
        offsets = segment.get(f"facet_{name}_offsets")
        starts = numpy.asarray(offsets[local], dtype=numpy.int64)
        counts = numpy.asarray(offsets[local + 1], dtype=numpy.int64) - starts
        total = int(counts.sum())
        if not total:
            return numpy.zeros(0, dtype=numpy.int64)
        # The positions of all matched documents' values: each document's start, repeated
        # for each of its values, plus 0, 1, 2... within the document.
        within = numpy.arange(total, dtype=numpy.int64) - numpy.repeat(numpy.cumsum(counts) - counts, counts)
        return numpy.asarray(segment.get(f"facet_{name}_codes")[numpy.repeat(starts, counts) + within])

    def facet_counts(self, name: str, mask: numpy.ndarray) -> dict[str, int]:
        """How many documents of `mask` have each value of facet `name`."""
        matched = [(number, numpy.flatnonzero(mask[self.starts[number] : self.ends[number]])) for number in range(len(self.segments))]
        matched = [(number, local) for number, local in matched if len(local)]
        if name not in self._facet_vocabularies and sum(len(local) for _, local in matched) < FEW_MATCHES:
            # Few matches and no archive-wide vocabulary yet (a one-shot search): count each
            # segment's values on their own and add the few that occur by name, rather than
            # map every segment's vocabulary first (120 ms at 100,000 articles, for 5,000 values
            # in each of 50 segments).
            counts: dict[str, int] = {}
            for number, local in matched:
                bins = numpy.bincount(self._matched_codes(self.segments[number], name, local))
                values = self.segments[number].get(f"facet_{name}_values")
                for code in numpy.flatnonzero(bins).tolist():
                    counts[values[code]] = counts.get(values[code], 0) + int(bins[code])
            return counts
        vocabulary, mappings = self._facet_vocabulary(name)
        codes_of_segments = [mappings[number][self._matched_codes(self.segments[number], name, local)] for number, local in matched]
        if not codes_of_segments:
            return {}
        # One count over every segment's values, in the archive-wide vocabulary: no Python loop
        # over each segment's values (hundreds of places in each of 50 segments at 100,000).
        bins = numpy.bincount(numpy.concatenate(codes_of_segments), minlength=len(vocabulary))
        return {vocabulary[code]: int(bins[code]) for code in numpy.flatnonzero(bins).tolist()}

    def without_value(self, name: str) -> numpy.ndarray:
        """Documents (live ones) that have no value of facet `name`: one comparison of each
        segment's offsets, kept for the searcher's life."""
        cache = self._without_value
        found = cache.get(name)
        if found is None:
            parts = []
            for segment in self.segments:
                offsets = numpy.asarray(segment.get(f"facet_{name}_offsets"))
                parts.append(offsets[1:] == offsets[:-1])
            found = numpy.concatenate(parts) if parts else numpy.zeros(0, dtype=bool)
            found = cache[name] = found & self.live
        return found

    @cached_property
    def _without_value(self) -> dict[str, numpy.ndarray]:
        return {}

    def live_ids(self) -> list[str]:
        ids = []
        for number, segment in enumerate(self.segments):
            alive = self.live[self.starts[number] : self.ends[number]]
            ids.extend(value.decode("utf-8") for value in numpy.asarray(segment.get("ids"))[alive].tolist())
        return ids

    def docnum_mask(self, docnums) -> numpy.ndarray:
        mask = numpy.zeros(self.size, dtype=bool)
        if docnums:
            mask[numpy.fromiter(docnums, dtype=numpy.int64, count=len(docnums))] = True
        return mask


__all__ = ["SearchArrays"]
