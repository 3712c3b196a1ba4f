"""Facet counts over the whole matching set (not just the page shown)."""

from __future__ import annotations

from collections import Counter

from jiwen.errors import QuerySyntaxError

from .columns import MULTI_VALUED, ColumnCache
from .schema import FACETS

FACET_VALUES_LIMIT = 50


def count_facets(
    names: list[str], docnums, searcher, cache: ColumnCache, limit: int = FACET_VALUES_LIMIT
) -> dict[str, dict[str, int]]:
    """facet -> value -> count, most frequent first (ties by value), at most `limit` values each."""
    facets: dict[str, dict[str, int]] = {}
    for name in names:
        if name not in FACETS:
            raise QuerySyntaxError(f"unknown facet {name!r}; use one of {', '.join(FACETS)}")
        values = cache.values(searcher, name)
        counter: Counter = Counter()
        if name in MULTI_VALUED:
            for docnum in docnums:
                counter.update(values[docnum])
        else:
            counter.update(values[docnum] for docnum in docnums)
            counter.pop(None, None)
        ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]
        facets[name] = dict(ranked)
    return facets
