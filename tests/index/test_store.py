"""Where the index lives on disk: an index of an older jiwen is refused, never half-read, and a
rebuild replaces it without opening it."""

from __future__ import annotations

import pytest

from jiwen.core.errors import ArchiveError
from jiwen.core.models import SearchRequest
from jiwen.index import ArchiveIndex, rebuild_index
from tests.index.conftest import many_articles
from tests.index.older_index import write_older_index


def _files(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("gone_formats", [True, False], ids=["formats-gone", "bag-fields-and-codec"])
def test_an_index_of_an_older_jiwen_is_refused_in_one_line_that_says_to_reindex(tmp_path, gone_formats):
    folder = tmp_path / "index"
    write_older_index(folder, many_articles(20), gone_formats=gone_formats)
    before = _files(folder)
    with pytest.raises(ArchiveError) as refused:
        ArchiveIndex(folder)
    message = str(refused.value)
    assert "\n" not in message
    assert str(folder) in message and "older jiwen" in message and "run 'jiwen reindex' once" in message
    assert _files(folder) == before  # nothing written, nothing removed


def test_a_rebuild_replaces_an_older_index_without_opening_it(tmp_path):
    folder = tmp_path / "index"
    articles = many_articles(30)
    write_older_index(folder, articles)
    assert rebuild_index(folder, articles) == 30
    with ArchiveIndex(folder) as rebuilt, ArchiveIndex(tmp_path / "fresh") as fresh:
        fresh.add(articles)
        for text in ("就业", '"企业用工"', "title:推进"):
            request = SearchRequest(query=text, limit=50)
            assert rebuilt.search(request) == fresh.search(request), text
        assert rebuilt.search(SearchRequest(query="就业", limit=50)).total > 0
