"""Running a `SearchRequest` against an open Whoosh searcher.

One pass finds every matching document (no scoring: that is cheap) for the total, the facets and
the filter; a second pass scores only as many as the page needs. Order is stable: relevance ties
and date ties are broken by article id, so pages never overlap and an index rebuilt from the same
articles (whose internal document numbers may differ) gives the same pages.
"""

from __future__ import annotations

import heapq

from whoosh import query
from whoosh.searching import Searcher

from jiwen.models import SearchHit, SearchRequest, SearchResponse

from .columns import ColumnCache
from .docset_query import DocSetQuery
from .docsets import DocSets
from .documents import decompress_body
from .facets import count_facets
from .query import filter_queries, offtopic_mask, parse_text
from .schema import SEARCHED_FIELDS
from .snippets import make_snippet

# Scores equal to this many decimals count as a tie (then the id decides).
SCORE_DECIMALS = 6


class PreparedSearch:
    def __init__(
        self, request: SearchRequest, searcher: Searcher, cache: ColumnCache, docsets: DocSets
    ) -> None:
        self.request = request
        self.searcher = searcher
        self.cache = cache
        self.text_query = parse_text(request.query, searcher.schema)
        parts = ([self.text_query] if self.text_query else []) + filter_queries(request, searcher)
        positive = query.And(parts) if len(parts) > 1 else (parts[0] if parts else query.Every())
        mask = offtopic_mask(request)
        combined = query.AndNot(positive, mask) if mask is not None else positive
        self.docnums = docsets.matching(searcher, combined)

    def by_date(self, count: int | None) -> list[tuple[int, float]]:
        dates = self.cache.values(self.searcher, "date")
        ids = self.cache.values(self.searcher, "id")
        key = lambda docnum: (-dates[docnum], ids[docnum])  # noqa: E731
        ordered = sorted(self.docnums, key=key) if count is None else heapq.nsmallest(count, self.docnums, key=key)
        return [(docnum, 0.0) for docnum in ordered]

    def by_relevance(self, count: int | None) -> list[tuple[int, float]]:
        ids = self.cache.values(self.searcher, "id")
        total = len(self.docnums)
        wanted = total if count is None else min(count, total)
        if not wanted:
            return []
        scoring = query.And([self.text_query, DocSetQuery(self.searcher, self.docnums)])
        fetch = wanted + 1
        while True:
            results = self.searcher.search(scoring, limit=fetch)
            scored = [(hit.docnum, round(hit.score, SCORE_DECIMALS)) for hit in results]
            # Documents tied with the last one wanted may lie beyond what was fetched; fetch more
            # until the scores drop below it (or everything is in), so the id can settle ties.
            if len(scored) >= total or scored[-1][1] < scored[wanted - 1][1]:
                break
            fetch *= 2
        scored.sort(key=lambda item: (-item[1], ids[item[0]]))
        return scored[:wanted]

    def ordered(self, count: int | None) -> list[tuple[int, float]]:
        if self.request.sort == "date" or self.text_query is None:
            return self.by_date(count)
        return self.by_relevance(count)

    def highlight_terms(self) -> frozenset[str]:
        if self.text_query is None:
            return frozenset()
        terms = self.text_query.existing_terms(self.searcher.reader(), phrases=True, expand=True)
        return frozenset(
            text.decode("utf-8") if isinstance(text, bytes) else text
            for fieldname, text in terms
            if fieldname in SEARCHED_FIELDS
        )


def run_search(
    request: SearchRequest, searcher: Searcher, cache: ColumnCache, docsets: DocSets, marks: tuple[str, str]
) -> SearchResponse:
    prepared = PreparedSearch(request, searcher, cache, docsets)
    limit = max(1, request.limit)
    start = (max(1, request.page) - 1) * limit
    page = prepared.ordered(start + limit)[start:]
    terms = prepared.highlight_terms()
    analyzer = searcher.schema["body"].analyzer
    hits = []
    for docnum, score in page:
        stored = searcher.stored_fields(docnum)
        body = decompress_body(stored.get("body_zlib"))
        hits.append(
            SearchHit(
                id=stored["id"],
                url=stored.get("url"),
                title=stored.get("title") or None,
                published=stored.get("published"),
                score=score,
                snippet=make_snippet(body, terms, analyzer, marks),
                site=stored.get("site"),
            )
        )
    facets = count_facets(request.facets, prepared.docnums, searcher, cache) if request.facets else {}
    return SearchResponse(total=len(prepared.docnums), hits=hits, facets=facets)


def run_matching_ids(
    request: SearchRequest, searcher: Searcher, cache: ColumnCache, docsets: DocSets
) -> list[str]:
    prepared = PreparedSearch(request, searcher, cache, docsets)
    ids = cache.values(searcher, "id")
    return [ids[docnum] for docnum, _score in prepared.ordered(None)]
