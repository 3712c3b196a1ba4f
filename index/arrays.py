"""Whole-index arrays (numpy) for one searcher: live documents, field lengths, dates, id order and
facet codes, built from per-segment data that is decoded once and kept.

Why arrays: Whoosh's collectors, sorting facets and grouping handle one document at a time in
Python (5 to 20 microseconds each); at 100,000 matching articles a search would take seconds. With
one array entry per document, filtering, ordering and counting facets are a few vector operations.
"""

from __future__ import annotations

from functools import cached_property

import numpy
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from .columns import ColumnCache
from .schema import SCORING_FIELDS

LENGTH_OF_BYTE = numpy.array([byte_to_length(value) for value in range(256)], dtype=numpy.float32)


class FacetCodes:
    """One facet over all documents as integer codes: `values[code]` is the name; for a document
    with several values, `documents[i]` has `codes[i]` (a flattened document -> values list)."""

    def __init__(self, per_document: list) -> None:
        vocabulary: dict[str, int] = {}
        documents: list[int] = []
        codes: list[int] = []
        for docnum, values in enumerate(per_document):
            for value in values if isinstance(values, tuple) else ((values,) if values else ()):
                code = vocabulary.get(value)
                if code is None:
                    code = vocabulary[value] = len(vocabulary)
                documents.append(docnum)
                codes.append(code)
        self.values = list(vocabulary)
        self.documents = numpy.array(documents, dtype=numpy.int64)
        self.codes = numpy.array(codes, dtype=numpy.int64)

    def counts(self, mask: numpy.ndarray) -> dict[str, int]:
        selected = self.codes[mask[self.documents]]
        totals = numpy.bincount(selected, minlength=len(self.values))
        found = numpy.flatnonzero(totals)
        return {self.values[code]: int(totals[code]) for code in found}


def _segment_lengths(reader, fieldname: str) -> numpy.ndarray:
    """Field lengths of a segment's documents. Whoosh keeps them as one byte per document in a
    hidden column; reading that column whole beats asking `doc_field_length` doc by doc, but it is
    reachable only through the codec's per-document reader (private), hence the fallback."""
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if perdoc is not None else None
    if column is not None:
        return LENGTH_OF_BYTE[numpy.array(list(column), dtype=numpy.uint8)]
    return numpy.array([reader.doc_field_length(docnum, fieldname, 0) for docnum in range(count)], dtype=numpy.float32)


class SearchArrays:
    def __init__(self, searcher: Searcher, columns: ColumnCache) -> None:
        self.searcher = searcher
        self.columns = columns
        self.size = searcher.doc_count_all()
        self.leaves = [
            (reader, offset) for reader, offset in searcher.reader().leaf_readers() if reader.segment()
        ]
        self._facets: dict[str, FacetCodes] = {}

    # Each array is built on first use: a command-line search that needs no facets or date order
    # should not pay for them.

    @cached_property
    def live(self) -> numpy.ndarray:
        live = numpy.zeros(self.size, dtype=bool)
        live[list(self.searcher.reader().all_doc_ids())] = True
        return live

    @cached_property
    def lengths(self) -> dict[str, numpy.ndarray]:
        return {name: self._lengths(name) for name in SCORING_FIELDS.values()}

    @cached_property
    def average_length(self) -> dict[str, float]:
        count = self.searcher.doc_count_all() or 1
        return {name: (self.searcher.field_length(name) / count) or 1.0 for name in SCORING_FIELDS.values()}

    @cached_property
    def ids(self) -> list:
        return self.columns.values(self.searcher, "id")

    @cached_property
    def dates(self) -> numpy.ndarray:
        return numpy.array(self.columns.values(self.searcher, "date"), dtype=numpy.int64)

    @cached_property
    def id_rank(self) -> numpy.ndarray:
        """Each document's place in id order, the tie-breaker that keeps pages stable."""
        ids = self.ids
        order = sorted(range(self.size), key=lambda docnum: ids[docnum] or "")
        rank = numpy.empty(self.size, dtype=numpy.int64)
        rank[order] = numpy.arange(self.size)
        return rank

    def _lengths(self, fieldname: str) -> numpy.ndarray:
        parts = [
            self.columns.per_segment(reader, f"length:{fieldname}", lambda r: _segment_lengths(r, fieldname))
            for reader, _offset in self.leaves
        ]
        return numpy.concatenate(parts) if parts else numpy.zeros(0, dtype=numpy.float32)

    def facet(self, name: str) -> FacetCodes:
        codes = self._facets.get(name)
        if codes is None:
            codes = self._facets[name] = FacetCodes(self.columns.values(self.searcher, name))
        return codes

    def docnum_mask(self, docnums) -> numpy.ndarray:
        mask = numpy.zeros(self.size, dtype=bool)
        if docnums:
            mask[numpy.fromiter(docnums, dtype=numpy.int64, count=len(docnums))] = True
        return mask


__all__ = ["FacetCodes", "SearchArrays"]
