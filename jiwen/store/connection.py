"""Opening the archive's database, its schema and migrations, and transactions."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from ..errors import ArchiveError

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
CREATE INDEX IF NOT EXISTS articles_duplicate_of ON articles(duplicate_of);
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


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Connection:
    """The archive folder and its open database; the table modules' mixins build on `db`."""

    def __init__(self, directory: Path | str, *, create: bool = True, read_only: bool = False) -> None:
        self.directory = Path(directory).expanduser()
        self.db_path = self.directory / "archive.sqlite3"
        if read_only:
            self._open_read_only()
            return
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

    def _open_read_only(self) -> None:
        """A reader (jiwen serve, trends): SQLite's mode=ro, so nothing is created, migrated or
        switched to WAL, and as a WAL reader it never blocks the writer nor sees half a commit."""
        if not self.db_path.is_file():
            raise ArchiveError(
                f"no archive at {self.directory}; run 'jiwen ingest' or 'jiwen crawl' first, "
                "or point --archive / JIWEN_ARCHIVE at an existing one"
            )
        try:
            self.db = sqlite3.connect(f"{self.db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as error:
            raise ArchiveError(f"{self.db_path} is not a usable jiwen archive: {error}") from None
        if row is None or int(row[0]) > SCHEMA_VERSION:
            raise ArchiveError(f"{self.db_path} is not an archive this jiwen can read (schema {row[0] if row else 'none'})")

    @property
    def index_dir(self) -> Path:
        return self.directory / "index"

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
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
        # Archives from before this index: the copies of an article (get_articles) were a scan of
        # the whole articles table, 140 ms at 10,000 articles. Built once by the next writer.
        self.db.execute("CREATE INDEX IF NOT EXISTS articles_duplicate_of ON articles(duplicate_of)")

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
