"""What the plain `facts` table (schema 3) and /facts' summaries (schema 4) cost in store size.

Builds (or reuses) bench/scale.py's archive of SIZE articles, or takes an existing archive
(--archive: e.g. a copy given attribution by bench/attribution.py), and compares VACUUMed copies:
without the facts table and its summaries, with the table alone, and as schema 4 keeps them (the
table, `fact_counts`, `fact_counts_monthly`, `fact_keys` and the `articles_published` index).
With --attributed also a copy of a built archive in which every figure carries one constant
measure, subject, place, code, province, role and period (an upper bound for the table's own
columns; the summaries are left out of it: constant values say nothing about their size). The
archive itself is never changed: every variant is a copy, in --work.

    python bench/facts_table_size.py --size 10000 --attributed
    python bench/facts_table_size.py --archive COPY --work DIR
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale

SUMMARIES = ("DROP TABLE IF EXISTS fact_counts", "DROP TABLE IF EXISTS fact_counts_monthly", "DROP TABLE IF EXISTS fact_keys")
SUMMARY_INDEX = "DROP INDEX IF EXISTS articles_published"


def variant(source: Path, target: Path, *statements: str) -> int:
    """The VACUUMed size of a copy of `source` after `statements`."""
    shutil.copy(source, target)
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA secure_delete = OFF")
    for statement in statements:
        db.execute(statement)
    db.execute("VACUUM")
    db.close()
    size = target.stat().st_size
    target.unlink()
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--archive", type=Path, help="measure this archive (a folder) instead of building one")
    parser.add_argument("--work", type=Path, help="folder for the copies (default: beside the archive)")
    parser.add_argument("--attributed", action="store_true", help="also measure every figure fully attributed")
    options = parser.parse_args()
    folder = options.archive or scale.build_archive(options.size)
    database = folder / "archive.sqlite3"
    work = options.work or folder.parent / f"size-{folder.name}"
    work.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    articles = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    figures = db.execute("SELECT COUNT(*) FROM facts").fetchone()[0]
    schema = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    summary_rows = {
        table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("fact_counts", "fact_counts_monthly", "fact_keys")
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    }
    db.close()
    copy = work / "variant.sqlite3"
    without = variant(database, copy, *SUMMARIES, SUMMARY_INDEX, "DROP TABLE facts")
    rows = [("without the facts table", without), ("with the facts table (schema 3)", variant(database, copy, *SUMMARIES, SUMMARY_INDEX))]
    if summary_rows:
        rows.append(("with the table and its summaries (schema 4)", variant(database, copy)))
    if options.attributed:
        rows.append((
            "with the table, every figure attributed",
            variant(database, copy, *SUMMARIES, SUMMARY_INDEX,
                    "UPDATE facts SET measure = '城镇新增就业人数', subject = '农村劳动力', place = '从江县', adcode = '522633', "
                    "province = '贵州省', role = 'actual', period_start = '2024-01-01', period_end = '2024-12-31'"),
        ))  # fmt: skip
    print(f"{folder} (schema {schema}): {articles:,} articles, {figures:,} figures ({figures / articles:.0f} an article)")
    if summary_rows:
        print("summary rows: " + ", ".join(f"{table} {count:,}" for table, count in summary_rows.items()))
    print(f"{'store':<44} {'MB':>8} {'KB/article':>11} {'vs without':>11}")
    for label, size in rows:
        print(f"{label:<44} {size / 1e6:>8.1f} {size / articles / 1024:>11.1f} {size / without - 1:>+11.1%}")


if __name__ == "__main__":
    main()
