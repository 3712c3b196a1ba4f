"""The index's postings codec: Whoosh 3's codec and files, with posting blocks that numpy reads.

Whoosh 3 writes a term's postings in blocks of 128, each one pickled tuple of (id deltas, weights,
encoded values), zlib-compressed. Reading a common word's documents for scoring decompressed and
unpickled every posting's positions with them, then decoded ids one Python integer at a time; that
was most of a search's time at 100,000 articles, and why the text had been indexed a second time
without positions. The writer side paid per posting too (pickling, assertions, a field-length
lookup through a column reader).

`JiwenCodec` keeps everything of Whoosh 3 (term index, per-document files, block headers, term
statistics, `W3LeafMatcher`'s skipping) and changes only a block's data part, written by hand
because no library writes Whoosh blocks:

    [ zlib(id gaps <u4 x n, then weights <f4 x n) ][ zlib(values, then their byte lengths <u4 x n) ]
    [ trailer: len(first part) <u4, len(second part) <u4, n <u4 ]

The first id of a block is its own gap from 0, so a block decodes alone (Whoosh's matchers skip
blocks). `read_term` reads a term's whole extent with one read, parses the blocks from their
trailers and decodes ids and weights of all blocks in a few vector operations, touching the values
(positions) only when asked. Segments pickle this codec (`jiwen.index.codec.JiwenCodec`), so an
index written with it is read with it; an index with segments of Whoosh's own codec (written
before this one) is refused when opened (store.py).
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from itertools import groupby
from operator import itemgetter, sub
from pickle import dumps

import numpy
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3LeafMatcher, W3PostingsWriter
from whoosh.reading import TermNotFound
from whoosh.util.numeric import length_to_byte

_FIELD_AND_TERM = itemgetter(0, 1)
TRAILER = struct.Struct("<III")
BLOCK_HEADER = struct.Struct("!i")  # Whoosh's block length (negative for a term's last block)
# Postings per block: Whoosh's 128 costs a header, a decompression and a pickle per 128; a block
# this size still decodes alone when Whoosh's own matchers skip through a term.
BLOCK_LIMIT = 512
COMPRESSION = 3
BIG_ENDIAN = sys.byteorder == "big"


def _little(values: array) -> bytes:
    if BIG_ENDIAN:  # pragma: no cover - no big-endian machine here
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


class _LengthTable:
    """A segment's field lengths, read once per field into a list. Whoosh's field writer asks
    for the length of a posting's document at every posting it writes (hundreds per document and
    field), each a read through the per-document column reader: 15% of a bulk build's time."""

    def __init__(self, lengths) -> None:
        self._lengths = lengths
        self._fields: dict[str, list[int]] = {}

    def column(self, fieldname: str) -> list[int]:
        table = self._fields.get(fieldname)
        if table is None:
            lengths = self._lengths
            table = self._fields[fieldname] = [lengths.doc_field_length(number, fieldname, 0) for number in range(lengths.doc_count_all())]
        return table

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        return self.column(fieldname)[docnum]


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        """Whoosh's FieldWriter.add_postings (sorted (field, term, docnum, weight, value)
        postings to start_field/start_term/add/finish_term calls), a term at a time: a term's
        postings go to the postings writer as whole blocks instead of one call each (a third
        of a bulk build's writing time). Spelling postings (docnum -1) do not occur: no field
        of the schema has a separate spelling field; Whoosh's own loop serves if one does."""
        table = _LengthTable(lengths) if lengths else None
        if any(field.separate_spelling() for _name, field in schema.items()):
            return super().add_postings(schema, table, items)
        current_field = None
        for (fieldname, btext), group in groupby(items, key=_FIELD_AND_TERM):
            if fieldname != current_field:
                if current_field is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                current_field = fieldname
            _fields, _terms, docnums, weights, values = zip(*group)
            if table is not None:
                column = table.column(fieldname)
                lengths_of = [column[docnums[0]]] if len(docnums) == 1 else itemgetter(*docnums)(column)
            else:
                lengths_of = [0] * len(docnums)
            self.start_term(btext)
            self._postwriter.add_term_postings(docnums, weights, values, lengths_of)
            self.finish_term()
        if current_field is not None:
            self.finish_field()


