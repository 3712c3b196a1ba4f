"""What the plain `facts` table (schema 3) costs in store size, on a synthetic archive.

Builds (or reuses) bench/scale.py's archive of SIZE articles, VACUUMs it, and compares its size
with a copy without the facts table; with --attributed also a copy in which every figure carries
a measure, subject, place, code, province, role and period (bench/synthetic.py's figures carry
none, extracted ones some: the real cost lies between the two). Prints a table; the 100k column
is the 10k measurement times ten, not a measurement.

    python bench/facts_table_size.py --size 10000 --attributed
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale


def vacuumed_size(path: Path) -> int:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA secure_delete = OFF")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    db.close()
    return path.stat().st_size


def variant(source: Path, target: Path, *statements: str) -> int:
    shutil.copy(source, target)
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA secure_delete = OFF")
    for statement in statements:
        db.execute(statement)
    db.close()
    return vacuumed_size(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--attributed", action="store_true", help="also measure every figure fully attributed")
    options = parser.parse_args()
    folder = scale.build_archive(options.size)
    database = folder / "archive.sqlite3"
    with_table = vacuumed_size(database)
    db = sqlite3.connect(database)
    articles = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    figures = db.execute("SELECT COUNT(*) FROM facts").fetchone()[0]
    db.close()
    work = folder.parent / f"size-{options.size}"
    work.mkdir(exist_ok=True)
    without = variant(database, work / "without.sqlite3", "DROP TABLE facts")
    rows = [("without the facts table", without), ("with it (as built)", with_table)]
    if options.attributed:
        rows.append((
            "with it, every figure attributed",
            variant(database, work / "attributed.sqlite3",
                    "UPDATE facts SET measure = '城镇新增就业人数', subject = '农村劳动力', place = '从江县', adcode = '522633', "
                    "province = '贵州省', role = 'actual', period_start = '2024-01-01', period_end = '2024-12-31'"),
        ))  # fmt: skip
    print(f"{articles:,} articles, {figures:,} figures ({figures / articles:.0f} an article)")
    print(f"{'store':<34} {'MB':>8} {'KB/article':>11} {'vs without':>11} {'x10 (100k)':>11}")
    for label, size in rows:
        print(
            f"{label:<34} {size / 1e6:>8.1f} {size / articles / 1024:>11.1f} {size / without - 1:>+11.1%} {size * 100000 / articles / 1e9:>9.2f} GB"
        )


if __name__ == "__main__":
    main()
