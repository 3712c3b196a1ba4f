"""Scoring a parsed Whoosh query over every document at once: BM25F, as Whoosh computes it
(`whoosh.scoring.BM25F`, B=0.75, K1=1.2, idf = log(N / (df + 1)) + 1), on numpy arrays.

Whoosh scores one matching document at a time in Python; a query matching most of 100,000 articles
takes it one to two seconds. Here each term's postings are read once (one read, as arrays),
then combined with vector operations: the same ranking, in milliseconds. Query parsing, the
postings themselves, phrases, ranges and wildcards (their matching documents) stay Whoosh's.

A node evaluates to (mask, scores): which documents match, and their scores (0 elsewhere).
"""

from __future__ import annotations

from collections import OrderedDict
from math import log

import numpy
from whoosh import query

from jiwen.index.arrays import SearchArrays
from jiwen.index.codec import read_term
from jiwen.index.formats import ArrayPositions
from jiwen.index.schema import SEARCHED_FIELDS

B = 0.75
K1 = 1.2
# A cached term costs 8 bytes a posting: 64 common terms over 100,000 articles stay under 60 MB.
POSTINGS_CACHE_SIZE = 64
LEAF_CACHE_SIZE = 64


def read_postings(reader, fieldname: str, text: str) -> tuple[numpy.ndarray, numpy.ndarray]:
    """All (document, weight) postings of a term in one segment, with one read and a few vector
    operations (`read_term`)."""
    postings = read_term(reader, fieldname, text)
    return postings.ids, postings.weights


def _position_keys(found, offset: int) -> numpy.ndarray:
    """(document << 32 | position - offset) for every position of a word, ascending: documents
    come ascending and each one's positions ascending, so the keys need no sort."""
    counts = found.value_lengths // 4
    positions = numpy.frombuffer(found.values, dtype="<u4").astype(numpy.int64) - offset
    keys = (numpy.repeat(found.ids, counts) << 32) | (positions & 0xFFFFFFFF)
    return keys[positions >= 0]


def phrase_documents(reader, fieldname: str, words: list[str]) -> numpy.ndarray:
    """The documents of one segment where `words` stand at consecutive positions (a phrase with
    Whoosh's default slop of 1). Whoosh checks a phrase through its span matchers, one document
    and one posting at a time: 21 s for a three-word phrase in 93,000 of 100,000 articles here.

    Every word's positions come as one sorted array of (document, position) keys, so the phrase's
    starts are the rarest word's keys (shifted back by its place in the phrase) found, by binary
    search, in every other word's keys (shifted likewise)."""
    postings = [read_term(reader, fieldname, word, values=True) for word in words]
    if any(not len(found.ids) for found in postings):
        return numpy.zeros(0, dtype=numpy.int64)
    if len(words) == 1:
        return postings[0].ids
    order = sorted(range(len(words)), key=lambda number: len(postings[number].values))
    starts = _position_keys(postings[order[0]], order[0])
    for number in order[1:]:
        keys = _position_keys(postings[number], number)
        if not len(keys) or not len(starts):
            return numpy.zeros(0, dtype=numpy.int64)
        found = numpy.minimum(numpy.searchsorted(keys, starts), len(keys) - 1)
        starts = starts[keys[found] == starts]
    documents = starts >> 32
    # Ascending, so repeats (a phrase twice in a document) are neighbours.
    return documents[numpy.concatenate(([True], documents[1:] != documents[:-1]))] if len(documents) else documents


def _plain_phrase(arrays: SearchArrays, node: query.Query) -> bool:
    """A phrase of words at consecutive positions in a field stored with `ArrayPositions`: what
    `phrase_documents` answers (other slops go to Whoosh)."""
    if not isinstance(node, query.Phrase) or node.slop != 1 or not node.words:
        return False
    schema = arrays.searcher.schema
    field = schema[node.fieldname] if node.fieldname in schema else None  # noqa: SIM401 - a Whoosh Schema has no get()
    return field is not None and isinstance(field.format, ArrayPositions)


