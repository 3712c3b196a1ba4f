"""The posting format of title and body: `ArrayPositions`, each text indexed once, with its
positions as an array numpy reads (see `JiwenCodec`, codec.py).

An index whose title and body are in other formats is of an older jiwen: it is refused when
opened (store.py).
"""

from __future__ import annotations

from array import array

from whoosh import formats

from jiwen.index.analyzer import term_positions
from jiwen.index.codec import BIG_ENDIAN, _little


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
