"""Running a `SearchRequest`: the matching set (text query AND filters, minus off-topic articles),
its order, the page's hits with snippets, and facet counts over the whole set.

Order is stable: relevance ties and date ties are broken by article id, so pages never overlap and
an index rebuilt from the same articles (whose internal document numbers differ) gives the same
pages. Scores are rounded to a few decimals first, so float noise never decides an order.
"""

from __future__ import annotations

import itertools

import numpy
from whoosh import query

from jiwen.core.errors import QuerySyntaxError
from jiwen.core.models import SearchHit, SearchRequest, SearchResponse
from jiwen.index.arrays import SearchArrays
from jiwen.index.documents import decompress_body
from jiwen.index.query import filter_queries, offtopic_mask, parse_text
from jiwen.index.schema import FACETS, SEARCHED_FIELDS
from jiwen.index.scoring import Scorer
from jiwen.index.snippets import make_snippet, split_marks

SCORE_DECIMALS = 6
FACET_VALUES_LIMIT = 50
EXPANDED_TERMS_LIMIT = 50
LOCAL_SITE = "local"
# The value a single-valued facet counts the documents without one as.
VALUELESS = {"site": LOCAL_SITE, "month": "undated"}


class PreparedSearch:
    def __init__(self, request: SearchRequest, arrays: SearchArrays, scorer: Scorer) -> None:
        for name in request.facets:
            if name not in FACETS:
                raise QuerySyntaxError(f"unknown facet {name!r}; use one of {', '.join(FACETS)}")
        self.request = request
        self.arrays = arrays
        searcher = arrays.searcher
        self.text_query = parse_text(request.query, searcher.schema)
        if self.text_query is None:
            mask, self.scores = arrays.live.copy(), numpy.zeros(arrays.size)
        else:
            mask, self.scores = scorer.evaluate(arrays, self.text_query)
        for filter_query in filter_queries(request, searcher):
            mask &= scorer.evaluate(arrays, filter_query)[0]
        if request.site and request.site.strip() == LOCAL_SITE:
            # `local`: the articles of ingested files, which have no site (and a site that is
            # really named so, if any): not one term of the index, so taken from the columns.
            mask &= arrays.without_value("site") | scorer.evaluate(arrays, query.Term("site", LOCAL_SITE))[0]
        offtopic = offtopic_mask(request)
        if offtopic is not None:
            mask &= ~scorer.evaluate(arrays, offtopic)[0]
        self.mask = mask
        self.total = int(mask.sum())

    def ordered(self, needed: int | None = None) -> numpy.ndarray:
        """Matching document numbers, best first; with `needed`, only the first `needed` of them
        (found by partitioning, so a page of a large result set does not sort all of it)."""
        candidates = numpy.flatnonzero(self.mask)
        if self.request.sort == "date" or self.text_query is None:
            primary = -self.arrays.dates_of(candidates)
        else:
            primary = -numpy.round(self.scores[candidates], SCORE_DECIMALS)
        if needed is not None and 0 < needed < len(candidates):
            # Every candidate that ties with the needed-th stays in, so ids still break the ties.
            threshold = numpy.partition(primary, needed - 1)[needed - 1]
            kept = primary <= threshold
            candidates, primary = candidates[kept], primary[kept]
        ties = self.arrays.ids_of(candidates)
        ordered = candidates[numpy.lexsort((ties, primary))]
        return ordered if needed is None else ordered[:needed]

    def facets(self) -> dict[str, dict[str, int]]:
        result = {}
        for name in self.request.facets:
            counts = self.arrays.facet_counts(name, self.mask)
            if name in VALUELESS:  # ingested files have no site, undated articles no month
                missing = int((self.mask & self.arrays.without_value(name)).sum())
                if missing:
                    counts[VALUELESS[name]] = counts.get(VALUELESS[name], 0) + missing
            ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_VALUES_LIMIT]
            result[name] = dict(ranked)
        return result

    def highlight_terms(self) -> frozenset[str]:
        """The query's words in title and body, wildcards and prefixes expanded from the index."""
        if self.text_query is None:
            return frozenset()
        reader = self.arrays.searcher.reader()
        terms = set()
        for leaf in self.text_query.leaves():
            if getattr(leaf, "fieldname", None) not in SEARCHED_FIELDS:
                continue
            if isinstance(leaf, query.Term):
                terms.add(leaf.text)
            elif isinstance(leaf, query.Phrase):
                terms.update(leaf.words)
            elif isinstance(leaf, query.PatternQuery):
                for _, text in itertools.islice(leaf.expanded_terms(reader), EXPANDED_TERMS_LIMIT):
                    terms.add(text.decode("utf-8") if isinstance(text, bytes) else text)
        return frozenset(term for term in terms if isinstance(term, str) and term)


def run_search(request: SearchRequest, arrays: SearchArrays, scorer: Scorer, marks: tuple[str, str]) -> SearchResponse:
    prepared = PreparedSearch(request, arrays, scorer)
    limit = max(1, request.limit)
    start = (max(1, request.page) - 1) * limit
    page = prepared.ordered(start + limit)[start : start + limit]
    terms = prepared.highlight_terms()
    searcher = arrays.searcher
    hits = []
    for docnum in page.tolist():
        stored = searcher.stored_fields(docnum)
        body = decompress_body(stored.get("body_zlib"))
        snippet = make_snippet(body, terms, marks)
        text, highlights = split_marks(snippet, marks)
        hits.append(
            SearchHit(
                id=stored["id"],
                url=stored.get("url"),
                title=stored.get("title") or None,
                published=stored.get("published"),
                score=float(round(prepared.scores[docnum], SCORE_DECIMALS)),
                snippet=snippet,
                site=stored.get("site"),
                text=text,
                highlights=highlights,
            )
        )
    return SearchResponse(total=prepared.total, hits=hits, facets=prepared.facets())


def run_matching_ids(request: SearchRequest, arrays: SearchArrays, scorer: Scorer) -> list[str]:
    prepared = PreparedSearch(request, arrays, scorer)
    return [value.decode("utf-8") for value in arrays.ids_of(prepared.ordered()).tolist()]


__all__ = ["run_matching_ids", "run_search"]
