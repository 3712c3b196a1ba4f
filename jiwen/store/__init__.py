"""The archive store: one SQLite database in the archive folder. The only package that writes SQL.

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

Layout, one module per concern, combined into `Archive` (archive.py):
- connection.py: opening the database, the schema and its migrations, transactions;
- pages.py: the raw pages; articles.py: articles and their index state; facts.py: fact rows;
- fingerprints.py: near-duplicate fingerprints and their bands; runs.py: runs and fetch errors;
- statistics.py: the counts `jiwen stats` shows.
"""

from jiwen.store.archive import Archive
from jiwen.store.articles import article_id_for, canonical_url
from jiwen.store.connection import SCHEMA_VERSION, now_utc
from jiwen.store.fingerprints import BAND_WIDTHS, NEAR_DUPLICATE_BITS

__all__ = [
    "Archive",
    "BAND_WIDTHS",
    "NEAR_DUPLICATE_BITS",
    "SCHEMA_VERSION",
    "article_id_for",
    "canonical_url",
    "now_utc",
]
