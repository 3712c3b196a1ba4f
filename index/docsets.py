"""The set of documents a query matches, without scoring.

Whoosh's `Searcher.docs_for_query` walks the matcher tree one document at a time in Python (a few
microseconds a document for an AND or OR of several terms); at 100,000 matches that alone costs
hundreds of milliseconds. Reading each leaf's postings once and combining them with Python's set
operations (which run in C) is several times faster. Leaves (terms, ranges, prefixes, phrases)
still go through Whoosh, and their sets are cached per searcher, so filters repeated across
searches (the off-topic mask, a province, a date range) cost nothing the second time.
"""

from __future__ import annotations

from collections import OrderedDict

from whoosh import query
from whoosh.searching import Searcher

LEAF_CACHE_SIZE = 64


class DocSets:
    def __init__(self) -> None:
        self._generation = None
        self._leaves: OrderedDict = OrderedDict()

    def _leaf(self, searcher: Searcher, leaf: query.Query) -> frozenset[int]:
        key = (type(leaf).__name__, repr(leaf))
        found = self._leaves.get(key)
        if found is None:
            found = frozenset(searcher.docs_for_query(leaf))
            self._leaves[key] = found
            if len(self._leaves) > LEAF_CACHE_SIZE:
                self._leaves.popitem(last=False)
        else:
            self._leaves.move_to_end(key)
        return found

    def _all(self, searcher: Searcher) -> frozenset[int]:
        return self._leaf(searcher, query.Every())

    def matching(self, searcher: Searcher, node: query.Query) -> frozenset[int] | set[int]:
        generation = id(searcher.reader()), searcher.reader().generation()
        if generation != self._generation:
            self._generation = generation
            self._leaves.clear()
        return self._evaluate(searcher, node)

    def _evaluate(self, searcher: Searcher, node: query.Query):
        if isinstance(node, query.And):
            parts = sorted((self._evaluate(searcher, child) for child in node.subqueries), key=len)
            if not parts:
                return self._all(searcher)
            result = set(parts[0])
            for part in parts[1:]:
                result &= part
            return result
        if isinstance(node, query.Or) and not isinstance(node, query.DisjunctionMax):
            result: set[int] = set()
            for child in node.subqueries:
                result |= self._evaluate(searcher, child)
            return result
        if isinstance(node, query.AndNot):
            return set(self._evaluate(searcher, node.a)) - self._evaluate(searcher, node.b)
        if isinstance(node, query.AndMaybe):
            return self._evaluate(searcher, node.a)
        if isinstance(node, query.Not):
            return set(self._all(searcher)) - self._evaluate(searcher, node.query)
        if isinstance(node, query.qcore._NullQuery):
            return frozenset()
        return self._leaf(searcher, node)
