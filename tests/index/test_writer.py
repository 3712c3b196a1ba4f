"""One writer at a time: a second one waits a bounded time, then fails with one clear line;
searching goes on while a writer is open. The first writer is a real second process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from jiwen.core.errors import JiwenError
from jiwen.core.models import ArchivedArticle, SearchRequest
from jiwen.index import ArchiveIndex, IndexBusyError

HOLD_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from jiwen.index import ArchiveIndex
    from jiwen.index.writer import open_writer
    archive_index = ArchiveIndex(Path(sys.argv[1]))
    writer = open_writer(archive_index._index, sys.argv[1])
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    writer.cancel()
    print("released", flush=True)
    """
)


def hold_writer(directory, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITER, str(directory), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "holding"
    return process


def new_article(article_id: str) -> ArchivedArticle:
    return ArchivedArticle(id=article_id, title="新增文章", body="零工市场开门迎客。", site="news.example.cn")


def test_a_second_writer_fails_with_one_line_after_a_bounded_wait(index):
    holder = hold_writer(index.directory, 30)
    try:
        busy = ArchiveIndex(index.directory, lock_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(IndexBusyError) as caught:
            busy.add([new_article("late")])
        assert time.monotonic() - started >= 0.5
        assert isinstance(caught.value, JiwenError)
        assert "being written by another process" in str(caught.value)
        assert "\n" not in str(caught.value)
        with pytest.raises(IndexBusyError):
            busy.rebuild([new_article("late")])
    finally:
        holder.kill()
        holder.wait()


def test_a_second_writer_waits_for_the_first_to_finish(index):
    holder = hold_writer(index.directory, 1.0)
    try:
        waiting = ArchiveIndex(index.directory, lock_timeout=30)
        assert waiting.add([new_article("patient")]) == 1
        assert holder.stdout.readline().strip() == "released"
        assert "patient" in waiting.ids()
    finally:
        holder.kill()
        holder.wait()


def test_searching_works_while_a_writer_is_open(index):
    holder = hold_writer(index.directory, 30)
    try:
        reader = ArchiveIndex(index.directory)
        assert reader.search(SearchRequest(query="稳岗返还")).total == 2
        assert reader.doc_count() == 8
    finally:
        holder.kill()
        holder.wait()


def test_a_bulk_add_in_worker_processes_replaces_existing_articles(tmp_path, monkeypatch, big_articles):
    import msgspec

    import jiwen.index as index_package
    import jiwen.index.writer  # noqa: F401  (the writer's constants are patched there)

    archive_index = ArchiveIndex(tmp_path / "bulk")
    archive_index.add(big_articles[:40])
    # Lower the bar so this small batch takes the parallel path a real bulk load takes.
    monkeypatch.setattr(index_package.writer, "PARALLEL_THRESHOLD", 10)
    renamed = [msgspec.structs.replace(a, title="零工驿站开张") for a in big_articles[:20]]
    assert archive_index.add(renamed + big_articles[40:]) == 20 + len(big_articles) - 40
    assert archive_index.doc_count() == len(big_articles)
    assert archive_index.ids() == {a.id for a in big_articles}
    found = archive_index.search(SearchRequest(query="零工驿站", limit=100, include_offtopic=True))
    assert {hit.id for hit in found.hits} == {a.id for a in big_articles[:20]}
