"""Searching a real Whoosh index built from hand-made articles."""

from __future__ import annotations

import re

import msgspec
import pytest

from jiwen.core.models import ProgramFact, SearchRequest
from jiwen.index.documents import article_places


def ids_of(response) -> list[str]:
    return [hit.id for hit in response.hits]


def test_a_word_finds_the_articles_that_contain_it(index):
    response = index.search(SearchRequest(query="稳岗返还"))
    assert set(ids_of(response)) == {"congjiang-wengang", "huidong-wengang"}
    assert response.total == 2


def test_a_sub_word_of_a_long_word_is_found(index):
    # 毕业生 is indexed as a piece of 高校毕业生 (at the same position), and the reverse query too.
    assert "tianhe-biyesheng" in ids_of(index.search(SearchRequest(query="毕业生")))


def test_a_quoted_phrase_matches_only_the_words_in_that_order(index):
    together = index.search(SearchRequest(query='"稳就业的重中之重"'))
    assert [hit.id for hit in together.hits] == ["tianhe-biyesheng"]
    # Both words are in congjiang-wengang and kaili-yigong too, but not side by side.
    assert index.search(SearchRequest(query='"群众就业"')).total == 0
    loose = index.search(SearchRequest(query="群众 就业"))
    assert [hit.id for hit in loose.hits] == []  # kaili-yigong says 务工, not 就业
    assert index.search(SearchRequest(query='"就业岗位"')).total == 1
    assert index.search(SearchRequest(query="岗位 就业")).total >= 2


def test_the_title_weighs_more_than_the_body(index):
    hits = index.search(SearchRequest(query="以工代赈 OR 高校毕业生")).hits
    assert hits[0].id in {"kaili-yigong", "tianhe-biyesheng"}


def test_a_province_filter_finds_articles_about_its_counties(index):
    response = index.search(SearchRequest(place="贵州省"))
    assert set(ids_of(response)) == {"congjiang-wengang", "kaili-yigong", "guiyang-chunfeng"}


def test_a_prefecture_filter_finds_its_counties_and_a_short_form_works(index):
    full = index.search(SearchRequest(place="黔东南苗族侗族自治州"))
    short = index.search(SearchRequest(place="黔东南"))
    assert set(ids_of(full)) == set(ids_of(short)) == {"congjiang-wengang", "kaili-yigong"}
    assert set(ids_of(index.search(SearchRequest(place="贵州")))) == set(ids_of(index.search(SearchRequest(place="贵州省"))))


def test_query_and_filters_combine(index):
    response = index.search(SearchRequest(query="稳岗返还", place="广东省"))
    assert ids_of(response) == ["huidong-wengang"]
    assert ids_of(index.search(SearchRequest(program="以工代赈"))) == ["kaili-yigong"]
    assert set(ids_of(index.search(SearchRequest(site="hrss.gd.gov.cn")))) == {"tianhe-biyesheng", "huidong-wengang"}
    assert set(ids_of(index.search(SearchRequest(kinds=["count"])))) == {"congjiang-wengang"}


def test_a_month_as_until_means_the_end_of_that_month(index):
    response = index.search(SearchRequest(since="2024-02", until="2024-02"))
    assert ids_of(response) == ["huidong-wengang"]  # published 2024-02-29, the last day


def test_a_date_range_includes_both_ends_and_leaves_out_undated_articles(index):
    response = index.search(SearchRequest(since="2024-01-20", until="2024-03-02", sort="date"))
    assert ids_of(response) == ["tianhe-biyesheng", "huidong-wengang", "kaili-yigong"]
    assert "chengdu-daikuan" not in ids_of(index.search(SearchRequest(until="2030", limit=50)))


def test_date_sort_puts_the_newest_first_and_undated_last(index):
    hits = index.search(SearchRequest(sort="date", limit=50)).hits
    dates = [hit.published for hit in hits]
    assert dates[-1] is None
    assert dates[:-1] == sorted(dates[:-1], reverse=True)


