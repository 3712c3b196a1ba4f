"""PipelineWorker (jiwen/library/crawl.py): the crawl's page pipeline in a real child process, its
calls sent ahead down a real pipe and its replies matched to them in order by the reader thread."""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

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


def _stored(archive_dir) -> tuple[list[tuple], list[tuple]]:
    with Archive(archive_dir) as archive:
        articles = archive.db.execute(
            "SELECT id, url, title, published, relevant, duplicate_of, fact_count, fact_kinds FROM articles ORDER BY id"
        ).fetchall()
        facts = archive.db.execute("SELECT * FROM facts ORDER BY article_id, seq").fetchall()
    return articles, facts


def _crawl_pages(archive_dir, pages: list[FetchedPage], **options) -> list[str]:
    with Archive(archive_dir) as archive:
        run_id = archive.start_run("crawl", "fixture", {})
    worker = PipelineWorker(archive_dir, run_id, **options)
    worker.start()
    try:
        calls = [worker._submit("process", fetched) for fetched in pages]
        flushed = worker._submit("flush")
        again = [worker._submit("process", fetched) for fetched in pages[:3]]  # the same bytes: unchanged
        statuses = [call.result(timeout=WAIT).status for call in calls + again]
        assert flushed.result(timeout=WAIT) is None
    finally:
        worker.close()
    return statuses


def test_pages_extracted_in_extraction_processes_are_stored_as_the_pipeline_stores_them(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="jiwen")
    pages = [page(path) for path in sorted(FIXTURE_SITE.rglob("*.html"))]
    pages += [page(path) for path in PAGES]  # a page again: its near-duplicate decided in order
    alone = _crawl_pages(tmp_path / "alone", pages, extract_workers=1)
    assert not [record for record in caplog.records if "processes of their own" in record.getMessage()]
    # Started at once (the defaults wait for a busy pipeline): every page goes through them.
    helped = _crawl_pages(tmp_path / "helped", pages, extract_workers=2, start_after=0, start_backlog=0)
    assert [record for record in caplog.records if "extracting pages in 2 processes of their own" in record.getMessage()]
    assert not [record for record in caplog.records if "ended unexpectedly" in record.getMessage()]  # they did the work
    assert helped == alone
    # The pages sent again (the same bytes) are unchanged: decided after their first copy was stored.
    assert alone[len(pages) - 2 :] == ["unchanged"] * 5 and {"new", "offtopic"} <= set(alone)
    articles, facts = _stored(tmp_path / "helped")
    assert (articles, facts) == _stored(tmp_path / "alone")
    assert len(articles) >= 10 and len(facts) > 50


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, oldest first (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append((int(fields[19]), int(stat.parent.name)))  # start time, pid
    return [child for _, child in sorted(found)]


def _extraction_processes(pipeline_pid: int) -> list[int]:
    """The extraction processes of a page pipeline: the children of its fork server, a child of
    the pipeline process (beside the background indexer) started as multiprocessing.forkserver."""
    servers = [pid for pid in _children(pipeline_pid) if b"multiprocessing.forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert len(servers) == 1, "the extraction processes are forked from one fork server"
    return _children(servers[0])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def test_an_extraction_process_killed_mid_crawl_loses_no_page(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="jiwen")
    pages = [page(path) for path in sorted(FIXTURE_SITE.rglob("*.html"))]
    alone = _crawl_pages(tmp_path / "alone", pages, extract_workers=1)
    with Archive(tmp_path / "killed") as archive:
        run_id = archive.start_run("crawl", "fixture", {})
    worker = PipelineWorker(tmp_path / "killed", run_id, extract_workers=2, start_after=0, start_backlog=0)
    worker.start()
    try:
        first = [worker._submit("process", fetched) for fetched in pages[:4]]
        statuses = [call.result(timeout=WAIT).status for call in first]
        assert worker._process is not None
        extractors = _extraction_processes(worker._process.pid)
        assert len(extractors) == 2
        # Forked warm from the server: neither loaded the extractor itself (a spawned one
        # spends a second of CPU on it before its first page).
        assert all(_cpu_seconds(pid) < 0.5 for pid in extractors)
        os.kill(extractors[-1], signal.SIGKILL)
        rest = [worker._submit("process", fetched) for fetched in pages[4:]]
        statuses += [call.result(timeout=WAIT).status for call in rest]
        assert worker._submit("flush").result(timeout=WAIT) is None
    finally:
        worker.close()
    assert statuses == alone[: len(pages)]
    assert _stored(tmp_path / "killed") == _stored(tmp_path / "alone")
    assert [record for record in caplog.records if "extraction process ended unexpectedly" in record.getMessage()]


def test_a_killed_page_pipeline_leaves_no_extraction_process_behind(tmp_path):
    # The extraction processes hold their fork server's pipe open (they could ask it for
    # processes), so the server never sees its starter go: without the server dying with it,
    # the server and its two processes waited for each other for ever.
    pages = [page(path) for path in sorted(FIXTURE_SITE.rglob("*.html"))]
    with Archive(tmp_path / "killed") as archive:
        run_id = archive.start_run("crawl", "fixture", {})
    worker = PipelineWorker(tmp_path / "killed", run_id, extract_workers=2, start_after=0, start_backlog=0)
    worker.start()
    try:
        assert all(call.result(timeout=WAIT).status for call in [worker._submit("process", fetched) for fetched in pages[:4]])
        assert worker._process is not None and worker._process.pid is not None
        server = [
            pid for pid in _children(worker._process.pid) if b"multiprocessing.forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        extractors = _extraction_processes(worker._process.pid)
        assert len(server) == 1 and len(extractors) == 2
        os.kill(worker._process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() and _state(pid) != "Z" for pid in server + extractors):
            time.sleep(0.1)
        assert [pid for pid in server + extractors if Path(f"/proc/{pid}").exists() and _state(pid) != "Z"] == []
    finally:
        worker.close()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"  # gone meanwhile