class BlockPostingsWriter(W3PostingsWriter):
    def add_posting(self, id_, weight, vbytes, length=None):
        # Whoosh's add_posting without its four per-posting type assertions (the field writer
        # hands it docnums, floats and bytes only), keeping every value, empty ones too, so a
        # block's values line up with its ids.
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def add_term_postings(self, docnums, weights, values, lengths) -> None:
        """All of a term's postings (ascending docnums) at once, as `add_posting` one by one
        would buffer and write them."""
        limit = self._blocklimit
        total = len(docnums)
        for start in range(0, total, limit):
            if len(self._ids):
                self._write_block()
            end = start + limit
            self._ids = array("I", docnums[start:end])
            self._weights = array("f", weights[start:end])
            self._maxweight = max(weights[start:end])
            self._values = [value or b"" for value in values[start:end]]
            counted = [length for length in lengths[start:end] if length]
            if counted:
                self._minlength = min(counted)
                self._maxlength = max(counted)

    def _write_block(self, last=False):
        if self._byteids:  # term vectors: Whoosh's own layout (the schema stores none)
            return super()._write_block(last)
        postfile = self._postfile
        if not self._blockcount:
            postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        gaps = array("I", ids[:1])
        gaps.extend(map(sub, ids[1:], ids[:-1]))  # C-level: most blocks are a few postings
        first = zlib.compress(_little(gaps) + _little(self._weights), self._compression)
        values = self._values
        if any(values):
            second = zlib.compress(b"".join(values) + _little(array("I", map(len, values))), self._compression)
        else:
            second = b""
        info = dumps(
            (len(ids), ids[-1], self._maxweight, self._compression,
             length_to_byte(self._minlength), length_to_byte(self._maxlength)),
            2,
        )  # fmt: skip
        trailer = TRAILER.pack(len(first), len(second), len(ids))
        length = len(info) + len(first) + len(second) + len(trailer)
        postfile.write_int(-length if last else length)
        postfile.write(info)
        postfile.write(first)
        postfile.write(second)
        postfile.write(trailer)
        self._blockcount += 1
        self._new_block()


def _decode_block(data: bytes) -> tuple[bytes, bytes, int]:
    """(gaps and weights, compressed values, count) of one block's data part."""
    first_length, second_length, count = TRAILER.unpack_from(data, len(data) - TRAILER.size)
    return zlib.decompress(data[:first_length]), data[first_length : first_length + second_length], count


def _split_values(second: bytes, count: int) -> tuple[bytes, numpy.ndarray]:
    """The joined values of a block and each one's byte length."""
    if not second:
        return b"", numpy.zeros(count, dtype=numpy.int64)
    plain = zlib.decompress(second)
    lengths = numpy.frombuffer(plain, dtype="<u4", offset=len(plain) - 4 * count).astype(numpy.int64)
    return plain[: len(plain) - 4 * count], lengths


class BlockLeafMatcher(W3LeafMatcher):
    """Whoosh's block matcher (skipping, block statistics) over this codec's block data."""

    def _read_data(self):
        self._data = _decode_block(self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset))

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        first, _second, count = self._data
        gaps = numpy.frombuffer(first, dtype="<u4", count=count)
        ids = array("I")
        ids.frombytes(numpy.cumsum(gaps, dtype=numpy.uint32).astype("=u4").tobytes())
        self._ids = ids

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        first, _second, count = self._data
        weights = array("f")
        weights.frombytes(numpy.frombuffer(first, dtype="<f4", count=count, offset=4 * count).astype("=f4").tobytes())
        self._weights = weights

    def _read_values(self):
        if self._data is None:
            self._read_data()
        _first, second, count = self._data
        if self._fixedsize == 0:  # a format without values (Existence): None each, as Whoosh's
            self._values = (None,) * count
            return
        joined, lengths = _split_values(second, count)
        ends = numpy.cumsum(lengths).tolist()
        starts = [0] + ends[:-1]
        self._values = tuple(joined[start:end] for start, end in zip(starts, ends))


