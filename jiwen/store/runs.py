"""The `runs` and `fetch_errors` tables: crawl, ingest and maintenance history."""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

from jiwen.core.pids import process_alive
from jiwen.store.connection import Connection, now_utc


class Runs(Connection):
    """Starting, finishing and listing runs; recording fetch errors."""

    def start_run(self, kind: str, site: str | None, args: dict[str, Any] | None = None) -> int:
        self.mark_abandoned_runs()
        cursor = self.db.execute(
            "INSERT INTO runs (kind, site, args, pid, started_at) VALUES (?, ?, ?, ?, ?)",
            (kind, site, json.dumps(args or {}, ensure_ascii=False), os.getpid(), now_utc()),
        )
        assert cursor.lastrowid is not None  # an INSERT always sets it
        return cursor.lastrowid

    def finish_run(self, run_id: int, outcome: str, report: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at = ?, outcome = ?, report = ? WHERE id = ?",
            (now_utc(), outcome, json.dumps(report, ensure_ascii=False), run_id),
        )

    def mark_abandoned_runs(self) -> list[int]:
        """Runs still 'running' whose process is gone (killed, crashed, machine rebooted) become
        'killed', so the history shows them at a glance. Called as a writer starts a run."""
        abandoned = []
        for run_id, pid in self.db.execute("SELECT id, pid FROM runs WHERE outcome = 'running'").fetchall():
            if pid != os.getpid() and not process_alive(pid):
                abandoned.append(run_id)
        for run_id in abandoned:
            self.db.execute(
                "UPDATE runs SET outcome = 'killed', finished_at = ? WHERE id = ? AND outcome = 'running'",
                (now_utc(), run_id),
            )
        return abandoned

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [_run_of(row) for row in rows]

    def crawl_runs_of(self, site: str, limit: int = 200) -> list[dict[str, Any]]:
        """Crawl runs that included this site (alone or with others), newest first."""
        rows = self.db.execute(
            """SELECT * FROM runs WHERE kind = 'crawl' AND (site = ? OR EXISTS (
                   SELECT 1 FROM json_each(runs.args, '$.sites') WHERE value = ?))
               ORDER BY id DESC LIMIT ?""",
            (site, site, limit),
        ).fetchall()
        return [_run_of(row) for row in rows]

    def record_fetch_error(self, run_id: int | None, url: str, kind: str, status: int | None, message: str) -> None:
        self.db.execute(
            "INSERT INTO fetch_errors (run_id, url, kind, status, message, at) VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, url, kind, status, message, now_utc()),
        )

    def fetch_errors(self, run_id: int | None = None) -> list[dict[str, Any]]:
        if run_id is None:
            rows = self.db.execute("SELECT * FROM fetch_errors ORDER BY id")
        else:
            rows = self.db.execute("SELECT * FROM fetch_errors WHERE run_id = ? ORDER BY id", (run_id,))
        return [dict(row) for row in rows]


def _run_of(row: sqlite3.Row) -> dict[str, Any]:
    entry = dict(row)
    entry["args"] = json.loads(entry["args"])
    entry["report"] = json.loads(entry["report"])
    return entry
