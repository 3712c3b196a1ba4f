"""Opening the archive's database, its schema and migrations, and transactions."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from jiwen.core.errors import ArchiveError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 5
# An upgrade that frees more than 1/VACUUM_WHEN_FREED of the file is followed by VACUUM.
VACUUM_WHEN_FREED = 4

# One plain row per figure (count, money, percent fact; schema 3), for SQL users and /facts:
# see fact_table.py.
FACT_TABLE_SCHEMA = """
CREATE TABLE IF NOT EXISTS facts (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    value NUMERIC,
    value_end NUMERIC,
    unit TEXT,
    qualifier TEXT,
    subject TEXT,
    measure TEXT,
    role TEXT,
    place TEXT,
    adcode TEXT,
    province TEXT,
    period_start TEXT,
    period_end TEXT,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    PRIMARY KEY (article_id, seq)
) WITHOUT ROWID;
"""

# What `/facts` reads instead of scanning the facts table (schema 4; see fact_summary.py): the
# figures counted by their filters, and which articles hold figures of a measure, place or
# period, in the order of the page (newest first). Empty text stands for none: key
# columns of a WITHOUT ROWID table cannot be NULL. meta's fact_counts_version changes with
# every change of fact_counts, so a reader that holds the counts in memory knows when to read
# them again.
FACT_SUMMARY_SCHEMA = """
CREATE TABLE IF NOT EXISTS fact_counts (
    on_topic INTEGER NOT NULL,
    kind TEXT NOT NULL,
    measure TEXT NOT NULL,
    role TEXT NOT NULL,
    region TEXT NOT NULL,
    province TEXT NOT NULL,
    year TEXT NOT NULL,
    site TEXT NOT NULL,
    figures INTEGER NOT NULL,
    PRIMARY KEY (on_topic, kind, measure, role, region, year, site)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fact_counts_empty ON fact_counts(figures) WHERE figures = 0;
CREATE TABLE IF NOT EXISTS fact_keys (
    key TEXT NOT NULL,
    published TEXT NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (key, published DESC, article_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS articles_published ON articles(published DESC, id);
"""

# Saved searches (`jiwen watch`) and the articles each has matched (schema 3).
WATCH_SCHEMA = """
CREATE TABLE IF NOT EXISTS watches (
    name TEXT PRIMARY KEY,
    query TEXT NOT NULL DEFAULT '',
    place TEXT,
    program TEXT,
    site TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS watch_matches (
    watch TEXT NOT NULL REFERENCES watches(name) ON DELETE CASCADE,
    article_id TEXT NOT NULL,
    matched_at TEXT NOT NULL,
    PRIMARY KEY (watch, article_id)
) WITHOUT ROWID;
"""

DUPLICATES_INDEX = "CREATE INDEX IF NOT EXISTS articles_duplicates ON articles(duplicate_of) WHERE duplicate_of IS NOT NULL"

_SCHEMA = (
    """
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
    facts BLOB,
    fact_kinds TEXT,
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
"""
    + FACT_TABLE_SCHEMA
    + FACT_SUMMARY_SCHEMA
    + WATCH_SCHEMA
    + """CREATE TABLE IF NOT EXISTS runs (
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
)


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Connection:
    """The archive folder and its open database; the table modules' mixins build on `db`."""

    # Schema upgrades, {N: a function that takes an archive at schema N to N+1 inside the open
    # transaction}; given by the class that assembles the tables (`jiwen.store.archive.Archive`),
    # which knows how each table was kept before.
    upgrades: dict[int, Callable[[sqlite3.Connection], object]] = {}
    _old_fact_rows: bool | None = None  # schema 1's layout, once looked up (see _facts_in_rows)

    def __init__(self, directory: Path | str, *, create: bool = True, read_only: bool = False) -> None:
        """Open the archive in `directory`. `create`: make the folder and the tables when absent.
        `read_only`: for commands that only read (stats, search, check, export, runs): SQLite's
        mode=ro, no table created, no switch to WAL, so a foreign file is never changed and an
        archive on read-only media or of another user can be read."""
        self.directory = Path(directory).expanduser()
        self.db_path = self.directory / "archive.sqlite3"
        self.read_only = read_only
        create = create and not read_only
        try:
            exists = self.db_path.exists()
        except OSError as error:
            raise ArchiveError(f"cannot open archive at {self.directory}: {error.strerror}") from None
        if not exists and not create:
            raise ArchiveError(
                f"no archive at {self.directory}; run 'jiwen ingest' or 'jiwen crawl' first, "
                "or point --archive / JIWEN_ARCHIVE at an existing one"
            )
        if exists:
            _refuse_empty_file(self.db_path, empty_ok=create)
        try:
            if read_only:
                self.db = _connect_read_only(self.db_path)
            else:
                self.directory.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        except sqlite3.DatabaseError as error:
            raise ArchiveError(_unusable(self.db_path, error)) from None
        except (OSError, sqlite3.Error) as error:
            raise ArchiveError(f"cannot open archive at {self.directory}: {error}") from None
        self.db.row_factory = sqlite3.Row
        try:
            if read_only:  # _connect_read_only has read it already
                self._check_schema()
                self._pin_unmigrated_snapshot()
                return
            # Read before anything is written: SQLite refuses garbage and a file shorter than its
            # header says here, so a writer never switches them to WAL.
            self.db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as error:
            self.db.close()
            raise ArchiveError(_unusable(self.db_path, error)) from None
        except ArchiveError:
            self.db.close()
            raise

    @property
    def index_dir(self) -> Path:
        return self.directory / "index"

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _schema_version(self) -> int | None:
        """The archive's schema version; None for a database with no tables at all (new); an
        ArchiveError for one with tables that are not jiwen's."""
        tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return None
        row = None
        if "meta" in tables:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            raise ArchiveError(
                f"{self.db_path} is not a usable jiwen archive: an SQLite database without jiwen's "
                "tables; point --archive at a jiwen archive folder"
            )
        version = int(row[0])
        if version > SCHEMA_VERSION:
            raise ArchiveError(f"archive {self.directory} was written by a newer jiwen (schema {version}); upgrade jiwen")
        return version

    def _facts_in_rows(self) -> bool:
        """Whether this archive keeps facts in schema 1's `facts` table (a reader may meet an
        archive that no writer has migrated yet) rather than in `articles.facts`."""
        layout: bool | None = getattr(self, "_old_fact_rows", None)
        if layout is None:
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(articles)")}
            layout = "facts" not in columns
            self._old_fact_rows = layout
        return layout

    def _pin_unmigrated_snapshot(self) -> None:
        """A reader of an archive older than SCHEMA_VERSION reads it in one snapshot: a writer may
        migrate it meanwhile, and every query of this reader must see the same layout. (A WAL
        reader's snapshot starts at its transaction's first read and never blocks the writer.)"""
        if (self._schema_version() or 0) >= SCHEMA_VERSION:
            return
        self.db.execute("BEGIN")
        self._schema_version()  # the snapshot starts here
        self._old_fact_rows = None
        self._facts_in_rows()

    def _check_schema(self) -> None:
        if self._schema_version() is None:
            raise ArchiveError(f"{self.db_path} holds no jiwen archive (an empty database); nothing to read")

    def _migrate(self) -> None:
        version = self._schema_version()
        if version is None:
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif version < SCHEMA_VERSION:
            self._upgrade(version)
        # The copies of an article (get_articles) are found through an index of the copies alone
        # (without one, a scan of the whole articles table: 140 ms at 10,000 articles). It used to
        # index every article, and SQLite's planner, which takes an indexed `IS NULL` for a rare
        # value, then read "the originals" (nearly every article) through it, sorted: the
        # near-duplicate look-up of every stored page took 129 ms at 100,000 articles instead of
        # 2.8 ms (through its band indexes), and each batch of an export or a reindex 64 ms
        # instead of 1 ms, 0.8-1.1 s at 1,000,000 (bench/duplicates_index.py). A partial index cannot answer `IS NULL`. Replaced once by
        # the next writer (both statements are no-ops afterwards).
        self.db.execute("DROP INDEX IF EXISTS articles_duplicate_of")
        self.db.execute(DUPLICATES_INDEX)
        # Archives written at schema 3 before watches came: their tables, made by the next writer.
        self.db.executescript(WATCH_SCHEMA)

    def _upgrade(self, version: int) -> None:
        """Bring an older archive to SCHEMA_VERSION in one transaction: killed midway, it stays as
        it was and the next writer starts over. Then VACUUM gives the freed pages back to the disk
        (itself atomic; an archive whose VACUUM was interrupted is migrated, only larger), when
        the upgrade freed a quarter of the file or more (1 -> 2 frees two thirds). VACUUM rewrites
        the whole file, which takes as long as a large upgrade and as much free disk as the
        archive: not worth it for an upgrade that only adds tables (3 -> 4) or frees a tenth
        (4 -> 5), whose freed pages the next articles fill. A VACUUM that fails (a full disk)
        leaves the upgraded archive as it is, with a warning."""
        # SQLite as Debian builds it zeroes every freed page (secure_delete): dropping schema 1's
        # facts table would write gigabytes of zeros, just before VACUUM rewrites the file anyway.
        secure_delete = self.db.execute("PRAGMA secure_delete").fetchone()[0]
        self.db.execute("PRAGMA secure_delete = OFF")
        with self.transaction():
            for step, upgrade in sorted(self.upgrades.items()):
                if version <= step:
                    upgrade(self.db)
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        free, pages = (self.db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("freelist_count", "page_count"))
        if free * VACUUM_WHEN_FREED > pages:
            try:
                self.db.execute("VACUUM")
            except sqlite3.OperationalError as error:
                log.warning(
                    "archive %s: upgraded, but giving %d MB of freed pages back to the disk failed (%s); "
                    "it works as it is, and new articles reuse them",
                    self.directory, free * self.db.execute("PRAGMA page_size").fetchone()[0] // 2**20, error,
                )  # fmt: skip
        self.db.execute(f"PRAGMA secure_delete = {int(secure_delete)}")

    def transaction(self) -> _Transaction:
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

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None) -> None:
        if not self.outer:
            return
        if exc_type is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")


def _refuse_empty_file(path: Path, *, empty_ok: bool) -> None:
    """A 0-byte file (a failed copy, a full disk) is NOT an empty archive, and the index beside it
    may hold the last copy of the text: refused in one line unless a writer may create the tables;
    so is a file too small to be a database.

    Only stat(): jiwen never opens the database file itself. Closing any descriptor of a file
    drops every POSIX lock this process holds on it (fcntl semantics), the locks of its open
    SQLite connections included; another process closing the archive then takes itself for the
    last one and deletes the write-ahead log under this process, whose connections go on reading
    a stale snapshot and may write over the committed pages (a reextract killed at random ended
    with a malformed store that way). Garbage and truncated files are refused by SQLite's own
    first read instead (`_unusable`)."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ArchiveError(f"cannot read {path}: {error.strerror}") from None
    if size == 0 and not empty_ok:
        raise ArchiveError(
            f"{path} is empty (0 bytes): not a jiwen archive; restore it from a backup (the search index beside it is left untouched)"
        )
    # Smaller than SQLite's smallest page: no database, but SQLite would read it as an empty one
    # (and a writer would write its tables over it).
    if 0 < size < 512:
        raise ArchiveError(f"{path} is not a usable jiwen archive: not an SQLite database ({size} bytes)")


def _unusable(path: Path, error: sqlite3.DatabaseError) -> str:
    """The one line for a database SQLite refuses to read: not a database at all, or damaged (a
    file shorter than its header says is SQLITE_CORRUPT on its first read)."""
    name = getattr(error, "sqlite_errorname", "")
    if name == "SQLITE_NOTADB":
        return f"{path} is not a usable jiwen archive: not an SQLite database"
    if name.startswith("SQLITE_CORRUPT"):
        return f"{path} is damaged ({error}): restore it from a backup"
    return f"{path} is not a usable jiwen archive: {error}"


def _connect_read_only(path: Path) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    except sqlite3.OperationalError:
        if os.access(path.parent, os.W_OK):
            raise
    else:
        try:
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.Error as error:
            db.close()
            if not isinstance(error, sqlite3.OperationalError) or os.access(path.parent, os.W_OK):
                raise
    # A WAL database in a folder this user cannot write (backup media, another user's archive):
    # SQLite cannot create the -shm file a WAL reader needs. Nothing can write there either, so
    # the file is read as immutable.
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None)
    db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    return db
