"""The archive store: one SQLite database in the archive folder. The only module that writes SQL.

What it keeps:
- `pages`: every page exactly as fetched (zstd-compressed bytes, URL, final URL, fetch time, HTTP
  status, the headers that matter, declared/detected encoding, sha256). Never rewritten: a page that
  changed is a new row.
- `articles`: the extracted article of the newest page of each canonical URL, as the model's JSON,
  plus the columns search and export filter on. Its id is derived from the canonical URL, so it is
  stable across re-extraction and re-indexing.
- `facts`: one row per fact (kind, text, offsets, and the fact's JSON), for export and for anyone
  who opens the database with sqlite3 or datasette.
- `runs` and `fetch_errors`: crawl history.

Crash safety: an article and its facts are written in one transaction. The page is stored first, so
a process killed while extracting leaves a page without its article; the next writer extracts it
from the stored bytes (`unprocessed_pages`). The index lags the store by design: `articles.indexed`
is 0 until the index commit that holds the article, and every writer first catches up on those rows.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgspec
import zstandard
from w3lib.url import canonicalize_url

from .errors import ArchiveError
from .models import Article, ArchivedArticle, Fact, FetchedPage, fact_kind

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    final_url TEXT,
    site TEXT,
    fetched_at TEXT NOT NULL,
    status INTEGER,
    headers TEXT NOT NULL DEFAULT '{}',
    content_type TEXT,
    declared_encoding TEXT,
    detected_encoding TEXT,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    compression TEXT NOT NULL,
    body BLOB NOT NULL,
    run_id INTEGER,
    error TEXT,
    UNIQUE (url, sha256)
);
CREATE INDEX IF NOT EXISTS pages_final_url ON pages(final_url);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    page_id INTEGER NOT NULL REFERENCES pages(id),
    site TEXT,
    title TEXT,
    published TEXT,
    month TEXT,
    relevant INTEGER NOT NULL DEFAULT 1,
    relevance REAL,
    fingerprint INTEGER,
    band0 INTEGER, band1 INTEGER, band2 INTEGER, band3 INTEGER, band4 INTEGER, band5 INTEGER,
    duplicate_of TEXT,
    fact_count INTEGER NOT NULL DEFAULT 0,
    data BLOB NOT NULL,
    fetched_at TEXT,
    extracted_at TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    indexed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS articles_band0 ON articles(band0);
CREATE INDEX IF NOT EXISTS articles_band1 ON articles(band1);
CREATE INDEX IF NOT EXISTS articles_band2 ON articles(band2);
CREATE INDEX IF NOT EXISTS articles_band3 ON articles(band3);
CREATE INDEX IF NOT EXISTS articles_band4 ON articles(band4);
CREATE INDEX IF NOT EXISTS articles_band5 ON articles(band5);
CREATE INDEX IF NOT EXISTS articles_indexed ON articles(indexed);
CREATE INDEX IF NOT EXISTS articles_changed ON articles(changed_at);
CREATE INDEX IF NOT EXISTS articles_page ON articles(page_id);
CREATE TABLE IF NOT EXISTS facts (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (article_id, seq)
);
CREATE INDEX IF NOT EXISTS facts_kind ON facts(kind);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    site TEXT,
    args TEXT NOT NULL DEFAULT '{}',
    pid INTEGER,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT NOT NULL DEFAULT 'running',
    report TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS fetch_errors (
    id INTEGER PRIMARY KEY,
    run_id INTEGER,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    status INTEGER,
    message TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fetch_errors_run ON fetch_errors(run_id);
"""

_ARTICLE_ENCODER = msgspec.json.Encoder()
_ARTICLE_DECODER = msgspec.json.Decoder(Article)
_FACT_DECODER = msgspec.json.Decoder(Fact)
_COMPRESSOR = zstandard.ZstdCompressor(level=6)
_DECOMPRESSOR = zstandard.ZstdDecompressor()


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def canonical_url(url: str) -> str:
    return canonicalize_url(url, keep_fragments=False) if "://" in url else url