def test_off_topic_articles_are_left_out_unless_asked_for(index):
    assert "congjiang-dage" not in ids_of(index.search(SearchRequest(query="侗族大歌")))
    included = index.search(SearchRequest(query="侗族大歌", include_offtopic=True))
    assert ids_of(included) == ["congjiang-dage"]


def test_snippets_contain_the_query_words_between_the_marks(index):
    hits = index.search(SearchRequest(query="就业 岗位", limit=20)).hits
    assert hits
    for hit in hits:
        marked = re.findall(r"【([^】]+)】", hit.snippet)
        # Adjacent marked words merge into one mark: 【就业岗位】.
        assert any("就业" in span for span in marked) and any("岗位" in span for span in marked), hit.snippet


def test_the_marks_are_a_parameter(tmp_path, articles):
    from jiwen.index import ArchiveIndex

    with ArchiveIndex(tmp_path / "marked", marks=("<<", ">>")) as marked:
        marked.add(articles)
        hit = marked.search(SearchRequest(query="以工代赈")).hits[0]
    assert "<<以工代赈>>" in hit.snippet
    assert "【" not in hit.snippet


def test_hits_carry_what_the_list_shows(index):
    hit = index.search(SearchRequest(query="以工代赈")).hits[0]
    assert (hit.id, hit.title, hit.published, hit.site) == (
        "kaili-yigong",
        "凯里市以工代赈项目吸纳群众务工",
        "2024-01-20",
        "rst.guizhou.gov.cn",
    )
    assert hit.url == "https://rst.guizhou.gov.cn/kaili-yigong.html"
    assert hit.score > 0


def _facet_values(article, facet):
    places, provinces = article_places(article)
    if facet == "place":
        return places
    if facet == "province":
        return provinces
    if facet == "program":
        return list(dict.fromkeys(f.name for f in article.facts if isinstance(f, ProgramFact)))
    if facet == "site":
        return [article.site or "local"]  # ingested files count as the site "local"
    return [article.published[:7]] if article.published else ["undated"]


def _brute_force_facets(articles, facets):
    counts = {facet: {} for facet in facets}
    for article in articles:
        for facet in facets:
            for value in _facet_values(article, facet):
                counts[facet][value] = counts[facet].get(value, 0) + 1
    return counts


FACETS = ["place", "province", "program", "site", "month"]


@pytest.fixture(params=["segment by segment", "archive-wide vocabulary"])
def facet_counting(request, monkeypatch):
    """Both ways of counting a facet (few matches, or many): each must give the same counts."""
    from jiwen.index import arrays

    monkeypatch.setattr(arrays, "FEW_MATCHES", 10**9 if request.param == "segment by segment" else 0)
    return request.param


@pytest.mark.usefixtures("facet_counting")
def test_facet_counts_cover_the_whole_result_not_just_the_page(big_index, big_articles):
    request = SearchRequest(place="广东省", facets=FACETS, limit=3)
    response = big_index.search(request)
    expected = [a for a in big_articles if a.relevant and "广东省" in article_places(a)[0]]
    assert response.total == len(expected) > 3
    assert len(response.hits) == 3
    assert response.facets == _brute_force_facets(expected, FACETS)


@pytest.mark.usefixtures("facet_counting")
def test_facet_counts_of_a_text_query_equal_a_count_over_the_articles(big_index, big_articles):
    response = big_index.search(SearchRequest(query="以工代赈", facets=FACETS, since="2021-01", limit=1))
    expected = [a for a in big_articles if a.relevant and "以工代赈" in a.body + a.title and a.published and a.published >= "2021-01"]
    assert response.total == len(expected)
    assert response.facets == _brute_force_facets(expected, FACETS)


