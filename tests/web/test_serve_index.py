"""`jiwen serve` keeps one index searcher across requests and opens a new one only when the
index changed (a writer's commit, a merge, a rebuild swapped in by another process)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

import jiwen.index
from jiwen.index import ArchiveIndex
from jiwen.store import Archive
from jiwen.web.app import create_app

from ..index.conftest import handmade_articles


@pytest.fixture
def served(tmp_path):
    archive_dir = tmp_path / "archive"
    Archive(archive_dir).close()
    articles = handmade_articles()
    with ArchiveIndex(archive_dir / "index") as index:
        index.add(articles[:3])
    app = create_app(archive_dir)
    with TestClient(app) as client:
        yield client, app.state.jiwen, archive_dir, articles


def total(client, query: str) -> int:
    response = client.get("/api/search", params={"q": query})
    assert response.status_code == 200, response.text
    return response.json()["total"]


def test_one_searcher_serves_every_request_until_a_writer_commits(served, monkeypatch):
    client, state, archive_dir, articles = served
    assert total(client, "稳岗返还") == 1
    searcher = state._index._searcher
    opened = []
    original = jiwen.index.ArchiveIndex.__init__
    monkeypatch.setattr(jiwen.index.ArchiveIndex, "__init__", lambda self, *a, **k: opened.append(a) or original(self, *a, **k))
    for path in ("/", "/?q=就业&facet=place", "/facts?mentioning=贵州省", "/facts.json?mentioning=贵州省"):
        assert client.get(path).status_code == 200, path
    assert total(client, "就业") >= 1
    assert state._index._searcher is searcher  # the same searcher, no index opened per request
    assert opened == []

    with ArchiveIndex(archive_dir / "index") as writer:  # another process's commit
        writer.add(articles[3:])
    assert total(client, "稳岗返还") == 2
    refreshed = state._index._searcher
    assert refreshed is not searcher
    assert total(client, "就业") >= 1 and state._index._searcher is refreshed

    with ArchiveIndex(archive_dir / "index") as writer:  # `jiwen reindex --merge`
        assert writer.merge()
    assert total(client, "稳岗返还") == 2
    assert state._index._searcher is not refreshed and state._index.segment_count() == 1
