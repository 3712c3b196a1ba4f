"""The counts `jiwen stats` shows, over every table."""

from __future__ import annotations

from typing import Any

from jiwen.store.connection import Connection


class Statistics(Connection):
    """Archive-wide counts."""

    def has_site(self, site: str) -> bool:
        """Whether any article comes from `site` (without counting every table as `stats` does)."""
        return self.db.execute("SELECT 1 FROM articles WHERE site = ? LIMIT 1", (site,)).fetchone() is not None

    def stats(self) -> dict[str, Any]:
        def one(sql: str) -> Any:
            return self.db.execute(sql).fetchone()[0]

        return {
            "pages": one("SELECT COUNT(*) FROM pages"),
            "pages_failed": one("SELECT COUNT(*) FROM pages WHERE error IS NOT NULL"),
            "articles": one("SELECT COUNT(*) FROM articles"),
            "relevant": one("SELECT COUNT(*) FROM articles WHERE relevant = 1 AND duplicate_of IS NULL"),
            "offtopic": one("SELECT COUNT(*) FROM articles WHERE relevant = 0"),
            "duplicates": one("SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL"),
            "facts": one("SELECT COALESCE(SUM(fact_count), 0) FROM articles"),
            "raw_bytes": one("SELECT COALESCE(SUM(size), 0) FROM pages"),
            "facts_by_kind": dict(
                self.db.execute(
                    "SELECT kind, COUNT(*) FROM facts GROUP BY kind ORDER BY 2 DESC, 1"
                    if self._facts_in_rows()  # schema 1, read before a writer migrated it
                    else """SELECT kinds.key, SUM(kinds.value) FROM articles, json_each(articles.fact_kinds) AS kinds
                       WHERE articles.fact_kinds IS NOT NULL GROUP BY kinds.key ORDER BY 2 DESC, 1"""
                ).fetchall()
            ),
            "articles_by_site": dict(
                self.db.execute("SELECT COALESCE(site, '(local)'), COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC").fetchall()
            ),
            "articles_by_month": dict(
                self.db.execute("SELECT COALESCE(month, '(undated)'), COUNT(*) FROM articles GROUP BY 1 ORDER BY 1").fetchall()
            ),
        }
