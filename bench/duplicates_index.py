"""The store's index of near-duplicate copies, as it was (every article) and as it is (the copies
alone, a partial index), timed in one run on the same archive: the queries that ask for the
originals (`duplicate_of IS NULL`), which SQLite's planner read through the old index.

    python bench/duplicates_index.py --archive COPY [--lookups 200]

COPY is changed: its index is switched between the two forms (it ends in today's form, as the
next writer would leave it). Use a copy (e.g. of bench/scale.py's archive), not an archive you
need as it is. Timed, warm (each query run once before it is timed):

- the near-duplicate look-up the page pipeline makes for every stored article
  (`Archive.near_duplicate_of` with the fingerprint of an article of the archive);
- a batch of 500 ids as `jiwen export` and `jiwen reindex` read the archive (`iter_articles`
  without duplicates), from the middle of the id range.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from pathlib import Path

from jiwen.store.connection import DUPLICATES_INDEX
from jiwen.store.fingerprints import NEAR_DUPLICATE_CANDIDATES, bands_of

OLD_INDEX = "CREATE INDEX IF NOT EXISTS articles_duplicate_of ON articles(duplicate_of)"
NEAR = NEAR_DUPLICATE_CANDIDATES
BATCH = "SELECT id FROM articles WHERE duplicate_of IS NULL AND id > ? ORDER BY id LIMIT 500"


def timed(db: sqlite3.Connection, sql: str, values: tuple) -> float:
    started = time.perf_counter()
    db.execute(sql, values).fetchall()
    return (time.perf_counter() - started) * 1000


def plan(db: sqlite3.Connection, sql: str, values: tuple) -> str:
    return "; ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, values))


def measure(db: sqlite3.Connection, probes: list[tuple], middle: str) -> dict[str, tuple[float, float, str]]:
    results = {}
    timed(db, NEAR, probes[0])  # warm
    near = [timed(db, NEAR, probe) for probe in probes]
    results["near-duplicate look-up"] = (statistics.median(near), max(near), plan(db, NEAR, probes[0]))
    timed(db, BATCH, (middle,))
    batches = [timed(db, BATCH, (middle,)) for _ in range(5)]
    results["a batch of 500 originals"] = (statistics.median(batches), max(batches), plan(db, BATCH, (middle,)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path, required=True, help="an archive folder to change (a copy)")
    parser.add_argument("--lookups", type=int, default=200, help="near-duplicate look-ups timed in each form")
    options = parser.parse_args()
    db = sqlite3.connect(options.archive / "archive.sqlite3", isolation_level=None)
    articles = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    rng = random.Random(7)
    fingerprints = db.execute("SELECT id, fingerprint FROM articles WHERE fingerprint IS NOT NULL").fetchall()
    chosen = rng.sample(fingerprints, min(options.lookups, len(fingerprints)))
    probes = [(*bands_of(fingerprint & 0xFFFFFFFFFFFFFFFF), article_id) for article_id, fingerprint in chosen]
    middle = db.execute("SELECT id FROM articles ORDER BY id LIMIT 1 OFFSET ?", (articles // 2,)).fetchone()[0]
    print(f"{articles:,} articles; {len(probes)} look-ups, 5 batches, ms (median / max)")
    for label, statements in (
        ("index of every article (before)", ["DROP INDEX IF EXISTS articles_duplicates", OLD_INDEX]),
        ("index of the copies alone (now)", ["DROP INDEX IF EXISTS articles_duplicate_of", DUPLICATES_INDEX]),
    ):
        started = time.perf_counter()
        for statement in statements:
            db.execute(statement)
        built = time.perf_counter() - started
        print(f"\n{label} (built in {built:.1f} s)")
        for name, (median, most, how) in measure(db, probes, middle).items():
            print(f"  {name:<28} {median:9.2f} {most:9.2f}   plan: {how}")
    db.close()


if __name__ == "__main__":
    main()