class Scorer:
    """Caches, per searcher generation, each term's postings and each non-term leaf's matches."""

    def __init__(self) -> None:
        self._key = None
        self._postings: OrderedDict = OrderedDict()
        self._leaves: OrderedDict = OrderedDict()

    def reset_for(self, arrays: SearchArrays) -> None:
        key = id(arrays)
        if key != self._key:
            self._key = key
            self._postings.clear()
            self._leaves.clear()

    @staticmethod
    def _remember(cache: OrderedDict, key, value, limit: int):
        cache[key] = value
        if len(cache) > limit:
            cache.popitem(last=False)
        return value

    def term(self, arrays: SearchArrays, fieldname: str, text: str) -> tuple[numpy.ndarray, numpy.ndarray]:
        key = (fieldname, text)
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        documents, weights = [], []
        for reader, offset in arrays.leaves:
            ids, term_weights = read_postings(reader, fieldname, text)
            documents.append(ids + offset)
            weights.append(term_weights)
        documents = numpy.concatenate(documents).astype(numpy.int32) if documents else numpy.zeros(0, dtype=numpy.int32)
        weights = numpy.concatenate(weights) if weights else numpy.zeros(0, dtype=numpy.float32)
        return self._remember(self._postings, key, (documents, weights), POSTINGS_CACHE_SIZE)

    def leaf_mask(self, arrays: SearchArrays, node: query.Query) -> numpy.ndarray:
        key = repr(node)
        found = self._leaves.get(key)
        if found is None:
            if _plain_phrase(arrays, node):
                found = numpy.zeros(arrays.size, dtype=bool)
                for reader, offset in arrays.leaves:
                    found[phrase_documents(reader, node.fieldname, list(node.words)) + offset] = True
            else:
                found = arrays.docnum_mask(list(arrays.searcher.docs_for_query(node)))
            self._remember(self._leaves, key, found, LEAF_CACHE_SIZE)
        return found

    def evaluate(self, arrays: SearchArrays, node: query.Query) -> tuple[numpy.ndarray, numpy.ndarray]:
        self.reset_for(arrays)
        mask, scores = self._evaluate(arrays, node)
        mask = mask & arrays.live
        return mask, numpy.where(mask, scores, 0.0)

    def _term_scores(self, arrays: SearchArrays, fieldname: str, text: str, boost: float):
        scored = fieldname in SEARCHED_FIELDS
        documents, weights = self.term(arrays, fieldname, text)
        mask = numpy.zeros(arrays.size, dtype=bool)
        scores = numpy.zeros(arrays.size, dtype=numpy.float64)
        if not len(documents):
            return mask, scores
        mask[documents] = True
        if scored:
            searcher = arrays.searcher
            idf = log(searcher.doc_count_all() / (searcher.doc_frequency(fieldname, text) + 1)) + 1
            lengths = arrays.lengths_of(fieldname, documents)
            average = arrays.average_length[fieldname]
            tf = weights.astype(numpy.float64)
            scores[documents] = boost * idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / average))
        else:
            scores[documents] = boost
        return mask, scores

    @staticmethod
    def _date_range(arrays: SearchArrays, node: query.NumericRange) -> numpy.ndarray:
        """From the date column rather than the range's terms: one comparison over an array
        instead of walking the postings of every date in the range."""
        dates = arrays.dates
        mask = numpy.ones(arrays.size, dtype=bool)
        if node.start is not None:
            mask &= dates > node.start if node.startexcl else dates >= node.start
        if node.end is not None:
            mask &= dates < node.end if node.endexcl else dates <= node.end
        return mask

    def _evaluate(self, arrays: SearchArrays, node: query.Query):
        boost = getattr(node, "boost", 1.0)
        if isinstance(node, query.Term):
            return self._term_scores(arrays, node.fieldname, node.text, boost)
        if isinstance(node, (query.And, query.Or)) and not isinstance(node, query.DisjunctionMax):
            children = [self._evaluate(arrays, child) for child in node.subqueries]
            if not children:
                return numpy.zeros(arrays.size, dtype=bool), numpy.zeros(arrays.size)
            mask = children[0][0].copy()
            scores = children[0][1].copy()
            for child_mask, child_scores in children[1:]:
                if isinstance(node, query.And):
                    mask &= child_mask
                else:
                    mask |= child_mask
                scores += child_scores
            return mask, numpy.where(mask, scores * boost, 0.0)
        if isinstance(node, query.AndNot):
            positive_mask, positive_scores = self._evaluate(arrays, node.a)
            negative_mask, _ = self._evaluate(arrays, node.b)
            mask = positive_mask & ~negative_mask
            return mask, numpy.where(mask, positive_scores, 0.0)
        if isinstance(node, query.AndMaybe):
            required_mask, required_scores = self._evaluate(arrays, node.a)
            _, optional_scores = self._evaluate(arrays, node.b)
            return required_mask, numpy.where(required_mask, required_scores + optional_scores, 0.0)
        if isinstance(node, query.Not):
            child_mask, _ = self._evaluate(arrays, node.query)
            return ~child_mask, numpy.zeros(arrays.size)
        if isinstance(node, query.Every):
            return arrays.live.copy(), numpy.zeros(arrays.size)
        if isinstance(node, query.qcore._NullQuery):
            return numpy.zeros(arrays.size, dtype=bool), numpy.zeros(arrays.size)
        if isinstance(node, query.NumericRange) and node.fieldname == "date":
            return self._date_range(arrays, node), numpy.zeros(arrays.size)
        if isinstance(node, query.PatternQuery) and node.fieldname not in SEARCHED_FIELDS:
            # Prefixes and wildcards over names (place:贵州*): the union of the names' postings.
            mask = numpy.zeros(arrays.size, dtype=bool)
            for _, text in node.expanded_terms(arrays.searcher.reader()):
                text = text.decode("utf-8") if isinstance(text, bytes) else text
                mask |= self._term_scores(arrays, node.fieldname, text, 0.0)[0]
            return mask, numpy.zeros(arrays.size)
        mask = self.leaf_mask(arrays, node)
        if isinstance(node, query.Phrase):
            # A phrase scores as the sum of its words, where the phrase occurs.
            scores = numpy.zeros(arrays.size)
            for word in node.words:
                scores += self._term_scores(arrays, node.fieldname, word, boost)[1]
            return mask, numpy.where(mask, scores, 0.0)
        # Ranges, prefixes, wildcards, filters: they match, they do not rank.
        return mask, numpy.zeros(arrays.size)