def test_facet_values_come_most_frequent_first(big_index):
    counts = list(big_index.search(SearchRequest(facets=["province"])).facets["province"].values())
    assert counts == sorted(counts, reverse=True)


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_pages_do_not_overlap_and_together_give_the_whole_result(big_index, sort):
    request = {"query": "就业 企业", "sort": sort}
    whole = big_index.matching_ids(SearchRequest(**request))
    assert len(whole) > 30
    pages = []
    for page in range(1, len(whole) // 7 + 2):
        pages.extend(ids_of(big_index.search(SearchRequest(**request, limit=7, page=page))))
    assert pages == whole
    assert len(set(pages)) == len(pages)


def test_relevance_ties_are_broken_by_id(big_index):
    hits = big_index.search(SearchRequest(query="稳岗返还", limit=100)).hits
    keys = [(-hit.score, hit.id) for hit in hits]
    assert keys == sorted(keys)
    assert len({hit.score for hit in hits}) < len(hits)  # there were ties to break


def test_matching_ids_agree_with_search(big_index):
    request = SearchRequest(query="春风行动", place="四川省", sort="date")
    response = big_index.search(msgspec.structs.replace(request, limit=1000))
    assert big_index.matching_ids(request) == ids_of(response)
    assert len(ids_of(response)) == response.total > 0


def test_an_empty_request_lists_every_on_topic_article(index, articles):
    assert index.search(SearchRequest(limit=100)).total == sum(a.relevant for a in articles)


def test_the_snippet_is_taken_where_the_words_are_even_deep_in_a_long_body(tmp_path):
    from jiwen.core.models import ArchivedArticle
    from jiwen.index import ArchiveIndex

    filler = "今天天气晴朗，市民在公园散步。" * 60
    article = ArchivedArticle(id="long", title="长文", body=filler + "文末提到零工驿站的开放时间。", site="news.example.cn")
    with ArchiveIndex(tmp_path / "long") as archive_index:
        archive_index.add([article])
        snippet = archive_index.search(SearchRequest(query="零工驿站")).hits[0].snippet
        prefixed = archive_index.search(SearchRequest(query="驿*")).hits[0].snippet
    assert "【零工驿站】" in snippet
    assert "【驿站】" in prefixed
    assert snippet.startswith("…") and len(snippet) < 200


def test_phrases_match_the_documents_whoosh_s_own_phrase_matcher_finds(tmp_path):
    from whoosh import query

    from jiwen.index import ArchiveIndex
    from jiwen.index.scoring import Scorer
    from tests.index.conftest import many_articles

    with ArchiveIndex(tmp_path / "index") as index:
        index.add(many_articles(300))
        arrays = index._current_arrays()
        searcher = arrays.searcher
        reader = searcher.reader()
        words = [text.decode() if isinstance(text, bytes) else text for text in reader.lexicon("body")]
        frequent = sorted(words, key=lambda word: -reader.doc_frequency("body", word))[:12]
        phrases = [[a, b] for a in frequent for b in frequent if a != b] + [frequent[:3], frequent[1:4]]
        phrases += [["就业", "岗位"], ["高校", "毕业生"], ["城镇", "新增", "就业"], ["不存在的词", "就业"]]
        matched = 0
        for fieldname in ("body", "title"):
            for words in phrases:
                phrase = query.Phrase(fieldname, words)
                ours = Scorer().leaf_mask(arrays, phrase)
                whoosh = arrays.docnum_mask(list(searcher.docs_for_query(phrase)))
                assert (ours == whoosh).all(), (fieldname, words)
                matched += int(ours.sum())
        assert matched > 100  # the phrases do match: the comparison is not between empty sets


@pytest.mark.usefixtures("facet_counting")
def test_facet_counts_add_up_across_segments(tmp_path, big_articles, monkeypatch):
    from jiwen.index import ArchiveIndex, writer

    monkeypatch.setattr(writer, "REBUILD_ROUND", 30)
    monkeypatch.setattr(writer, "PARALLEL_THRESHOLD", 10**9)
    with ArchiveIndex(tmp_path / "segmented") as archive_index:
        archive_index.rebuild(big_articles, merge=False)  # one segment per round
        assert len(archive_index._current_arrays().segments) == 4
        for request in (SearchRequest(facets=FACETS, place="广东省"), SearchRequest(query="春风行动", facets=FACETS, place="贵州省")):
            response = archive_index.search(request)
            expected = [
                a
                for a in big_articles
                if a.relevant
                and (not request.query or request.query in a.body + a.title)
                and (not request.place or request.place in article_places(a)[0])
            ]
            assert response.total == len(expected) > 0
            assert response.facets == _brute_force_facets(expected, FACETS)
