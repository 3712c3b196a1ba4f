"""`jiwen reextract --workers N`: pages extracted in N processes, stored by one, in store order.
It stores what one process stores (articles, facts, near-duplicate links), and a reextract
killed at random moments leaves the archive consistent, with no worker left running. Commands run
in this process (Click's runner) but for the reextracts that are killed, and their rerun, which run
in processes of their own."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

from jiwen.store import Archive

from .conftest import invoke_jiwen, run_jiwen
from .test_faults import (
    article_set,
    assert_consistent,
    assert_no_orphans,
    kill_at_random,
    temporaries,
    write_pages,
)  # fmt: skip

# Columns that say when, not what (a run's own times and ids).
WHEN = {"extracted_at", "changed_at", "fetched_at", "indexed", "run_id", "started_at", "finished_at"}


def stored(archive: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the store but the runs, without the columns that say when."""
    db = sqlite3.connect(archive / "archive.sqlite3")
    try:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        dump = {}
        for table in tables:
            if table in {"runs", "meta"} or table.startswith("sqlite_"):
                continue
            cursor = db.execute(f"SELECT * FROM {table}")
            keep = [number for number, column in enumerate(cursor.description) if column[0] not in WHEN]
            dump[table] = sorted(tuple(row[number] for number in keep) for row in cursor)
        return dump
    finally:
        db.close()


def archive_with_repeats(tmp_path: Path, count: int) -> Path:
    """`count` pages ingested, then the same stories again under other names (near-duplicates,
    decided by which one the store holds first)."""
    pages = write_pages(tmp_path / "pages", count)
    for number, path in enumerate(sorted(pages.iterdir())[:6]):
        shutil.copy(path, pages / f"zz-copy-{number}.html")
    archive = tmp_path / "archive"
    result = invoke_jiwen("ingest", str(pages), "--archive", str(archive), "-q")
    assert result.returncode == 0, result.stderr[-2000:]
    return archive


def test_reextract_in_worker_processes_stores_what_one_process_stores(tmp_path):
    archive = archive_with_repeats(tmp_path, 80)
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(archive, one)
    shutil.copytree(archive, two)
    # The store's articles as extraction now makes them differ from the ingested ones' in nothing
    # but times; make them differ, so a reextract that stored nothing would fail.
    for copy in (one, two):
        with sqlite3.connect(copy / "archive.sqlite3") as db:
            db.execute("UPDATE articles SET title = 'stale', duplicate_of = NULL")
    first = invoke_jiwen("reextract", "--archive", str(one), "-q", "--workers", "1")
    second = invoke_jiwen("reextract", "--archive", str(two), "-q", "--workers", "2")
    assert first.returncode == 0 and second.returncode == 0, (first.stderr, second.stderr)
    assert first.stdout == second.stdout
    assert "duplicate" in first.stdout  # the copies were recognised as near-duplicates
    by_one, by_two = stored(one), stored(two)
    assert by_one == by_two
    assert not any(row for row in by_one["articles"] if "stale" in row)
    assert_consistent(two)


def test_a_reextract_with_workers_killed_at_random_leaves_the_archive_consistent(tmp_path):
    rng = random.Random(20261207)
    archive = archive_with_repeats(tmp_path, 60)
    reference = article_set(archive)
    args = ["reextract", "--archive", str(archive), "-q", "--workers", "2"]
    saw_workers = False
    for _point in range(6):
        # Every article made to differ from what extraction makes of it, so that each run rewrites
        # and re-indexes them all (articles found as they were are left alone).
        with sqlite3.connect(archive / "archive.sqlite3") as db:
            db.execute("UPDATE articles SET title = 'stale'")
        children = kill_at_random(args, tmp_path / "k.log", rng, 8.0)
        saw_workers |= len(children) >= 3  # two extractors and the background indexer
        assert_no_orphans(children)
        # The store is whole, and where the index is behind it the store says so (the next
        # writer indexes the articles marked pending).
        with sqlite3.connect(archive / "archive.sqlite3") as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        check = invoke_jiwen("check", "--archive", str(archive))
        numbers = dict(part.strip().split(": ")[:2] for part in check.stdout.splitlines()[0].split(";"))
        assert int(numbers["missing"]) + int(numbers["extra"]) <= int(numbers["pending"]), check.stdout
    assert saw_workers, "no kill came while the workers ran"
    result = run_jiwen(*args, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert article_set(archive) == reference
    assert_consistent(archive)
    assert temporaries(tmp_path) == []
    with Archive(archive, read_only=True) as store:
        assert store.pending_index() == ([], [])