def article_id_for(url: str) -> str:
    """Stable id: derived from the canonical URL only, so analysts can join two exports."""
    return hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:16]


def _signed64(value: int) -> int:
    """SQLite integers are signed 64-bit."""
    return value - (1 << 64) if value >= (1 << 63) else value


# Near-duplicate lookup: the 64 fingerprint bits cut into six bands. Two fingerprints within
# NEAR_DUPLICATE_BITS (5) bits agree exactly on at least one band (pigeonhole), so six indexed
# equality lookups find every candidate without scanning the table. Five bits, not three: on
# articles of a few hundred characters an added 记者 credit or 相关阅读 line moves 4-5 bits,
# while unrelated articles stay about 32 bits apart.
BAND_WIDTHS = (11, 11, 11, 11, 10, 10)
NEAR_DUPLICATE_BITS = len(BAND_WIDTHS) - 1


def _bands(fingerprint: int) -> list[int]:
    bands, shift = [], 0
    for width in BAND_WIDTHS:
        bands.append((fingerprint >> shift) & ((1 << width) - 1))
        shift += width
    return bands


class Archive:
    """An archive folder: archive.sqlite3, the Whoosh index in index/, logs, crawl job state."""

    def __init__(self, directory: Path | str, *, create: bool = True) -> None:
        self.directory = Path(directory).expanduser()
        self.db_path = self.directory / "archive.sqlite3"
        if not self.db_path.exists() and not create:
            raise ArchiveError(
                f"no archive at {self.directory}; run 'jiwen ingest' or 'jiwen crawl' first, "
                "or point --archive / JIWEN_ARCHIVE at an existing one"
            )
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise ArchiveError(f"cannot open archive at {self.directory}: {error}") from None
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.db_path} is not a usable jiwen archive: {error}") from None

    @property
    def index_dir(self) -> Path:
        return self.directory / "index"

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _migrate(self) -> None:
        row = None
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.OperationalError:
            pass
        if row is not None and int(row[0]) > SCHEMA_VERSION:
            raise ArchiveError(
                f"archive {self.directory} was written by a newer jiwen (schema {row[0]}); upgrade jiwen"
            )
        if row is None:
            self.db.executescript(_SCHEMA)
            self.db.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )

    # -- pages ---------------------------------------------------------------------------

    def add_page(
        self,
        page: FetchedPage,
        *,
        run_id: int | None = None,
        declared_encoding: str | None = None,
    ) -> tuple[int, bool]:
        """Archive the page bytes. Returns (page id, whether these bytes are new for this URL)."""
        digest = hashlib.sha256(page.body).hexdigest()
        existing = self.db.execute(
            "SELECT id FROM pages WHERE url = ? AND sha256 = ?", (page.url, digest)
        ).fetchone()
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
                _COMPRESSOR.compress(page.body),
                run_id,
            ),
        )
        return cursor.lastrowid, True

    def set_page_outcome(self, page_id: int, *, detected_encoding: str | None, error: str | None) -> None:
        self.db.execute(
            "UPDATE pages SET detected_encoding = ?, error = ? WHERE id = ?", (detected_encoding, error, page_id)
        )

    def get_page(self, page_id: int) -> FetchedPage:
        row = self.db.execute("SELECT * FROM pages WHERE id = ?", (page_id,)).fetchone()
        if row is None:
            raise ArchiveError(f"no page {page_id} in {self.directory}")
        return _page_from_row(row)

    def latest_pages(self) -> Iterator[tuple[int, FetchedPage]]:
        """The newest page of every URL, for re-extraction."""
        rows = self.db.execute(
            "SELECT * FROM pages WHERE id IN (SELECT MAX(id) FROM pages GROUP BY url) ORDER BY id"
        )
        for row in rows:
            yield row["id"], _page_from_row(row)

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
        row = self.db.execute(
            "SELECT 1 FROM pages WHERE url = ? OR final_url = ? LIMIT 1", (url, url)
        ).fetchone()
        return row is not None

    def archived_urls(self) -> set[str]:
        urls: set[str] = set()
        for url, final_url in self.db.execute("SELECT url, final_url FROM pages"):
            urls.add(url)
            if final_url:
                urls.add(final_url)
        return urls

    def page_validators(self, url: str) -> tuple[str | None, str | None] | None:
        """ETag and Last-Modified of the newest fetch of `url`, for a conditional request."""
        row = self.db.execute(
            "SELECT headers FROM pages WHERE url = ? ORDER BY id DESC LIMIT 1", (url,)
        ).fetchone()
        if row is None:
            return None
        headers = {key.lower(): value for key, value in json.loads(row[0]).items()}
        return headers.get("etag"), headers.get("last-modified")

    # -- articles ------------------------------------------------------------------------

    def article_for_url(self, url: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT id, page_id, duplicate_of FROM articles WHERE id = ?", (article_id_for(url),)
        ).fetchone()
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
    ) -> tuple[str, str]:
        """Insert or replace the article of this page's URL with its facts, in one transaction.
        Returns (article id, "new" | "updated")."""
        url = page.final_url or page.url
        article_id = article_id_for(url)
        facts = article.facts
        stored = msgspec.structs.replace(article, facts=[], url=article.url or url)
        published = article.published
        month = published[:7] if published and len(published) >= 7 else None
        bands = _bands(fingerprint) if fingerprint is not None else [None] * len(BAND_WIDTHS)
        timestamp = now_utc()
        with self.transaction():
            existed = self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
            self.db.execute("DELETE FROM facts WHERE article_id = ?", (article_id,))
            self.db.execute(
                """INSERT INTO articles (id, url, page_id, site, title, published, month, relevant,
                       relevance, fingerprint, band0, band1, band2, band3, band4, band5, duplicate_of, fact_count,
                       data, fetched_at, extracted_at, changed_at, indexed)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
                   ON CONFLICT(id) DO UPDATE SET
                       page_id=excluded.page_id, site=excluded.site, title=excluded.title,
                       published=excluded.published, month=excluded.month, relevant=excluded.relevant,
                       relevance=excluded.relevance, fingerprint=excluded.fingerprint,
                       band0=excluded.band0, band1=excluded.band1, band2=excluded.band2,
                       band3=excluded.band3, band4=excluded.band4, band5=excluded.band5,
                       duplicate_of=excluded.duplicate_of,
                       fact_count=excluded.fact_count, data=excluded.data,
                       fetched_at=excluded.fetched_at, extracted_at=excluded.extracted_at,
                       changed_at=excluded.changed_at, indexed=0""",
                (
                    article_id,
                    url,
                    page_id,
                    page.site,
                    article.title,
                    published,
                    month,
                    int(relevant),
                    relevance,
                    _signed64(fingerprint) if fingerprint is not None else None,
                    *bands,
                    duplicate_of,
                    len(facts),
                    _ARTICLE_ENCODER.encode(stored),
                    page.fetched_at or timestamp,
                    timestamp,
                    timestamp,
                ),
            )
            self.db.executemany(
                'INSERT INTO facts (article_id, seq, kind, text, start, "end", data) VALUES (?, ?, ?, ?, ?, ?, ?)',
                [
                    (article_id, seq, fact_kind(fact), fact.text, fact.start, fact.end, _ARTICLE_ENCODER.encode(fact))
                    for seq, fact in enumerate(facts)
                ],
            )
        return article_id, "updated" if existed else "new"

    def fingerprint_scheme(self) -> str | None:
        """How the stored near-duplicate fingerprints were computed (see refingerprint)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'fingerprint_scheme'").fetchone()
        return row[0] if row else None

    def refingerprint(self, scheme: str, compute: Callable[[str], int | None], *, chunk: int = 500) -> int:
        """Recompute every article's fingerprint from its stored body with `compute` and record
        `scheme`: fingerprints of two schemes cannot be compared. Returns how many articles."""
        ids = [article_id for (article_id,) in self.db.execute("SELECT id FROM articles ORDER BY id")]
        with self.transaction():
            for start in range(0, len(ids), chunk):
                wanted = ids[start : start + chunk]
                rows = self.db.execute(
                    f"SELECT id, data FROM articles WHERE id IN ({','.join('?' * len(wanted))})", wanted
                ).fetchall()
                updates = []
                for article_id, data in rows:
                    fingerprint = compute(_ARTICLE_DECODER.decode(data).body)
                    bands = _bands(fingerprint) if fingerprint is not None else [None] * len(BAND_WIDTHS)
                    signed = _signed64(fingerprint) if fingerprint is not None else None
                    updates.append((signed, *bands, article_id))
                self.db.executemany(
                    """UPDATE articles SET fingerprint = ?, band0 = ?, band1 = ?, band2 = ?, band3 = ?,
                           band4 = ?, band5 = ? WHERE id = ?""",
                    updates,
                )
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('fingerprint_scheme', ?)", (scheme,))
        return len(ids)

    def near_duplicate_of(
        self,
        fingerprint: int,
        *,
        exclude_id: str,
        max_distance: int = NEAR_DUPLICATE_BITS,
        confirm: Callable[[str], bool] | None = None,
    ) -> str | None:
        """The oldest original article whose SimHash is within `max_distance` bits (at most
        NEAR_DUPLICATE_BITS: the bands find no candidates beyond that) and that `confirm` (given
        the candidate's id) accepts."""
        bands = _bands(fingerprint)
        rows = self.db.execute(
            """SELECT id, fingerprint FROM articles
               WHERE (band0 = ? OR band1 = ? OR band2 = ? OR band3 = ? OR band4 = ? OR band5 = ?)
                 AND id != ? AND duplicate_of IS NULL
               ORDER BY extracted_at, id""",
            (*bands, exclude_id),
        ).fetchall()
        for article_id, other in rows:
            close = other is not None and bin((other & 0xFFFFFFFFFFFFFFFF) ^ fingerprint).count("1") <= max_distance
            if close and (confirm is None or confirm(article_id)):
                return article_id
        return None

    def article_body(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT data FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _ARTICLE_DECODER.decode(row[0]).body if row else None

    def get_articles(self, ids: Iterable[str]) -> list[ArchivedArticle]:
        wanted = list(ids)
        found: dict[str, ArchivedArticle] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            facts_by_article: dict[str, list[Fact]] = {}
            for row in self.db.execute(
                f"SELECT article_id, data FROM facts WHERE article_id IN ({marks}) ORDER BY article_id, seq", chunk
            ):
                facts_by_article.setdefault(row[0], []).append(_FACT_DECODER.decode(row[1]))
            for row in self.db.execute(f"SELECT * FROM articles WHERE id IN ({marks})", chunk):
                found[row["id"]] = _archived_from_row(row, facts_by_article.get(row["id"], []))
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
                row[0]
                for row in self.db.execute(
                    f"SELECT id FROM articles {clause} ORDER BY id LIMIT ?", (*params, last_id, batch_size)
                )
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
        add, delete = [], []
        for article_id, duplicate_of in self.db.execute(
            "SELECT id, duplicate_of FROM articles WHERE indexed = 0 ORDER BY id"
        ):
            (delete if duplicate_of else add).append(article_id)
        return add, delete

    def mark_indexed(self, ids: Iterable[str]) -> None:
        id_list = list(ids)
        with self.transaction():
            for start in range(0, len(id_list), 500):
                chunk = id_list[start : start + 500]
                self.db.execute(
                    f"UPDATE articles SET indexed = 1 WHERE id IN ({','.join('?' * len(chunk))})", chunk
                )

    def mark_all_unindexed(self) -> None:
        self.db.execute("UPDATE articles SET indexed = 0")

    # -- runs ----------------------------------------------------------------------------

    def start_run(self, kind: str, site: str | None, args: dict | None = None) -> int:
        self.mark_abandoned_runs()
        cursor = self.db.execute(
            "INSERT INTO runs (kind, site, args, pid, started_at) VALUES (?, ?, ?, ?, ?)",
            (kind, site, json.dumps(args or {}, ensure_ascii=False), os.getpid(), now_utc()),
        )
        return cursor.lastrowid

    def finish_run(self, run_id: int, outcome: str, report: dict) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at = ?, outcome = ?, report = ? WHERE id = ?",
            (now_utc(), outcome, json.dumps(report, ensure_ascii=False), run_id),
        )

    def mark_abandoned_runs(self) -> list[int]:
        """Runs still 'running' whose process is gone (killed, crashed, machine rebooted) become
        'killed', so the history shows them at a glance. Called as a writer starts a run."""
        abandoned = []
        for run_id, pid in self.db.execute("SELECT id, pid FROM runs WHERE outcome = 'running'").fetchall():
            if pid != os.getpid() and not _process_alive(pid):
                abandoned.append(run_id)
        for run_id in abandoned:
            self.db.execute(
                "UPDATE runs SET outcome = 'killed', finished_at = ? WHERE id = ? AND outcome = 'running'",
                (now_utc(), run_id),
            )
        return abandoned

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        result = []
        for row in rows:
            entry = dict(row)
            entry["args"] = json.loads(entry["args"])
            entry["report"] = json.loads(entry["report"])
            result.append(entry)
        return result

    def record_fetch_error(
        self, run_id: int | None, url: str, kind: str, status: int | None, message: str
    ) -> None:
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

    # -- statistics ----------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        one = lambda sql: self.db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "pages": one("SELECT COUNT(*) FROM pages"),
            "pages_failed": one("SELECT COUNT(*) FROM pages WHERE error IS NOT NULL"),
            "articles": one("SELECT COUNT(*) FROM articles"),
            "relevant": one("SELECT COUNT(*) FROM articles WHERE relevant = 1 AND duplicate_of IS NULL"),
            "offtopic": one("SELECT COUNT(*) FROM articles WHERE relevant = 0"),
            "duplicates": one("SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL"),
            "facts": one("SELECT COUNT(*) FROM facts"),
            "raw_bytes": one("SELECT COALESCE(SUM(size), 0) FROM pages"),
            "facts_by_kind": dict(self.db.execute("SELECT kind, COUNT(*) FROM facts GROUP BY kind ORDER BY 2 DESC").fetchall()),
            "articles_by_site": dict(
                self.db.execute(
                    "SELECT COALESCE(site, '(local)'), COUNT(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"
                ).fetchall()
            ),
            "articles_by_month": dict(
                self.db.execute(
                    "SELECT COALESCE(month, '(undated)'), COUNT(*) FROM articles GROUP BY 1 ORDER BY 1"
                ).fetchall()
            ),
        }

    # -- plumbing ------------------------------------------------------------------------

    def transaction(self) -> "_Transaction":
        return _Transaction(self.db)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error; nests as a no-op."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.outer = False

    def __enter__(self) -> None:
        if not self.db.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")
            self.outer = True

    def __exit__(self, exc_type, exc, traceback) -> None:
        if not self.outer:
            return
        if exc_type is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")


def _process_alive(pid: int | None) -> bool:
    """Whether a process with this pid exists here. A reused pid reads as alive: the run then
    stays 'running' until that process is gone too, never wrongly marked killed."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


def _page_from_row(row: sqlite3.Row) -> FetchedPage:
    return FetchedPage(
        url=row["url"],
        body=_DECOMPRESSOR.decompress(row["body"]),
        final_url=row["final_url"],
        status=row["status"],
        fetched_at=row["fetched_at"],
        headers=json.loads(row["headers"]),
        site=row["site"],
        content_type=row["content_type"],
    )


def _archived_from_row(row: sqlite3.Row, facts: list[Fact]) -> ArchivedArticle:
    article = _ARTICLE_DECODER.decode(row["data"])
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
