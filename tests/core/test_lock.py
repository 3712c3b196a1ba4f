"""The archive's writer lock (jiwen/core/lock.py) between real processes: one writer at a time, a
clear message naming the holder, a lock left by a killed process taken over at once, readers never
blocked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiwen.core.errors import ArchiveLockedError
from jiwen.core.lock import ArchiveLock
from jiwen.demo.server import serve_site
from tests.conftest import invoke_jiwen
from tests.schedule_support import SCHEDULE_SITE, article_count, start_jiwen, wait_for

HOLDER = """
import sys, time
from pathlib import Path
from jiwen.core.lock import ArchiveLock
lock = ArchiveLock(Path(sys.argv[1]), command="jiwen test-holder").acquire()
print("held", flush=True)
time.sleep(float(sys.argv[2]))
lock.release()
"""


def hold_lock(archive: Path, seconds: float = 600) -> subprocess.Popen:
    """Another process that takes the lock and keeps it for `seconds`."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(archive), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def lock_record(archive: Path) -> dict:
    text = (archive / "writer.lock").read_text("utf-8")
    return json.loads(text) if text else {}


def test_the_locked_message_names_the_holder_pid_and_command(tmp_path):
    archive = tmp_path / "archive"
    holder = hold_lock(archive)
    try:
        with pytest.raises(ArchiveLockedError) as caught:
            ArchiveLock(archive, command="jiwen crawl").acquire()
    finally:
        holder.kill()
        holder.wait()
    message = str(caught.value)
    assert f"is locked by pid {holder.pid} (jiwen test-holder) since " in message
    assert "\n" not in message


def test_a_lock_left_by_a_killed_process_is_taken_over_at_once(tmp_path):
    archive = tmp_path / "archive"
    holder = hold_lock(archive)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert lock_record(archive)["pid"] == holder.pid  # the dead holder's record is still there

    started = time.monotonic()
    lock = ArchiveLock(archive, command="jiwen crawl").acquire()  # no waiting: wait_seconds=0
    try:
        assert lock_record(archive)["pid"] == os.getpid()
        assert lock_record(archive)["command"] == "jiwen crawl"
    finally:
        lock.release()
    assert time.monotonic() - started < 5  # generous; the point is that it did not raise


def test_a_writer_willing_to_wait_gets_the_lock_when_the_holder_finishes(tmp_path):
    archive = tmp_path / "archive"
    holder = hold_lock(archive, seconds=1.0)
    with pytest.raises(ArchiveLockedError):
        ArchiveLock(archive).acquire()
    lock = ArchiveLock(archive, command="patient").acquire(wait_seconds=60)
    try:
        assert lock_record(archive)["pid"] == os.getpid()
    finally:
        lock.release()
    assert holder.wait(timeout=30) == 0


def test_releasing_clears_the_holder_record_and_lets_the_next_writer_in(tmp_path):
    archive = tmp_path / "archive"
    with ArchiveLock(archive, command="first"):
        assert lock_record(archive)["command"] == "first"
    assert lock_record(archive) == {}
    with ArchiveLock(archive, command="second"):
        assert lock_record(archive)["command"] == "second"


def test_searches_exports_and_runs_never_wait_for_the_writer_lock(tmp_path):
    # The holder is another process; the commands run in this one (Click's runner).
    jiwen = invoke_jiwen
    archive = tmp_path / "archive"
    ingested = jiwen("ingest", str(SCHEDULE_SITE / "news"), "--archive", str(archive), "-q")
    assert ingested.returncode == 0, ingested.stderr
    holder = hold_lock(archive)
    try:
        searched = jiwen("search", "招聘", "--archive", str(archive), "--json")
        exported = jiwen("export", "--format", "jsonl", "--all", "--archive", str(archive))
        history = jiwen("runs", "--archive", str(archive))
        blocked = jiwen("ingest", str(SCHEDULE_SITE / "news"), "--archive", str(archive), "-q")
    finally:
        holder.kill()
        holder.wait()
    assert searched.returncode == 0, searched.stderr
    assert json.loads(searched.stdout)["total"] > 0
    assert exported.returncode == 0 and len(exported.stdout.splitlines()) == 10
    assert history.returncode == 0 and "ingest" in history.stdout
    assert blocked.returncode == 1 and f"pid {holder.pid}" in blocked.stderr


def test_a_second_crawl_of_a_busy_archive_exits_1_with_one_line_naming_the_first(tmp_path):
    archive = tmp_path / "archive"
    with serve_site(SCHEDULE_SITE) as server:
        # Throttled (politeness on), the full list keeps the first crawl busy for many seconds.
        first = start_jiwen("crawl", "--url", server.base_url + "/", "--archive", str(archive), log_to=tmp_path / "first.log")
        try:
            wait_for(
                lambda: (archive / "writer.lock").exists() and lock_record(archive).get("pid") == first.pid,
                timeout=120,
                what="the first crawl to take the lock",
                process=first,
            )
            second = subprocess.run(
                [sys.executable, "-m", "jiwen", "crawl", "--url", server.base_url + "/", "--archive", str(archive)],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert first.poll() is None, "the first crawl ended before the second tried; the test proves nothing"
            # Scrapy handles SIGTERM once its crawl runs; before that (start-up) it would just die.
            wait_for(lambda: article_count(archive) >= 1, timeout=120, what="the first article", process=first)
        finally:
            first.send_signal(signal.SIGTERM)  # Scrapy's graceful stop
            first.wait(timeout=120)
    assert second.returncode == 1
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert lines[0].startswith("jiwen: archive ") and f"is locked by pid {first.pid} (jiwen crawl)" in lines[0]
    assert second.stdout == ""
    assert first.returncode == 0, (tmp_path / "first.log").read_text()
