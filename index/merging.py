"""Merging an index's segments into one, a term at a time: all of them (`jiwen reindex`), or the
smallest once an incremental commit leaves too many (`merge_small`).

A rebuild writes one segment per worker per round (50 at 100,000 articles, 500 at a million), and
a search looks every query term up in every segment: per-query cost grew faster than the archive.
Whoosh merges segments (`commit(optimize=True)`) by feeding every posting of every segment
through its posting pool one Python tuple at a time, spilling sorted runs to disk past the pool's
memory and merging them back in Python: as slow as indexing everything again.

Segments written with `JiwenCodec` are merged here instead: the documents' stored fields, lengths
and columns through Whoosh's own per-document copy (`write_per_doc`, which drops deleted
documents), and the postings term by term: the term indexes of all segments read in one pass each and merged in order,
each term's postings read whole from every segment that has it (`postings_of`, numpy), renumbered
(segment base plus the rank among the segment's live documents), concatenated and handed to the
postings writer as whole blocks. Memory stays at one term's postings; nothing spills.
"""

from __future__ import annotations

import heapq
from itertools import groupby
from operator import itemgetter

import numpy

from jiwen.index.codec import _LengthTable, field_terms, postings_of


def _renumbering(reader, base: int) -> tuple[numpy.ndarray, numpy.ndarray, bool]:
    """(live mask, new document numbers, whether all are live) of a segment's documents: a live
    document's new number is `base` plus its rank among the segment's live documents (the order
    `write_per_doc` copies them in)."""
    count = reader.doc_count_all()
    live = numpy.ones(count, dtype=bool)
    if reader.has_deletions():
        for docnum in reader.segment().deleted_docs():
            live[docnum] = False
    new = base + numpy.cumsum(live, dtype=numpy.int64) - 1
    return live, new, bool(live.all())


def _exact_totals(leaves: list) -> dict[str, int]:
    from collections import defaultdict

    totals: dict[str, int] = defaultdict(int)
    for leaf in leaves:
        for fieldname, total in leaf.segment()._fieldlengths.items():
            totals[fieldname] += total
        if leaf.has_deletions():
            for docnum in leaf.segment().deleted_docs():
                for fieldname in leaf.segment()._fieldlengths:
                    totals[fieldname] -= leaf.doc_field_length(docnum, fieldname, 0)
    return totals


_FIRST = itemgetter(0)


def _terms(reader, fieldname: str, position: int):
    for btext, terminfo in field_terms(reader, fieldname):
        yield btext, position, terminfo


def _merge_postings(writer, leaves: list, renumbered: list, lengths) -> None:
    """Every term of every leaf, in (field, term) order, into `writer`'s field writer."""
    schema = writer.schema
    fieldwriter = writer.fieldwriter
    table = _LengthTable(lengths)
    fieldnames = sorted({name for leaf in leaves for name in leaf.indexed_field_names() if name in schema})
    for fieldname in fieldnames:
        field = schema[fieldname]
        column = None
        started = False
        streams = [_terms(leaf, fieldname, position) for position, leaf in enumerate(leaves) if fieldname in leaf.indexed_field_names()]
        for btext, group in groupby(heapq.merge(*streams), key=_FIRST):
            docnums: list[int] = []
            weights: list[float] = []
            values: list[bytes] = []
            for _btext, position, terminfo in group:
                live, new, whole = renumbered[position]
                if terminfo.is_inlined():
                    # Most terms of a segment have one posting, kept in the term index itself:
                    # read in Python, the arrays would cost more than the posting.
                    for docnum, weight, value in zip(*terminfo.inlined_postings()):
                        if whole or live[docnum]:
                            docnums.append(int(new[docnum]))
                            weights.append(weight)
                            values.append(value or b"")
                    continue
                postings = postings_of(leaves[position], terminfo, values=True)
                ends = numpy.cumsum(postings.value_lengths).tolist()
                starts = [0, *ends[:-1]]
                joined = postings.values
                if whole:
                    docnums.extend(new[postings.ids].tolist())
                    weights.extend(postings.weights.tolist())
                    values.extend([joined[begin:end] for begin, end in zip(starts, ends)])
                    continue
                keep = live[postings.ids]
                docnums.extend(new[postings.ids[keep]].tolist())
                weights.extend(postings.weights[keep].tolist())
                values.extend([joined[begin:end] for begin, end, kept in zip(starts, ends, keep.tolist()) if kept])
            if not docnums:
                continue  # the term occurs in deleted documents only
            if not started:
                fieldwriter.start_field(fieldname, field)
                column = table.column(fieldname) if field.scorable else None
                started = True
            if column is None:
                lengths_of = [0] * len(docnums)
            else:
                lengths_of = [column[docnums[0]]] if len(docnums) == 1 else itemgetter(*docnums)(column)
            fieldwriter.start_term(btext)
            fieldwriter._postwriter.add_term_postings(docnums, weights, values, lengths_of)
            fieldwriter.finish_term()
        if started:
            fieldwriter.finish_field()


