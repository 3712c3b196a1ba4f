"""ArchiveIndex as the pipeline uses it: upsert, delete, rebuild, ids."""

from __future__ import annotations

import msgspec
import pytest

from jiwen.core.models import SearchRequest
from jiwen.index import ArchiveIndex


def test_adding_an_article_again_replaces_it(index, articles):
    changed = msgspec.structs.replace(articles[1], title="凯里市零工市场正式运营", body="凯里市零工市场正式运营。")
    assert index.add([changed]) == 1
    assert index.doc_count() == len(articles)
    assert index.search(SearchRequest(query="以工代赈")).total == 0
    assert [hit.id for hit in index.search(SearchRequest(query="零工市场")).hits] == ["kaili-yigong"]


def test_the_later_copy_wins_when_one_batch_repeats_an_id(tmp_path, articles):
    first = articles[0]
    second = msgspec.structs.replace(first, title="从江县零工市场正式运营")
    with ArchiveIndex(tmp_path / "repeat") as archive_index:
        assert archive_index.add([first, second]) == 1
        assert archive_index.doc_count() == 1
        assert archive_index.search(SearchRequest(query="零工市场")).total == 1


def test_deleted_articles_are_gone_from_ids_and_results(index, articles):
    index.delete(["congjiang-wengang", "no-such-id"])
    assert index.ids() == {a.id for a in articles} - {"congjiang-wengang"}
    assert [hit.id for hit in index.search(SearchRequest(query="稳岗返还")).hits] == ["huidong-wengang"]


def test_ids_and_doc_count_include_off_topic_articles(index, articles):
    assert index.ids() == {a.id for a in articles}
    assert index.doc_count() == len(articles)


def test_an_index_rebuilt_from_the_same_articles_gives_identical_results(tmp_path, big_articles):
    added = ArchiveIndex(tmp_path / "added")
    # Built in two commits, in reverse order: internal document numbers differ from the rebuild's.
    added.add(reversed(big_articles[60:]))
    added.add(reversed(big_articles[:60]))
    rebuilt = ArchiveIndex(tmp_path / "rebuilt")
    assert rebuilt.rebuild(big_articles) == len(big_articles)
    requests = [
        SearchRequest(query="稳岗返还", limit=200),
        SearchRequest(query="就业 企业", limit=9, page=3, facets=["place", "month"]),
        SearchRequest(place="广东省", sort="date", limit=200, facets=["program", "site"]),
        SearchRequest(query="以工代赈 OR 春风行动", since="2021-03", until="2023", limit=200),
    ]
    for request in requests:
        assert added.search(request) == rebuilt.search(request), request
        assert added.matching_ids(request) == rebuilt.matching_ids(request)


def test_rebuild_replaces_the_old_contents_in_place(index, articles):
    assert index.rebuild(articles[:3]) == 3
    assert index.ids() == {a.id for a in articles[:3]}
    reopened = ArchiveIndex(index.directory)
    assert reopened.doc_count() == 3
    assert sorted(p.name for p in index.directory.parent.iterdir() if "rebuild" in p.name) == []


def test_a_new_folder_gives_an_empty_index_that_answers(tmp_path):
    empty = ArchiveIndex(tmp_path / "new")
    assert empty.doc_count() == 0
    assert empty.ids() == set()
    response = empty.search(SearchRequest(query="就业", facets=["place"]))
    assert (response.total, response.hits, response.facets) == (0, [], {"place": {}})


def test_a_search_after_another_instance_rebuilt_the_index_sees_the_new_one(index, articles):
    other = ArchiveIndex(index.directory)
    assert index.search(SearchRequest(query="稳岗返还")).total == 2
    other.rebuild(articles[4:5])
    assert [hit.id for hit in index.search(SearchRequest(query="稳岗返还")).hits] == ["huidong-wengang"]
    assert index.doc_count() == 1


