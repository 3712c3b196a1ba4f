"""The background indexer (jiwen/library/indexer.py) in real processes, on a real store and Whoosh index:
what a writer stores becomes searchable, in batches or after a delay, what a killed writer left
unindexed is caught up, failures reach the writer as one message, and an orphaned indexer dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiwen.core.errors import WorkerError
from jiwen.core.models import FetchedPage, SearchRequest
from jiwen.index import ArchiveIndex
from jiwen.library.indexer import BackgroundIndexer
from jiwen.library.pipeline import PagePipeline
from jiwen.store import Archive
from tests.schedule_support import SCHEDULE_SITE

ARTICLES = sorted((SCHEDULE_SITE / "news" / "202409").glob("t*.html"))


def fixture_pages() -> list[FetchedPage]:
    return [
        FetchedPage(
            url=f"http://127.0.0.1:8000/news/202409/{path.name}",
            body=path.read_bytes(),
            status=200,
            content_type="text/html",
            site="fixture",
        )
        for path in ARTICLES
    ]


def indexed_ids(archive: Archive) -> set[str]:
    with ArchiveIndex(archive.index_dir) as index:
        return index.ids()


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def test_what_the_pipeline_stores_is_indexed_by_the_background_process(tmp_path):
    assert len(ARTICLES) >= 8
    with Archive(tmp_path / "archive") as archive:
        pipeline = PagePipeline(archive, index_in_background=True, batch_size=3)
        outcomes = [pipeline.process(page) for page in fixture_pages()]
        pipeline.close()
        stored = {outcome.article_id for outcome in outcomes if outcome.article_id}
        assert len(stored) == len(ARTICLES)
        assert archive.pending_index() == ([], [])
        # Off-topic articles are indexed too (kept out of results by default), so the index
        # holds exactly what the store holds.
        assert indexed_ids(archive) == stored
        with ArchiveIndex(archive.index_dir) as index:
            hits = index.search(SearchRequest(query="技能培训", include_offtopic=True, limit=50)).hits
        assert {hit.id for hit in hits} <= stored and hits


def test_a_slow_writer_s_articles_become_searchable_after_the_delay_without_a_full_batch(tmp_path):
    with Archive(tmp_path / "archive") as archive:
        pipeline = PagePipeline(archive)  # stores, and (inline) indexes nothing until close
        pages = fixture_pages()
        page_id, _ = archive.add_page(pages[0])
        first = pipeline.extract_and_store(page_id, pages[0])
        indexer = BackgroundIndexer(archive.directory, batch_size=1000, max_delay=0.5)
        try:
            indexer.stored(1)
            wait_until(lambda: first.article_id in indexed_ids(archive), 60, "the article to be indexed")
        finally:
            assert indexer.close() >= 0
        assert archive.pending_index() == ([], [])


def test_articles_a_killed_writer_left_unindexed_are_indexed_when_the_indexer_starts(tmp_path):
    with Archive(tmp_path / "archive") as archive:
        pipeline = PagePipeline(archive)
        for page in fixture_pages()[:4]:
            pipeline.process(page)
        pipeline.close()
        archive.mark_all_unindexed()  # as if the writer died before its index commit
        assert len(archive.pending_index()[0]) == 4
        indexer = BackgroundIndexer(archive.directory)
        assert indexer.close() == 4
        assert archive.pending_index() == ([], [])


def test_an_indexer_that_cannot_start_says_why_when_closed(tmp_path):
    indexer = BackgroundIndexer(tmp_path / "no-such-archive")
    with pytest.raises(WorkerError) as raised:
        indexer.close()
    assert raised.value.kind == "ArchiveError"
    assert "no-such-archive" in str(raised.value)


ORPHAN_SCRIPT = """
import sys, time
from pathlib import Path
from jiwen.library.indexer import BackgroundIndexer
from jiwen.store import Archive
if __name__ == "__main__":
    Archive(Path(sys.argv[1])).close()
    indexer = BackgroundIndexer(Path(sys.argv[1]))
    print(indexer._process.pid, flush=True)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def _ignores_sigint(pid: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; the death signal is Linux's")
def test_an_indexer_whose_writer_is_killed_dies_with_it(tmp_path):
    script = tmp_path / "orphan.py"
    script.write_text(ORPHAN_SCRIPT, "utf-8")
    writer = subprocess.Popen([sys.executable, str(script), str(tmp_path / "archive")], stdout=subprocess.PIPE, text=True)
    try:
        indexer_pid = int(writer.stdout.readline())
        assert _alive(indexer_pid)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        wait_until(lambda: not _alive(indexer_pid), 10, "the orphaned indexer to end")
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.stdout.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_ignores_ctrl_c_sent_to_its_process_group(tmp_path):
    """Ctrl-C reaches every process of the group; the writer decides when its workers stop."""
    with Archive(tmp_path / "archive") as archive:
        indexer = BackgroundIndexer(archive.directory)
        pid = indexer._process.pid
        wait_until(lambda: _ignores_sigint(pid), 30, "the indexer to install its signal handling")
        os.kill(pid, signal.SIGINT)
        time.sleep(0.5)
        assert _alive(pid)
        assert indexer.close() == 0


def test_close_waits_a_bounded_time_then_stops_the_indexer_with_a_clear_error(tmp_path):
    from tests.archive_support import realistic_archive

    archive_dir = realistic_archive(tmp_path / "archive", 400)
    with Archive(archive_dir) as archive:
        archive.mark_all_unindexed()  # 400 to catch up: far more than a second's work
    indexer = BackgroundIndexer(archive_dir)
    started = time.monotonic()
    with pytest.raises(WorkerError, match="did not finish within 1s") as raised:
        indexer.close(timeout=1.0)
    assert raised.value.kind == "IndexerTimeout"
    assert time.monotonic() - started < 60
    assert not indexer._process.is_alive()
    with Archive(archive_dir) as archive:
        assert archive.pending_index()[0]  # left for the next writer, not lost
