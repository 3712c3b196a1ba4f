"""Per-segment column files: written at commit, memory-mapped at search, and giving exactly the
results of the columns decoded in memory from Whoosh's own."""

from __future__ import annotations

import numpy
import pytest

from jiwen.core.models import SearchRequest
from jiwen.index import ArchiveIndex
from jiwen.index.columns import DONE, has_columns
from tests.index.conftest import many_articles

FACETS = ["place", "province", "program", "site", "month"]
REQUESTS = [
    SearchRequest(query="就业", facets=FACETS, limit=20),
    SearchRequest(query="稳岗返还", sort="date", limit=15, page=2),
    SearchRequest(query="企业 OR 岗位", place="广东省", facets=["place", "month"], limit=50),
    SearchRequest(place="四川省", since="2021-03", until="2023-10", facets=FACETS, limit=30),
    SearchRequest(sort="date", limit=40, facets=["site"], include_offtopic=True),
    SearchRequest(query="春风行动", program="春风行动", facets=["program", "province"]),
]


def _column_files(folder) -> list:
    return sorted(path for path in folder.iterdir() if ".jw_" in path.name)


def _segment_ids(index: ArchiveIndex) -> list[str]:
    return [segment.segment_id() for segment in index._index._segments()]


@pytest.fixture
def segmented(tmp_path) -> ArchiveIndex:
    """An index of several segments, one of them with deletions."""
    articles = many_articles(150)
    index = ArchiveIndex(tmp_path / "index")
    for start in range(0, 150, 50):
        index.add(articles[start : start + 50])
    index.delete([article.id for article in articles[10:20]])
    yield index
    index.close()


def _answers(index: ArchiveIndex) -> list:
    return [index.search(request) for request in REQUESTS] + [index.matching_ids(request) for request in REQUESTS] + [sorted(index.ids())]


def test_every_segment_gets_its_column_files_at_commit(segmented):
    segment_ids = _segment_ids(segmented)
    assert len(segment_ids) >= 2
    assert all(has_columns(segmented.directory, segment_id) for segment_id in segment_ids)


def test_searches_read_the_columns_through_memory_maps(segmented):
    segmented.search(SearchRequest(query="就业", facets=FACETS, sort="date"))
    arrays = segmented._current_arrays()
    assert arrays.segments and all(segment.mapped for segment in arrays.segments)
    assert all(isinstance(segment.get("date"), numpy.memmap) for segment in arrays.segments)


def test_mapped_columns_give_the_same_results_as_columns_decoded_in_memory(segmented, tmp_path):
    mapped = _answers(segmented)
    assert mapped[0].total > 20 and mapped[0].facets["place"]
    segmented.close()
    for path in _column_files(segmented.directory):
        path.unlink()
    decoded_index = ArchiveIndex(segmented.directory)
    decoded = _answers(decoded_index)
    arrays = decoded_index._current_arrays()
    assert not any(segment.mapped for segment in arrays.segments)
    assert decoded == mapped


def test_an_index_without_column_files_gets_them_at_the_next_write(segmented):
    segmented.close()
    for path in _column_files(segmented.directory):
        path.unlink()
    reopened = ArchiveIndex(segmented.directory)
    reopened.add(many_articles(3))
    assert all(has_columns(reopened.directory, segment_id) for segment_id in _segment_ids(reopened))


def test_files_of_a_segment_merged_away_are_deleted_with_it(tmp_path):
    index = ArchiveIndex(tmp_path / "index")
    articles = many_articles(30)
    for article in articles[:20]:
        index.add([article])  # small commits: Whoosh merges small segments as it goes
    done_files = {path.name.split(".")[0] for path in tmp_path.joinpath("index").glob(f"*.{DONE}")}
    assert done_files == set(_segment_ids(index))
    assert index.search(SearchRequest(limit=100, include_offtopic=True)).total == 20
