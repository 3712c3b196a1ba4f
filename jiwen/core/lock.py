"""The archive's writer lock: one crawl, ingest or re-extraction writes to an archive at a time.

An advisory `flock` on <archive>/writer.lock. The kernel drops it when the holder dies, even on
SIGKILL, so a lock left behind by a killed process is never waited on: the next writer simply
takes it over. The file's content (pid, command, start time) only serves the error message.
Searches and exports never take it (SQLite WAL and Whoosh both let readers run during writes).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from jiwen.core.errors import ArchiveError, ArchiveLockedError

# In every "locked" message; `jiwen schedule` recognises a crawl turned away by the lock by it.
LOCKED_PHRASE = "is locked by"


class ArchiveLock:
    def __init__(self, archive_dir: Path, command: str = "jiwen") -> None:
        self.path = Path(archive_dir) / "writer.lock"
        self.command = command
        self._handle: IO[str] | None = None

    def acquire(self, wait_seconds: float = 0.0) -> ArchiveLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open as the lock until release()
        except OSError as error:
            raise ArchiveError(f"cannot create the lock file {self.path}: {error.strerror}; check the folder's permissions") from None
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _describe_holder(self.path)
                    handle.close()
                    raise ArchiveLockedError(
                        f"archive {self.path.parent} {LOCKED_PHRASE} {holder}; wait for it to finish or stop that process"
                    ) from None
                time.sleep(0.2)
        record = json.dumps(
            {
                "pid": os.getpid(),
                "command": self.command,
                "since": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(record)
            handle.flush()
        except OSError:
            # A full disk: the lock is held all the same (the record only names the holder in
            # others' messages); the writer's own first write reports the full disk in one line.
            pass
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            with contextlib.suppress(OSError):
                self._handle.seek(0)
                self._handle.truncate()
                self._handle.flush()
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        finally:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()


def _describe_holder(path: Path) -> str:
    info: dict = {}
    # The holder writes its record just after taking the lock: a writer arriving in that instant
    # reads an empty or half-written file, so look again briefly before giving up on the name.
    for _ in range(5):
        try:
            info = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            info = {}
        if info:
            break
        time.sleep(0.05)
    if not info:
        return "another process"
    return f"pid {info.get('pid')} ({info.get('command')}) since {info.get('since')}"
