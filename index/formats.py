"""Posting formats. `ArrayPositions` is the current one (title and body, each indexed once).

`SharedPositions` and `SharedFrequency` are kept for indexes written before it (still pickled in
their schemas), which indexed each text twice: once with positions (phrases) and once without
(scoring; see LEGACY_SCORING_FIELDS in schema.py).

Whoosh analyses each field on its own: the body went through the analyzer, and through a Python
loop over its tokens, once for `body` and again for `body_bag`. These formats give the same
postings as Whoosh's `Positions` and `Frequency` (weight = frequency x field boost, as the
analyzer's tokens all have boost 1.0), but analyse a text once: Whoosh adds a document's fields
in name order, so `body_bag` follows `body` and `title_bag` follows `title`, and the second finds
the first's positions in a one-entry cache keyed by the string object itself.
"""

from __future__ import annotations

from array import array
from collections import defaultdict

from whoosh import formats
from whoosh.system import pack_uint

from jiwen.index.analyzer import term_positions
from jiwen.index.codec import BIG_ENDIAN, _little

_last_text: str | None = None
_last_positions: dict[str, list[int]] = {}


def _positions(value: str, analyzer, kwargs: dict) -> dict[str, list[int]]:
    global _last_text, _last_positions
    if value is _last_text:
        return _last_positions
    positions: dict[str, list[int]] = defaultdict(list)
    kwargs = {**kwargs, "positions": True, "boosts": True}
    for token in formats.tokens(value, analyzer, kwargs):
        positions[token.text].append(token.pos)
    _last_text, _last_positions = value, positions
    return positions


class SharedPositions(formats.Positions):
    def word_values(self, value, analyzer, **kwargs):
        boost = self.field_boost
        for word, positions in _positions(value, analyzer, kwargs).items():
            yield word, len(positions), len(positions) * boost, self.encode(positions)


class SharedFrequency(formats.Frequency):
    def word_values(self, value, analyzer, **kwargs):
        boost = self.field_boost
        for word, positions in _positions(value, analyzer, kwargs).items():
            frequency = len(positions)
            yield word, frequency, frequency * boost, pack_uint(frequency)


class ArrayPositions(formats.Positions):
    """Positions as an array of little-endian uint32 (absolute, ascending): what `JiwenCodec`'s
    reader decodes for a whole term in one `numpy.frombuffer`, where Whoosh's `Positions`
    pickles each posting's deltas. Weight and frequency are as Whoosh's (frequency x field
    boost); terms come from `term_positions`, the analyzer's index-time cut without `Token`s."""

    def word_values(self, value, analyzer, **kwargs):
        boost = self.field_boost
        for word, positions in term_positions(value).items():
            yield word, len(positions), len(positions) * boost, self.encode(positions)

    def postings(self, value: str) -> list[tuple[bytes, int, float, bytes]]:
        """`word_values` as a field's `index()` gives them (terms as UTF-8), in one list."""
        boost, encode = self.field_boost, self.encode
        return [
            (word.encode("utf-8"), len(positions), len(positions) * boost, encode(positions))
            for word, positions in term_positions(value).items()
        ]

    def encode(self, poslist):
        return _little(array("I", poslist))

    def decode_positions(self, valuestring):
        positions = array("I")
        positions.frombytes(valuestring)
        if BIG_ENDIAN:  # pragma: no cover
            positions.byteswap()
        return positions.tolist()

    def decode_frequency(self, valuestring):
        return len(valuestring) // 4

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost
