"""Per-document values read from Whoosh columns, decoded once per segment and kept.

Facet counts, date order and id tie-breaks look at every matching document; asking Whoosh's
column readers doc by doc (or grouping with `groupedby`, which does the same through categorizers)
costs a few microseconds a document per search, too much at 100,000 matches. Segments never change once written
(deletions are kept aside), so a segment's decoded values stay valid until it is merged away.
"""

from __future__ import annotations

from whoosh.searching import Searcher

MULTI_VALUED = frozenset({"place", "province", "program"})


class ColumnCache:
    def __init__(self) -> None:
        self._segments: dict[tuple[str, str], list] = {}
        self._joined: dict[tuple[tuple[str, ...], str], list] = {}

    def per_segment(self, reader, name: str, compute):
        """`compute(reader)`, kept for as long as the segment lives."""
        key = (reader.segment().segment_id(), name)
        value = self._segments.get(key)
        if value is None:
            value = self._segments[key] = compute(reader)
        return value

    def _segment_values(self, reader, fieldname: str) -> list:
        key = (reader.segment().segment_id(), fieldname)
        values = self._segments.get(key)
        if values is None:
            count = reader.doc_count_all()
            if not reader.has_column(fieldname):
                empty = () if fieldname in MULTI_VALUED else (0 if fieldname == "date" else None)
                values = [empty] * count
            else:
                column = reader.column_reader(fieldname, translate=False)
                raw = list(column)
                if fieldname == "date":
                    values = raw
                elif fieldname in MULTI_VALUED:
                    decoded: dict[bytes, str] = {}
                    values = [
                        tuple(decoded.get(item) or decoded.setdefault(item, item.decode("utf-8")) for item in items)
                        for items in raw
                    ]
                else:
                    values = [item.decode("utf-8") if item else None for item in raw]
            self._segments[key] = values
        return values

    def values(self, searcher: Searcher, fieldname: str) -> list:
        """The field's value for every global document number of this searcher."""
        # An empty index has one reader without a segment: nothing to read.
        leaves = [(reader, offset) for reader, offset in searcher.reader().leaf_readers() if reader.segment()]
        segment_ids = tuple(reader.segment().segment_id() for reader, _ in leaves)
        key = (segment_ids, fieldname)
        joined = self._joined.get(key)
        if joined is None:
            joined = []
            for reader, _offset in leaves:
                joined.extend(self._segment_values(reader, fieldname))
            self._joined = {k: v for k, v in self._joined.items() if k[0] == segment_ids}
            self._joined[key] = joined
            live = set(segment_ids)
            self._segments = {k: v for k, v in self._segments.items() if k[0] in live}
        return joined