class JiwenCodec(W3Codec):
    """Whoosh 3's codec with the block layout above, a field writer that looks field lengths up
    in memory and a postings writer without per-posting assertions."""

    def __init__(self, blocklimit=None, compression=COMPRESSION, inlinelimit=1):
        super().__init__(blocklimit=blocklimit or BLOCK_LIMIT, compression=compression, inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return BlockPostingsWriter(
            dbfile, blocklimit=self._blocklimit, byteids=byteids,
            compression=self._compression, inlinelimit=self._inlinelimit,
        )  # fmt: skip

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return BlockLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class TermPostings:
    """A term's postings in one segment: ascending local document numbers, their weights, and
    (when read with values) the joined values and each document's value length in bytes."""

    __slots__ = ("ids", "weights", "values", "value_lengths")

    def __init__(self, ids, weights, values: bytes = b"", value_lengths=None) -> None:
        self.ids = ids
        self.weights = weights
        self.values = values
        self.value_lengths = value_lengths


EMPTY = TermPostings(numpy.zeros(0, dtype=numpy.int64), numpy.zeros(0, dtype=numpy.float32), b"", numpy.zeros(0, dtype=numpy.int64))


def read_term(reader, fieldname: str, text: str | bytes, *, values: bool = False) -> TermPostings:
    """A term's postings in one segment written with `JiwenCodec`, with one read of its extent
    (`text` as a query gives it, or the term's bytes as the lexicon lists them).

    Deletions are not applied (callers mask deleted documents themselves)."""
    if fieldname not in reader.schema:
        return EMPTY
    term = text if isinstance(text, bytes) else reader.schema[fieldname].to_bytes(text)
    try:
        terminfo = reader._terms.term_info(fieldname, term)
    except TermNotFound:
        return EMPTY
    return postings_of(reader, terminfo, values=values)


def field_terms(reader, fieldname: str):
    """(term bytes, term info) of every term of a field in one segment written with
    `JiwenCodec`, in the lexicon's order: one pass over the term index, no lookup per term."""
    for (name, term), terminfo in reader._terms.items_from(fieldname, b""):
        if name != fieldname:
            return
        yield term, terminfo


def postings_of(reader, terminfo, *, values: bool = False) -> TermPostings:
    """A term's postings in one segment, from its term info (see `read_term`)."""
    if terminfo.is_inlined():
        ids, weights, inlined = terminfo.inlined_postings()
        return TermPostings(
            numpy.array(ids, dtype=numpy.int64), numpy.array(weights, dtype=numpy.float32),
            b"".join(inlined), numpy.array([len(value) for value in inlined], dtype=numpy.int64),
        )  # fmt: skip
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as struct's 1-tuple
        (length,) = length
    data = reader._terms._postfile.get(offset, length)
    view = memoryview(data)
    first_parts, counts, value_parts = [], [], []
    position = len(WHOOSH3_HEADER_MAGIC)
    while position < len(data):
        (block_length,) = BLOCK_HEADER.unpack_from(data, position)
        end = position + BLOCK_HEADER.size + abs(block_length)
        first_length, second_length, count = TRAILER.unpack_from(data, end - TRAILER.size)
        start = end - TRAILER.size - second_length - first_length
        first_parts.append(zlib.decompress(view[start : start + first_length]))
        if values:
            value_parts.append((view[start + first_length : start + first_length + second_length], count))
        counts.append(count)
        position = end
    words = numpy.frombuffer(b"".join(first_parts), dtype="<u4")
    if len(counts) == 1:
        gaps, weights = words[: counts[0]], words[counts[0] :]
    else:
        # Each block is its gaps, then its weights: a mask over the concatenation tells them apart.
        is_gap = numpy.repeat(numpy.tile(numpy.array([True, False]), len(counts)), numpy.repeat(counts, 2))
        gaps, weights = words[is_gap], words[~is_gap]
    ids = numpy.cumsum(gaps, dtype=numpy.int64)
    weights = weights.view("<f4").astype(numpy.float32)
    if len(counts) > 1:
        # Each block's first gap is its first id: take off the sum of the blocks before it.
        block_ends = numpy.cumsum(counts)
        before = numpy.concatenate(([0], ids[block_ends[:-1] - 1]))
        ids -= numpy.repeat(before, counts)
    if not values:
        return TermPostings(ids, weights)
    joined, lengths = [], []
    for second, count in value_parts:
        plain, value_lengths = _split_values(bytes(second), count)
        joined.append(plain)
        lengths.append(value_lengths)
    return TermPostings(ids, weights, b"".join(joined), numpy.concatenate(lengths))
