"""PagePipeline (jiwen/library/pipeline.py) on real fixture pages and a real store."""

from __future__ import annotations

import sqlite3

from jiwen.core.models import FetchedPage
from jiwen.library.pipeline import PagePipeline
from jiwen.store import Archive
from tests.crawler.conftest import FIXTURE_SITE

STORY = FIXTURE_SITE / "news" / "202405" / "t20240506_3001.html"
REPUBLISHED = FIXTURE_SITE / "news" / "202405" / "t20240507_3009.html"  # the same story on another page


def page(path) -> FetchedPage:
    return FetchedPage(
        url=f"http://127.0.0.1:8000/news/202405/{path.name}", body=path.read_bytes(), status=200, content_type="text/html", site="fixture"
    )


def test_a_republished_story_is_linked_to_its_original(tmp_path):
    with Archive(tmp_path / "archive") as archive:
        pipeline = PagePipeline(archive)
        original = pipeline.process(page(STORY))
        copy = pipeline.process(page(REPUBLISHED))
        pipeline.close()
    assert original.status == "new"
    assert copy.status == "duplicate" and original.article_id in copy.message


def test_fingerprints_of_an_older_scheme_are_recomputed_before_they_are_compared(tmp_path):
    """An archive written by an older jiwen (another fingerprint scheme, no scheme recorded)."""
    with Archive(tmp_path / "archive") as archive:
        pipeline = PagePipeline(archive)
        original = pipeline.process(page(STORY))
        pipeline.close()
    with sqlite3.connect(tmp_path / "archive" / "archive.sqlite3") as db:
        db.execute("UPDATE articles SET fingerprint = 12345, band0 = 1, band1 = 2, band2 = 3, band3 = 4, band4 = 5, band5 = 6")
        db.execute("DELETE FROM meta WHERE key = 'fingerprint_scheme'")
    with Archive(tmp_path / "archive") as archive:
        pipeline = PagePipeline(archive)
        assert archive.fingerprint_scheme() is not None
        copy = pipeline.process(page(REPUBLISHED))
        pipeline.close()
    assert copy.status == "duplicate" and original.article_id in copy.message
