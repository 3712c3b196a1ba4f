"""Posting formats for a text indexed twice: once with positions (phrases) and once without
(scoring; see SCORING_FIELDS in schema.py).

Whoosh analyses each field on its own: the body went through the analyzer, and through a Python
loop over its tokens, once for `body` and again for `body_bag`. These formats give the same
postings as Whoosh's `Positions` and `Frequency` (weight = frequency x field boost, as the
analyzer's tokens all have boost 1.0), but analyse a text once: Whoosh adds a document's fields
in name order, so `body_bag` follows `body` and `title_bag` follows `title`, and the second finds
the first's positions in a one-entry cache keyed by the string object itself.
"""

from __future__ import annotations

from collections import defaultdict

from whoosh import formats
from whoosh.system import pack_uint

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
