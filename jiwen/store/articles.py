"""The `articles` table: the extracted article of each canonical URL, and its index state."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

from jiwen.core.models import ArchivedArticle, Article, Fact, FetchedPage
from jiwen.store.codec import ARTICLE_DECODER, ARTICLE_ENCODER
from jiwen.store.connection import Connection, now_utc
from jiwen.store.fact_summary import article_figures, update_article_figures
from jiwen.store.fact_table import replace_fact_rows
from jiwen.store.facts import Facts, encode_facts
from jiwen.store.fingerprints import BAND_WIDTHS, bands_of, signed64


def canonical_url(url: str) -> str:
    # Imported here: w3lib takes a third of a second to import, and `jiwen search` never needs it.
    from w3lib.url import canonicalize_url

    return canonicalize_url(url, keep_fragments=False) if "://" in url else url


def article_id_for(url: str) -> str:
    """Stable id: derived from the canonical URL only, so analysts can join two exports."""
    return hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:16]


# The columns an article is written with that say what it is: the same values again leave the
# stored article as it is but for which page it was last taken from, and when (save_article).
_CONTENT = (
    "url, site, title, published, month, relevant, relevance, fingerprint, "
    "band0, band1, band2, band3, band4, band5, duplicate_of, fact_count, data, facts, fact_kinds"
)


class Articles(Facts, Connection):
    """Saving, reading and streaming articles; what the index still lacks."""

    def article_for_url(self, url: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT id, page_id, duplicate_of, relevant FROM articles WHERE id = ?", (article_id_for(url),)).fetchone()
        return dict(row) if row else None

    def save_article(
        self,
        page_id: int,
        page: FetchedPage,
        article: Article,
        *,
        relevant: bool,
        relevance: float,
        fingerprint: int | None,
        duplicate_of: str | None,
        page_outcome: bool = False,
    ) -> tuple[str, str]:
        """Insert or replace the article of this page's URL with its facts, in one transaction.
        With `page_outcome`, the page's outcome (decoded as `article.encoding`, no error) is
        recorded in the same transaction: one commit a page instead of two. Returns (article id,
        "new" | "updated" | "unchanged").

        An article stored exactly as it would be written now (same text, facts, relevance,
        near-duplicate link) is "unchanged": only its page (a new fetch of the same article), its
        `fetched_at` and its `extracted_at` move. Its facts rows, the summaries and its index entry
        are left as they are, and `changed_at` keeps saying when it last changed (what `export
        --changed-since` asks): a reextract after a rule change rewrites and re-indexes the
        articles the change touched, not the archive; a page fetched again with only its frame
        changed (a sidebar, a counter) costs no index write."""
        url = page.final_url or page.url
        article_id = article_id_for(url)
        facts = article.facts
        stored = msgspec.structs.replace(article, facts=[], url=article.url or url)
        published = article.published
        month = published[:7] if published and len(published) >= 7 else None
        bands = bands_of(fingerprint) if fingerprint is not None else [None] * len(BAND_WIDTHS)
        timestamp = now_utc()
        content = (
            url,
            page.site,
            article.title,
            published,
            month,
            int(relevant),
            relevance,
            signed64(fingerprint) if fingerprint is not None else None,
            *bands,
            duplicate_of,
            len(facts),
            ARTICLE_ENCODER.encode(stored),
            *encode_facts(article.body, facts),
        )
        fetched_at = page.fetched_at or timestamp
        with self.transaction():
            if page_outcome:
                self.db.execute("UPDATE pages SET detected_encoding = ?, error = NULL WHERE id = ?", (article.encoding, page_id))
            before = self.db.execute(f"SELECT {_CONTENT} FROM articles WHERE id = ?", (article_id,)).fetchone()
            if before is not None and tuple(before) == content:
                self.db.execute(
                    "UPDATE articles SET page_id = ?, fetched_at = ?, extracted_at = ? WHERE id = ?",
                    (page_id, fetched_at, timestamp, article_id),
                )
                return article_id, "unchanged"
            # Its share of /facts' summaries as they counted it, to be replaced by its new one.
            counted = article_figures(self.db, article_id) if before is not None else None
            self.db.execute(
                f"""INSERT INTO articles (id, {_CONTENT}, page_id, fetched_at, extracted_at, changed_at, indexed)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
                   ON CONFLICT(id) DO UPDATE SET
                       page_id=excluded.page_id, site=excluded.site, title=excluded.title,
                       published=excluded.published, month=excluded.month, relevant=excluded.relevant,
                       relevance=excluded.relevance, fingerprint=excluded.fingerprint,
                       band0=excluded.band0, band1=excluded.band1, band2=excluded.band2,
                       band3=excluded.band3, band4=excluded.band4, band5=excluded.band5,
                       duplicate_of=excluded.duplicate_of,
                       fact_count=excluded.fact_count, data=excluded.data,
                       facts=excluded.facts, fact_kinds=excluded.fact_kinds,
                       fetched_at=excluded.fetched_at, extracted_at=excluded.extracted_at,
                       changed_at=excluded.changed_at, indexed=0""",
                (article_id, *content, page_id, fetched_at, timestamp, timestamp),
            )
            replace_fact_rows(self.db, article_id, facts)
            update_article_figures(self.db, counted, article_figures(self.db, article_id))
        return article_id, "updated" if before is not None else "new"

    def article_body(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT data FROM articles WHERE id = ?", (article_id,)).fetchone()
        return ARTICLE_DECODER.decode(row[0]).body if row else None

    def get_articles(self, ids: Iterable[str]) -> list[ArchivedArticle]:
        wanted = list(ids)
        found: dict[str, ArchivedArticle] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            old_rows = self._old_facts_of(chunk)
            for row in self.db.execute(f"SELECT * FROM articles WHERE id IN ({marks})", chunk):
                article = ARTICLE_DECODER.decode(row["data"])
                facts = self._facts_of_row(row, article.body, old_rows)
                found[row["id"]] = _archived_from_row(row, article, facts)
        self._attach_duplicates(found)
        return [found[i] for i in wanted if i in found]

    def iter_articles(
        self,
        *,
        ids: Iterable[str] | None = None,
        changed_since: str | None = None,
        include_duplicates: bool = True,
        batch_size: int = 500,
    ) -> Iterator[ArchivedArticle]:
        """Every article with its facts, in id order, streamed in batches (constant memory)."""
        if ids is not None:
            id_list = list(ids)
            for start in range(0, len(id_list), batch_size):
                yield from self.get_articles(id_list[start : start + batch_size])
            return
        conditions, params = [], []
        if changed_since:
            conditions.append("changed_at >= ?")
            params.append(changed_since)
        if not include_duplicates:
            conditions.append("duplicate_of IS NULL")
        where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
        last_id = ""
        while True:
            clause = f"{where} {'AND' if where else 'WHERE'} id > ?"
            batch = [
                row[0] for row in self.db.execute(f"SELECT id FROM articles {clause} ORDER BY id LIMIT ?", (*params, last_id, batch_size))
            ]
            if not batch:
                return
            yield from self.get_articles(batch)
            last_id = batch[-1]

    def _attach_duplicates(self, articles: dict[str, ArchivedArticle]) -> None:
        if not articles:
            return
        ids = list(articles)
        marks = ",".join("?" * len(ids))
        for original, duplicate_url in self.db.execute(
            f"SELECT duplicate_of, url FROM articles WHERE duplicate_of IN ({marks}) ORDER BY url", ids
        ):
            articles[original].duplicates.append(duplicate_url)

    def ids_changed_since(self, timestamp: str) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM articles WHERE changed_at >= ?", (timestamp,))}

    def article_ids(self, *, indexable_only: bool = False) -> set[str]:
        where = " WHERE duplicate_of IS NULL" if indexable_only else ""
        return {row[0] for row in self.db.execute(f"SELECT id FROM articles{where}")}

    def pending_index(self) -> tuple[list[str], list[str]]:
        """Articles whose index entry lags the store: (to add or replace, to delete as duplicates)."""
        add: list[str] = []
        delete: list[str] = []
        for article_id, duplicate_of in self.db.execute("SELECT id, duplicate_of FROM articles WHERE indexed = 0 ORDER BY id"):
            (delete if duplicate_of else add).append(article_id)
        return add, delete

    def mark_indexed(self, ids: Iterable[str]) -> None:
        id_list = list(ids)
        with self.transaction():
            for start in range(0, len(id_list), 500):
                chunk = id_list[start : start + 500]
                self.db.execute(f"UPDATE articles SET indexed = 1 WHERE id IN ({','.join('?' * len(chunk))})", chunk)

    def mark_all_unindexed(self) -> None:
        self.db.execute("UPDATE articles SET indexed = 0")


def _archived_from_row(row: sqlite3.Row, article: Article, facts: list[Fact]) -> ArchivedArticle:
    fields = {name: getattr(article, name) for name in article.__struct_fields__}
    fields["facts"] = facts
    return ArchivedArticle(
        **fields,
        id=row["id"],
        site=row["site"],
        fetched_at=row["fetched_at"],
        relevant=bool(row["relevant"]),
        duplicate_of=row["duplicate_of"],
        duplicates=[],
    )
