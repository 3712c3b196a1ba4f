"""The `watches` and `watch_matches` tables: saved searches, and the articles each has matched,
so that a crawl (or `jiwen watch check`) can tell which matches are new."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from jiwen.store.connection import WATCH_SCHEMA, Connection, now_utc


def create_watch_tables(db: sqlite3.Connection) -> None:
    """Inside the caller's transaction (schema 2 -> 3, with the facts table)."""
    for statement in WATCH_SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


class Watches(Connection):
    def _has_watch_tables(self) -> bool:
        return bool(self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'watches'").fetchone())

    def add_watch(self, name: str, query: str, place: str | None, program: str | None, site: str | None) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT INTO watches (name, query, place, program, site, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (name, query, place, program, site, now_utc()),
            )

    def remove_watch(self, name: str) -> bool:
        with self.transaction():
            self.db.execute("DELETE FROM watch_matches WHERE watch = ?", (name,))
            return self.db.execute("DELETE FROM watches WHERE name = ?", (name,)).rowcount > 0

    def watches(self) -> list[dict[str, Any]]:
        """Every watch with how many articles it has matched and when it last matched a new one."""
        if not self._has_watch_tables():
            return []
        rows = self.db.execute(
            "SELECT watches.name, watches.query, watches.place, watches.program, watches.site, watches.created_at, "
            "COUNT(watch_matches.article_id) AS matches, MAX(watch_matches.matched_at) AS last_match "
            "FROM watches LEFT JOIN watch_matches ON watch_matches.watch = watches.name "
            "GROUP BY watches.name ORDER BY watches.name"
        )
        return [dict(row) for row in rows]

    def watch_matched_ids(self, name: str) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT article_id FROM watch_matches WHERE watch = ?", (name,))}

    def record_watch_matches(self, name: str, article_ids: Iterable[str]) -> None:
        timestamp = now_utc()
        with self.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO watch_matches (watch, article_id, matched_at) VALUES (?, ?, ?)",
                [(name, article_id, timestamp) for article_id in article_ids],
            )
