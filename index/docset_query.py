"""A Whoosh query that matches a precomputed set of documents with a score of 0.

ANDed with the text query, it limits scoring to the documents that passed the filters: Whoosh's
intersection skips straight from one allowed document to the next, where its `filter=` argument
would walk every document the text query matches and look each one up in the set.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left

from whoosh import matching
from whoosh.query import Query
from whoosh.searching import Searcher


class DocSetQuery(Query):
    def __init__(self, top_searcher: Searcher, docnums) -> None:
        ordered = sorted(docnums)
        self._segments: dict[int, array] = {}
        for reader, offset in top_searcher.reader().leaf_readers():
            low = bisect_left(ordered, offset)
            high = bisect_left(ordered, offset + reader.doc_count_all())
            self._segments[id(reader)] = array("I", (docnum - offset for docnum in ordered[low:high]))

    def __repr__(self) -> str:
        return f"DocSetQuery({sum(len(ids) for ids in self._segments.values())} documents)"

    def __eq__(self, other) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def is_leaf(self) -> bool:
        return True

    def estimate_size(self, reader) -> int:
        return len(self._segments.get(id(reader), ()))

    def matcher(self, searcher, context=None):
        ids = self._segments.get(id(searcher.reader()))
        if not ids:
            return matching.NullMatcher()
        return matching.ListMatcher(ids, all_weights=0.0)
