"""The jieba analyzer: consecutive positions (phrases), sub-words at index time only."""

from __future__ import annotations

import pickle

from jiwen.index.analyzer import JiebaTokenizer


def tokens(text, **options):
    return [(token.text, token.pos) for token in JiebaTokenizer()(text, positions=True, **options)]


def test_words_get_consecutive_positions_and_punctuation_and_stop_words_take_none():
    found = tokens("高校毕业生的就业，稳步提高", mode="query")
    words = [text for text, _ in found]
    assert "的" not in words and "，" not in words
    assert [position for _, position in found] == list(range(len(found)))


def test_sub_words_share_the_position_of_their_long_word_at_index_time_only():
    indexed = tokens("高校毕业生就业")
    queried = tokens("高校毕业生就业", mode="query")
    assert ("毕业", 1) in indexed or ("毕业", 0) in indexed
    assert all(text != "毕业" for text, _ in queried)
    assert max(p for _, p in indexed) == max(p for _, p in queried)


def test_character_offsets_point_at_the_word_in_the_text():
    text = "从江县稳岗返还资金拨付到位"
    for token in JiebaTokenizer()(text, chars=True):
        assert text[token.startchar : token.endchar] == token.text


def test_latin_words_are_lowercased():
    assert ("gdp", 1) in tokens("全省GDP增长", mode="query") or "gdp" in [t for t, _ in tokens("全省GDP增长")]


def test_the_tokenizer_pickles_small_because_whoosh_stores_it_in_every_commit():
    assert len(pickle.dumps(JiebaTokenizer())) < 200


def test_the_index_cuts_text_exactly_as_the_fact_extractor_does():
    # The index may use a faster implementation of jieba; the words must be the same, or a search
    # for a place the extractor found could miss.
    from jiwen.extract.facts.nlp import blank_pipeline
    from jiwen.index.analyzer import segmenter
    from jiwen.text import segmenter as text_segmenter

    assert segmenter() is text_segmenter.segmenter()  # one tokenizer, one set of user words

    texts = [
        "贵州省黔东南苗族侗族自治州从江县落实稳岗返还政策，高校毕业生就业创业形势稳定。",
        "惠东县向1200家中小企业发放稳岗返还资金，单位参保职工人数稳中有升。",
        "广西壮族自治区南宁市青秀区开展春风行动，黔东南州与恩施州签订劳务协作协议。",
        "县人社局负责人说，今年还将开展春季招聘月活动，帮助高校毕业生在家门口就业。",
        "2024年GDP增长5.2%，城镇调查失业率5.0%，新增就业1.2万人。",
    ]
    for text in texts:
        assert list(segmenter().cut(text, HMM=False)) == [token.text for token in blank_pipeline().make_doc(text)]


SEARCH_ONLY = """
import json, sys
import msgspec
from jiwen.index import ArchiveIndex
from jiwen.core.models import SearchRequest
from jiwen.library.search import require_searchable_words
queries = json.loads(sys.argv[2])
for q in queries:  # what `jiwen search` and `jiwen export --query` check first
    require_searchable_words(q, sys.argv[1])
index = ArchiveIndex(sys.argv[1])
answers = [msgspec.to_builtins(index.search(SearchRequest(query=q, limit=50))) for q in queries]
from jiwen.text import gazetteer, segmenter as nlp
from jiwen.index import analyzer
light = [analyzer._query_cut(q) for q in queries]
loaded_gazetteer = gazetteer.gazetteer.cache_info().currsize > 0 or nlp.segmenter.cache_info().currsize > 0
full = [nlp.segment(q) for q in queries]
print(json.dumps({"answers": answers, "light": light, "full": full, "gazetteer": loaded_gazetteer}))
"""


def test_a_search_only_process_cuts_queries_with_the_words_saved_beside_the_index(tmp_path, articles):
    import json
    import subprocess
    import sys

    import msgspec

    from jiwen.core.models import SearchRequest
    from jiwen.index import ArchiveIndex
    from jiwen.index.analyzer import WORDS_FILE

    queries = ["稳岗返还", "黔东南州 就业", "从江县高校毕业生", "春风行动 招聘会", '"稳定就业岗位"']
    with ArchiveIndex(tmp_path / "index") as index:
        index.add(articles)
        expected = [msgspec.to_builtins(index.search(SearchRequest(query=q, limit=50))) for q in queries]
    assert "黔东南州\t" in (tmp_path / "index" / WORDS_FILE).read_text(encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", SEARCH_ONLY, str(tmp_path / "index"), json.dumps(queries)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    found = json.loads(result.stdout)
    assert found["gazetteer"] is False  # the search itself never derived the user words
    assert found["light"] == found["full"]
    assert found["answers"] == expected
    assert any(answer["total"] for answer in expected)
