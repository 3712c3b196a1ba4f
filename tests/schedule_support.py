"""What the writer-lock, resume and schedule tests share: the schedule fixture site
(tests/fixtures/schedule_site, written for these tests), `jiwen` started as a real background
process, and polling the archive instead of sleeping blindly."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

SCHEDULE_SITE = Path(__file__).resolve().parent / "fixtures" / "schedule_site"
# /  lists all ten articles, eight of them slow (0.8 s each): a crawl to lock against, stop or kill.
# /quick/ lists two fast ones: a crawl that is over in seconds.
ALL_ARTICLES = 10
# Short timeouts and retry pauses for loopback crawls; robots.txt, retries and politeness stay on.
CRAWL_ENV = {"JIWEN_DOWNLOAD_TIMEOUT": "5", "JIWEN_RETRY_BACKOFF": "0.2"}


def start_jiwen(*args: str, log_to: Path, env: dict | None = None, own_group: bool = False) -> subprocess.Popen:
    """`python -m jiwen ARGS` in the background, stdout and stderr into the file `log_to` (a pipe
    nobody reads would fill up and stall a long-running process). `own_group`: in a process group
    of its own, like a command in the foreground of a terminal, which Ctrl-C signals as a group."""
    output = open(log_to, "w", encoding="utf-8")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "jiwen", *args],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, **CRAWL_ENV, **(env or {})},
            process_group=0 if own_group else None,
        )
    finally:
        output.close()  # the child has its own copy


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, process: subprocess.Popen | None = None):
    """Poll `condition` until it returns something true; fail with `what` on timeout, or when
    `process` ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended (exit {process.returncode}) before {what}")
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def query(archive: Path, sql: str, *params) -> list[tuple]:
    """Read the archive as any SQLite client would; nothing while the database does not exist yet."""
    database = archive / "archive.sqlite3"
    if not database.exists():
        return []
    db = sqlite3.connect(database, timeout=5)
    try:
        return db.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []  # tables not created yet
    finally:
        db.close()


def article_count(archive: Path) -> int:
    rows = query(archive, "SELECT COUNT(*) FROM articles")
    return rows[0][0] if rows else 0
