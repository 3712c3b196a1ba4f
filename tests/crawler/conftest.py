"""The fixture site (tests/fixtures/site, written for these tests) served on 127.0.0.1, and the
environment that makes the real `jiwen crawl` quick against it without switching anything off:
robots.txt, retries and timeouts stay on, only their durations shrink."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from jiwen.demo.server import SiteServer, serve_site

FIXTURE_SITE = Path(__file__).resolve().parent.parent / "fixtures" / "site"

# The slow fixture page sleeps 4 s; a 1 s timeout makes it time out on every attempt.
FAST_CRAWL_ENV = {"JIWEN_DOWNLOAD_TIMEOUT": "1", "JIWEN_RETRY_BACKOFF": "0.2"}


@pytest.fixture
def fixture_site():
    with serve_site(FIXTURE_SITE) as server:
        yield server


def crawl(jiwen, archive: Path, *args: str, env: dict | None = None):
    """`jiwen crawl ... --archive ARCHIVE --no-throttle` in a real process; fails the test on a
    non-zero exit with the process's stderr."""
    result = jiwen("crawl", *args, "--archive", str(archive), "--no-throttle", env={**FAST_CRAWL_ENV, **(env or {})})
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def query(archive: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(archive / "archive.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def requested(server: SiteServer, start: int = 0) -> list[tuple[str, int]]:
    """(path, status) of every request the server answered, from entry `start` on."""
    return [(entry.path, entry.status) for entry in server.requests[start:]]
