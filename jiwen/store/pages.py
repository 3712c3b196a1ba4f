"""The `pages` table: every page exactly as fetched, never rewritten."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator

from jiwen.core.errors import ArchiveError
from jiwen.core.models import FetchedPage
from jiwen.store.codec import COMPRESSOR, DECOMPRESSOR
from jiwen.store.connection import Connection, now_utc


class Pages(Connection):
    """Archiving page bytes and reading them back."""

    def add_page(
        self,
        page: FetchedPage,
        *,
        run_id: int | None = None,
        declared_encoding: str | None = None,
    ) -> tuple[int, bool]:
        """Archive the page bytes. Returns (page id, whether these bytes are new for this URL)."""
        digest = hashlib.sha256(page.body).hexdigest()
        existing = self.db.execute("SELECT id FROM pages WHERE url = ? AND sha256 = ?", (page.url, digest)).fetchone()
        if existing is not None:
            return existing[0], False
        cursor = self.db.execute(
            """INSERT INTO pages (url, final_url, site, fetched_at, status, headers, content_type,
                   declared_encoding, sha256, size, compression, body, run_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'zstd', ?, ?)""",
            (
                page.url,
                page.final_url,
                page.site,
                page.fetched_at or now_utc(),
                page.status,
                json.dumps(page.headers, ensure_ascii=False),
                page.content_type,
                declared_encoding,
                digest,
                len(page.body),
                COMPRESSOR.compress(page.body),
                run_id,
            ),
        )
        assert cursor.lastrowid is not None  # an INSERT always sets it
        return cursor.lastrowid, True

    def set_page_outcome(self, page_id: int, *, detected_encoding: str | None, error: str | None) -> None:
        self.db.execute("UPDATE pages SET detected_encoding = ?, error = ? WHERE id = ?", (detected_encoding, error, page_id))

    def page_of_article(self, article_id: str) -> FetchedPage | None:
        """The fetched page an article was extracted from, bytes exactly as archived (jiwen serve's /raw)."""
        row = self.db.execute(
            "SELECT pages.* FROM articles JOIN pages ON pages.id = articles.page_id WHERE articles.id = ?", (article_id,)
        ).fetchone()
        return _page_from_row(row) if row else None

    def get_page(self, page_id: int) -> FetchedPage:
        row = self.db.execute("SELECT * FROM pages WHERE id = ?", (page_id,)).fetchone()
        if row is None:
            raise ArchiveError(f"no page {page_id} in {self.directory}")
        return _page_from_row(row)

    def latest_pages(self, *, batch_size: int = 100) -> Iterator[tuple[int, FetchedPage]]:
        """The newest page of every URL, for re-extraction.

        Read in keyed batches, each query finished before the caller runs: the caller writes
        between pages, and a write on a connection that still holds a read snapshot fails with
        "database is locked" (SQLITE_BUSY_SNAPSHOT, no busy wait) as soon as another process
        (the background indexer) has committed since the snapshot began."""
        last_id = 0
        while True:
            rows = self.db.execute(
                """SELECT * FROM pages WHERE id > ?
                     AND id IN (SELECT MAX(id) FROM pages GROUP BY url) ORDER BY id LIMIT ?""",
                (last_id, batch_size),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield row["id"], _page_from_row(row)
            last_id = rows[-1]["id"]

    def latest_page_ids(self, *, site: str | None = None, batch_size: int = 1000) -> Iterator[int]:
        """The ids of `latest_pages` (of one `site`, if given), in the same order, read in keyed
        batches the same way (each query finished before the caller writes)."""
        last_id = 0
        where = " AND site = ?" if site is not None else ""
        while True:
            rows = self.db.execute(
                f"""SELECT id FROM pages WHERE id > ?{where}
                     AND id IN (SELECT MAX(id) FROM pages GROUP BY url) ORDER BY id LIMIT ?""",
                (last_id, *((site,) if site is not None else ()), batch_size),
            ).fetchall()
            if not rows:
                return
            yield from (row[0] for row in rows)
            last_id = rows[-1][0]

    def get_pages(self, page_ids: list[int]) -> list[tuple[int, FetchedPage]]:
        """The pages of `page_ids`, in that order (ids that name no page are left out)."""
        marks = ",".join("?" * len(page_ids))
        rows = {row["id"]: row for row in self.db.execute(f"SELECT * FROM pages WHERE id IN ({marks})", page_ids)}
        return [(page_id, _page_from_row(rows[page_id])) for page_id in page_ids if page_id in rows]

    def unprocessed_pages(self) -> list[int]:
        """Newest pages of their URL with neither an article nor a recorded error: the writer
        was killed after storing the page and before storing its article. Such a URL counts as
        archived (a crawl will not fetch it again), so its article must come from these bytes."""
        rows = self.db.execute(
            """SELECT id FROM pages
               WHERE error IS NULL AND id IN (SELECT MAX(id) FROM pages GROUP BY url)
                 AND NOT EXISTS (SELECT 1 FROM articles WHERE articles.page_id = pages.id)
               ORDER BY id"""
        )
        return [page_id for (page_id,) in rows]

    def has_page(self, url: str) -> bool:
        row = self.db.execute("SELECT 1 FROM pages WHERE url = ? OR final_url = ? LIMIT 1", (url, url)).fetchone()
        return row is not None

    def archived_urls(self) -> set[str]:
        urls: set[str] = set()
        for url, final_url in self.db.execute("SELECT url, final_url FROM pages"):
            urls.add(url)
            if final_url:
                urls.add(final_url)
        return urls

    def first_fetch_times(self, site: str) -> list[str]:
        """When each page (URL) of this site was first fetched: when its article was new. Oldest first."""
        rows = self.db.execute("SELECT MIN(fetched_at) FROM pages WHERE site = ? GROUP BY url ORDER BY 1", (site,)).fetchall()
        return [row[0] for row in rows]

    def page_validators(self, url: str) -> tuple[str | None, str | None] | None:
        """ETag and Last-Modified of the newest fetch of `url`, for a conditional request."""
        row = self.db.execute("SELECT headers FROM pages WHERE url = ? ORDER BY id DESC LIMIT 1", (url,)).fetchone()
        if row is None:
            return None
        headers = {key.lower(): value for key, value in json.loads(row[0]).items()}
        return headers.get("etag"), headers.get("last-modified")


def _page_from_row(row: sqlite3.Row) -> FetchedPage:
    return FetchedPage(
        url=row["url"],
        body=DECOMPRESSOR.decompress(row["body"]),
        final_url=row["final_url"],
        status=row["status"],
        fetched_at=row["fetched_at"],
        headers=json.loads(row["headers"]),
        site=row["site"],
        content_type=row["content_type"],
    )