def merge_all(index, directory) -> bool:
    """Merge every segment of `index` into one (dropping deleted documents), under a writer
    `open_writer` opened. Returns False when there was nothing to merge (one segment without
    deletions, or none)."""
    return _merge(index, directory, lambda segments: list(segments) if _worth_merging(segments) else [])


def merge_small(index, directory, *, most: int) -> bool:
    """Keep `index` at `most` segments or fewer after an incremental commit: past `most`, its
    smallest segments are merged into one, so that half of `most` remain. Each commit of the
    background indexer adds a small segment; merged this way, a document is copied again a few
    times over the life of the index (the merged segments are small too until they are among
    the largest), never the big segment a rebuild left. Whoosh's own policy (MERGE_SMALL, at
    every commit) copied every posting of the segments it merged through its posting pool, and
    after a full reextract took every segment for small: 30 ms an indexed article instead of 9
    (bench/index_commits.py)."""

    def smallest(segments):
        if len(segments) <= most:
            return []
        return sorted(segments, key=lambda segment: segment.doc_count_all())[: len(segments) - most // 2 + 1]

    return _merge(index, directory, smallest)


def _worth_merging(segments) -> bool:
    return len(segments) > 1 or (len(segments) == 1 and segments[0].has_deletions())


def _merge(index, directory, choose) -> bool:
    """Merge the segments `choose(segments)` picks (the index's segments as the writer found
    them, under its lock) into one, keeping the others as they are. False when it picks none."""
    from jiwen.index.writer import open_writer

    if not choose(index._segments()):
        return False  # looked at before taking the lock: most commits have nothing to merge
    writer = open_writer(index, directory)
    try:
        chosen = choose(writer.segments)
        if not chosen:
            writer.cancel()
            return False
        chosen_ids = {segment.segment_id() for segment in chosen}
        kept = [segment for segment in writer.segments if segment.segment_id() not in chosen_ids]
        with index.reader() as reader:
            leaves = [leaf for leaf, _offset in reader.leaf_readers() if leaf.segment().segment_id() in chosen_ids]
            if any(
                leaf.schema[name].separate_spelling() or leaf.schema[name].vector for leaf in leaves[:1] for name in leaf.schema.names()
            ):
                writer.commit(optimize=True)
                return True
            schemanames = set(writer.schema.names())
            renumbered = []
            for leaf in leaves:
                base = writer.docnum
                fieldnames = schemanames | {name for name in leaf.indexed_field_names() if name in writer.schema}
                writer.write_per_doc(fieldnames, leaf)
                renumbered.append(_renumbering(leaf, base))
                if int(renumbered[-1][0].sum()) != writer.docnum - base:  # pragma: no cover - Whoosh's contract
                    raise RuntimeError(f"segment {leaf.segment().segment_id()}: live documents and copied ones differ")
            # Whoosh's copy sums the one-byte (rounded) document lengths: the segments' exact
            # totals are kept instead, less the (rounded) lengths of deleted documents.
            writer.perdocwriter._fieldlengths = _exact_totals(leaves)
            writer.perdocwriter.close()
            lengths = writer.per_document_reader()
            try:
                _merge_postings(writer, leaves, renumbered, lengths)
            finally:
                lengths.close()
        writer._added = True
        writer.fieldwriter.close()
        writer._close_segment()
        writer._assemble_segment()
        merged = writer.get_segment()
        writer._commit_toc(kept + ([merged] if merged.doc_count() else []))
        writer._finish()
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    return True


__all__ = ["merge_all", "merge_small"]
