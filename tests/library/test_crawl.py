"""PipelineWorker (jiwen/library/crawl.py): the crawl's page pipeline in a real child process, its
calls sent ahead down a real pipe and its replies matched to them in order by the reader thread."""

from __future__ import annotations

from jiwen.core.models import FetchedPage
from jiwen.library.crawl import PipelineWorker
from jiwen.store import Archive
from tests.crawler.conftest import FIXTURE_SITE

NEWS = FIXTURE_SITE / "news" / "202405"
PAGES = [NEWS / "t20240506_3001.html", NEWS / "t20240507_3009.html"]
WAIT = 120  # seconds: the child loads its dictionaries first; a wrong match fails long before


def page(path) -> FetchedPage:
    return FetchedPage(
        url=f"http://127.0.0.1:8000/news/202405/{path.name}", body=path.read_bytes(), status=200, content_type="text/html", site="fixture"
    )


def test_a_call_that_cannot_be_sent_fails_alone_and_every_later_reply_reaches_its_own_call(tmp_path):
    with Archive(tmp_path / "archive") as archive:
        run_id = archive.start_run("crawl", "fixture", {})
    worker = PipelineWorker(tmp_path / "archive", run_id)
    worker.start()
    try:
        # A page that does not pickle never reaches the pipe, so no reply will ever come for it.
        unsendable = FetchedPage(url="http://127.0.0.1:8000/unsendable.html", body=b"<html></html>", headers={"x": lambda: None})
        calls = [worker._submit("process", unsendable)] + [worker._submit("process", page(path)) for path in PAGES]
        flushed = worker._submit("flush")
        assert calls[0].exception(timeout=WAIT) is not None
        # Before: the unsent call took the first page's reply, each page the next one's, and the
        # flush no reply at all: the crawl waited on it for ever.
        assert [calls[i].result(timeout=WAIT).url for i in (1, 2)] == [page(path).url for path in PAGES]
        assert flushed.result(timeout=WAIT) is None
    finally:
        worker.close()  # answered "close" in turn: raises if the replies were still out of step
    with Archive(tmp_path / "archive") as archive:
        assert len(archive.db.execute("SELECT id FROM articles").fetchall()) == 2
