"""Opening the store (jiwen/store/connection.py) where this process already holds it open, as
`jiwen serve` does for every request and a schedule for every run: real SQLite files, and a real
second process that writes and closes."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from jiwen.store import Archive

OTHER_WRITER = textwrap.dedent(
    """
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('written-by', 'the other process')")
    db.close()
    """
)


def test_a_second_open_in_this_process_keeps_the_locks_of_the_first(tmp_path):
    directory = tmp_path / "archive"
    Archive(directory).close()
    database = directory / "archive.sqlite3"
    with Archive(directory, read_only=True) as held:
        held.db.execute("SELECT COUNT(*) FROM meta").fetchone()
        with Archive(directory, read_only=True):  # opened and closed while `held` stays open
            pass
        subprocess.run([sys.executable, "-c", OTHER_WRITER, str(database)], check=True, timeout=60)
        # The other process closed while this one held the archive: it must not take itself for
        # the last one and delete the write-ahead log under this process's connections...
        assert (directory / "archive.sqlite3-wal").exists()
        # ...whose next reader would otherwise read a snapshot without the other's commit.
        with Archive(directory, read_only=True) as fresh:
            row = fresh.db.execute("SELECT value FROM meta WHERE key = 'written-by'").fetchone()
            assert row is not None and row[0] == "the other process"
