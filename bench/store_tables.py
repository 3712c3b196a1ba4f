"""Where an archive's bytes go: every table and index of its store, in bytes an article, from
SQLite's `dbstat` (every page read: minutes for a store of tens of gigabytes). Read-only.

    python bench/store_tables.py ARCHIVE_DIR
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", type=Path, help="an archive folder (its archive.sqlite3 is read)")
    arguments = parser.parse_args()
    started = time.perf_counter()
    db = sqlite3.connect(f"file:{arguments.archive / 'archive.sqlite3'}?mode=ro", uri=True)
    articles = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] or 1
    rows = db.execute("SELECT name, SUM(pgsize), SUM(ncell) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    page_size, pages, free = (db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_size", "page_count", "freelist_count"))
    print(f"{'table or index':<32}{'MB':>10}{'bytes/article':>15}{'cells':>13}")
    for name, size, cells in rows:
        if size:
            print(f"{name:<32}{size / 2**20:>10.1f}{size / articles:>15,.0f}{cells:>13,}")
    used = sum(size for _, size, _ in rows)
    print(f"{'all tables and indexes':<32}{used / 2**20:>10.1f}{used / articles:>15,.0f}")
    print(
        f"file: {pages * page_size / articles:,.0f} bytes an article ({free:,} free pages); {articles:,} articles; {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