def test_a_rebuild_in_several_parallel_rounds_gives_the_same_results(tmp_path, monkeypatch, big_articles):
    import jiwen.index as index_package
    import jiwen.index.writer  # noqa: F401  (the writer's constants are patched there)

    whole = ArchiveIndex(tmp_path / "whole")
    whole.rebuild(big_articles)
    # Rounds as a 100,000-article rebuild has them, on a small scale: several, in worker processes.
    monkeypatch.setattr(index_package.writer, "REBUILD_ROUND", 45)
    monkeypatch.setattr(index_package.writer, "PARALLEL_THRESHOLD", 20)
    rounds = ArchiveIndex(tmp_path / "rounds")
    assert rounds.rebuild(big_articles) == len(big_articles)
    # Several rounds of two workers each, merged into one segment before the swap.
    assert rounds.segment_count() == 1
    for request in (
        SearchRequest(query="稳岗返还", limit=200, facets=["place", "program"]),
        SearchRequest(place="广东省", sort="date", limit=200, facets=["month", "site"]),
    ):
        assert whole.search(request) == rounds.search(request)


def test_a_rebuild_streams_holding_at_most_one_round_of_articles(tmp_path, monkeypatch, big_articles):
    import jiwen.index as index_package
    import jiwen.index.writer  # noqa: F401  (the writer's constants are patched there)

    monkeypatch.setattr(index_package.writer, "REBUILD_ROUND", 25)
    pulled = 0

    def stream():
        nonlocal pulled
        for article in big_articles:
            pulled += 1
            yield article

    # Each round's commit saves that round's column files: record how far the stream was read.
    pulled_at_commits = []
    original = index_package.save_missing_columns
    monkeypatch.setattr(
        index_package, "save_missing_columns",
        lambda directory, index: pulled_at_commits.append(pulled) or original(directory, index),
    )  # fmt: skip
    rebuilt = ArchiveIndex(tmp_path / "streamed")
    assert rebuilt.rebuild(stream()) == len(big_articles) > 3 * 25
    # The last call saves the merged segment's columns, once every round is in.
    assert pulled_at_commits[-1] == len(big_articles)
    rounds = pulled_at_commits[:-1]
    assert len(rounds) == -(-len(big_articles) // 25)
    # At a commit the stream has been read exactly to the end of that round, no further.
    assert rounds == [min(25 * (number + 1), len(big_articles)) for number in range(len(rounds))]
    assert rebuilt.search(SearchRequest(limit=500, include_offtopic=True)).total == len(big_articles)


MERGE_REQUESTS = [
    SearchRequest(query="稳岗返还", limit=200, facets=["place", "program"]),
    SearchRequest(query="就业 企业", limit=9, page=3, facets=["place", "month"]),
    SearchRequest(query='"高校毕业生"', limit=200),
    SearchRequest(place="广东省", sort="date", limit=200, facets=["program", "site", "province"]),
    SearchRequest(query="以工代赈 OR 春风行动", since="2021-03", until="2023", limit=200),
    SearchRequest(limit=500, include_offtopic=True, facets=["site"]),
]


def test_merging_segments_gives_one_segment_answering_as_an_index_of_the_live_articles(tmp_path, monkeypatch, big_articles):
    import jiwen.index as index_package
    import jiwen.index.writer  # noqa: F401  (the writer's constants are patched there)
    from jiwen.index.columns import has_columns

    monkeypatch.setattr(index_package.writer, "PARALLEL_THRESHOLD", 20)
    pieces = ArchiveIndex(tmp_path / "pieces")
    # Several commits (parallel ones leave a segment per worker), then an update and deletions.
    pieces.add(big_articles[:50])
    pieces.add(big_articles[50:])
    changed = msgspec.structs.replace(big_articles[3], title="从江县零工市场正式运营", body="从江县零工市场正式运营，高校毕业生就业。")
    pieces.add([changed])
    gone = {big_articles[7].id, big_articles[60].id}
    pieces.delete(gone)
    assert pieces.segment_count() > 2
    before = [pieces.search(request) for request in MERGE_REQUESTS]

    assert pieces.merge() is True
    assert pieces.segment_count() == 1
    assert pieces.merge() is False  # one segment without deletions: nothing to do
    (segment,) = pieces._index._segments()
    assert has_columns(pieces.directory, segment.segment_id())
    live = [changed if article.id == changed.id else article for article in big_articles if article.id not in gone]
    assert pieces.ids() == {article.id for article in live}

    fresh = ArchiveIndex(tmp_path / "fresh")
    fresh.rebuild(live)
    for request, earlier in zip(MERGE_REQUESTS, before):
        merged, expected = pieces.search(request), fresh.search(request)
        # Equal but for the last digits of scores: the deleted documents' lengths are taken off
        # the totals as Whoosh keeps them, rounded to a byte.
        assert [hit.id for hit in merged.hits] == [hit.id for hit in expected.hits], request
        assert [hit.score for hit in merged.hits] == pytest.approx([hit.score for hit in expected.hits], rel=1e-3)
        strip = lambda response: [msgspec.structs.replace(hit, score=0) for hit in response.hits]  # noqa: E731
        assert strip(merged) == strip(expected)
        assert (merged.total, merged.facets) == (expected.total, expected.facets)
        assert pieces.matching_ids(request) == fresh.matching_ids(request)
        # Same documents as before the merge (scores move a little: the deleted documents'
        # postings and lengths no longer count in the statistics).
        assert merged.total == earlier.total
        assert merged.facets == earlier.facets
    assert [hit.id for hit in pieces.search(SearchRequest(query="零工市场")).hits] == [changed.id]
    # A later add lands beside the merged segment and is found.
    pieces.add([big_articles[7]])
    assert big_articles[7].id in pieces.ids()


def test_many_small_commits_keep_the_segments_bounded_and_answer_as_a_fresh_index(tmp_path, monkeypatch, big_articles):
    """What the background indexer does: a commit a small batch, updates and deletions among
    them. Past MAX_SEGMENTS the smallest segments are merged (index/merging.py) and the big one
    a rebuild left is kept as it is."""
    import jiwen.index as index_package
    import jiwen.index.writer  # noqa: F401  (the writer's constants are patched there)
    from jiwen.index.columns import has_columns

    monkeypatch.setattr(index_package.writer, "MAX_SEGMENTS", 4)
    pieces = ArchiveIndex(tmp_path / "pieces")
    pieces.rebuild(big_articles[:80])
    (base,) = pieces._index._segments()
    counts = []
    for start in range(80, len(big_articles), 3):
        pieces.add(big_articles[start : start + 3])
        counts.append(pieces.segment_count())
    changed = msgspec.structs.replace(big_articles[86], title="从江县零工市场正式运营", body="从江县零工市场正式运营，高校毕业生就业。")
    pieces.add([changed])
    gone = {big_articles[3].id, big_articles[90].id}
    pieces.delete(gone)
    counts.append(pieces.segment_count())
    assert max(counts) <= 4 and len(counts) > 8, counts  # merged along the way, never past the bound
    segments = pieces._index._segments()
    assert base.segment_id() in {segment.segment_id() for segment in segments}  # the big one untouched
    assert all(has_columns(pieces.directory, segment.segment_id()) for segment in segments)
    live = [changed if article.id == changed.id else article for article in big_articles if article.id not in gone]
    assert pieces.ids() == {article.id for article in live}
    fresh = ArchiveIndex(tmp_path / "fresh")
    fresh.rebuild(live)
    for request in MERGE_REQUESTS:
        merged, expected = pieces.search(request), fresh.search(request)
        assert sorted(hit.id for hit in merged.hits) == sorted(hit.id for hit in expected.hits), request
        assert (merged.total, merged.facets) == (expected.total, expected.facets)
        assert pieces.matching_ids(request) == fresh.matching_ids(request)
    assert [hit.id for hit in pieces.search(SearchRequest(query="零工市场")).hits] == [changed.id]
