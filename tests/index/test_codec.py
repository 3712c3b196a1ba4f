"""JiwenCodec writes what Whoosh's own codec writes (read back through Whoosh's matchers), and its
one-read term reader gives the same postings; phrases over many blocks match Whoosh's matcher."""

from __future__ import annotations

import numpy
import pytest
from whoosh import query
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import NO_MERGE, SegmentWriter

from jiwen.index import ArchiveIndex
from jiwen.index import codec as codec_module
from jiwen.index.codec import JiwenCodec, read_term
from jiwen.index.documents import article_document
from jiwen.index.scoring import Scorer
from jiwen.index.store import create_fresh
from tests.index.conftest import many_articles


def _build(folder, codec, articles):
    index = create_fresh(folder)
    writer = SegmentWriter(index, codec=codec)
    for article in articles:
        writer.add_document(**article_document(article))
    writer.commit(mergetype=NO_MERGE)
    return index


def _postings(index, *, blocks: bool) -> dict:
    """Every term's postings as Whoosh's matchers read them back: (docnum, weight, value) lists,
    with (when `blocks`) the statistics of their block: shortest and longest document, highest
    weight."""
    found = {}
    with index.reader() as reader:
        for fieldname, text in reader.all_terms():
            if not reader.schema[fieldname].format:
                continue
            matcher = reader.postings(fieldname, text)
            postings = []
            while matcher.is_active():
                posting = (matcher.id(), matcher.weight(), matcher.value())
                if blocks:
                    posting += (matcher.block_min_length(), matcher.block_max_length(), matcher.block_max_weight())
                postings.append(posting)
                matcher.next()
            found[(fieldname, text)] = (postings, reader.doc_frequency(fieldname, text), reader.frequency(fieldname, text))
        lengths = [[reader.doc_field_length(number, name) for name in ("body", "title")] for number in range(reader.doc_count_all())]
    return {"postings": found, "lengths": lengths}


@pytest.fixture(scope="module")
def articles():
    return many_articles(120)


def test_postings_read_back_as_whoosh_s_own_codec_wrote_them(tmp_path, articles):
    whoosh = _build(tmp_path / "whoosh", W3Codec(), articles)
    ours = _build(tmp_path / "ours", JiwenCodec(blocklimit=128), articles)
    assert [type(segment.codec()) for segment in ours._segments()] == [JiwenCodec]
    expected = _postings(whoosh, blocks=True)
    assert len(expected["postings"]) > 500
    assert _postings(ours, blocks=True) == expected
    # Small blocks: many per term, each decoding alone while Whoosh's matchers skip through.
    small = _build(tmp_path / "small", JiwenCodec(blocklimit=7), articles)
    assert _postings(small, blocks=False) == _postings(whoosh, blocks=False)


@pytest.mark.parametrize("blocklimit", [7, 128, 512])
def test_one_read_of_a_term_gives_what_the_matcher_gives(tmp_path, articles, blocklimit):
    index = _build(tmp_path / "index", JiwenCodec(blocklimit=blocklimit), articles)
    multi_block = 0
    with index.reader() as top:
        ((reader, _offset),) = top.leaf_readers()
        assert isinstance(reader.codec(), JiwenCodec)
        for fieldname, text in top.all_terms():
            matcher = reader.postings(fieldname, text)
            ids, weights, values = [], [], []
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                values.append(matcher.value() or b"")  # None for a format without values
                matcher.next()
            found = read_term(reader, fieldname, text, values=True)
            assert found.ids.tolist() == ids, (fieldname, text)
            assert numpy.allclose(found.weights, weights)
            ends = numpy.cumsum(found.value_lengths).tolist()
            assert [found.values[start:end] for start, end in zip([0] + ends[:-1], ends)] == values
            multi_block += len(ids) > blocklimit
        assert read_term(reader, "body", "不存在的词").ids.size == 0
    assert multi_block > (50 if blocklimit == 7 else -1)


def test_phrases_over_many_blocks_match_whoosh_s_phrase_matcher(tmp_path, articles, monkeypatch):
    monkeypatch.setattr(codec_module, "BLOCK_LIMIT", 5)
    with ArchiveIndex(tmp_path / "index") as index:
        index.add(articles)
        arrays = index._current_arrays()
        searcher = arrays.searcher
        reader = searcher.reader()
        assert all(leaf.codec()._blocklimit == 5 for leaf, _ in arrays.leaves)
        words = [text.decode() for text in reader.lexicon("body")]
        frequent = sorted(words, key=lambda word: -reader.doc_frequency("body", word))[:10]
        phrases = [[a, b] for a in frequent for b in frequent if a != b] + [frequent[:3], ["城镇", "新增", "就业"]]
        matched = 0
        for words in phrases:
            phrase = query.Phrase("body", words)
            ours = Scorer().leaf_mask(arrays, phrase)
            assert (ours == arrays.docnum_mask(list(searcher.docs_for_query(phrase)))).all(), words
            matched += int(ours.sum())
        assert matched > 100
