"""`jiwen reextract` in one process against its worker pool, on the same archive in one run.

    python bench/reextract_speed.py                   # 5,000 synthetic articles (built once, cached)
    python bench/reextract_speed.py --size 10000 --workers 1,2,3 --stale 1,0.1

The archive is `bench/scale.py`'s (bench/synthetic.py articles stored as pages through the store),
re-extracted once and then indexed with `jiwen reindex`; each run re-extracts a fresh copy of it (`jiwen reextract -q
--workers N`, a whole process, wall and peak RSS from /usr/bin/time), so every run starts from
the same store and index. Runs alternate between the settings (`--rounds`), so a change in the
machine's load falls on each setting alike; the median of each is reported.

`--stale`: the share of articles made to differ from what extraction makes of them before each
run (their title), as after a rule change that touches them: those are rewritten and indexed
again, the rest are found as they were and left alone. 1 (every article rewritten) is the
worst case; 0 a reextract with nothing to change.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--workers", default="1,2", help="comma-separated --workers values")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--stale", default="1,0", help="comma-separated shares of articles to be rewritten (0-1)")
    arguments = parser.parse_args()
    cache = scale.CACHE.parent / "reextract"
    folder = scale.build_archive(arguments.size, cache)
    if not (folder / "index").is_dir():
        scale.log(f"indexing {arguments.size:,} articles ...")
        scale.measured(["reindex", "--archive", str(folder)])
    settled = folder / "settled"
    if not settled.exists():
        # The synthetic articles are stored as generated, not as extraction makes them from their
        # pages: one reextract first, so that a run's unchanged articles are really unchanged, then
        # a rebuild, so that every run starts from one merged segment, as after `jiwen reindex`.
        scale.log(f"re-extracting {arguments.size:,} articles once, then reindexing ...")
        scale.measured(["reextract", "-q", "--archive", str(folder)])
        scale.measured(["reindex", "--archive", str(folder)])
        settled.touch()
    settings = [(int(workers), float(stale)) for stale in arguments.stale.split(",") for workers in arguments.workers.split(",")]
    walls: dict[tuple[int, float], list[float]] = {setting: [] for setting in settings}
    peaks: dict[tuple[int, float], list[float]] = {setting: [] for setting in settings}
    for round_number in range(arguments.rounds):
        for setting in settings:
            workers, stale = setting
            with tempfile.TemporaryDirectory(prefix="reextract-") as scratch:
                copy = Path(scratch) / "archive"
                shutil.copytree(folder, copy)
                make_stale(copy, stale)
                wall, rss, out = scale.measured(["reextract", "-q", "--workers", str(workers), "--archive", str(copy)])
                walls[setting].append(wall)
                peaks[setting].append(rss)
                scale.log(
                    f"  round {round_number + 1}, --workers {workers}, stale {stale:g}: {wall:.1f} s, "
                    f"{arguments.size / wall:.0f} pages/s, {rss:.0f} MB; {out.strip().splitlines()[-1]}"
                )
    print(
        f"\njiwen reextract, {arguments.size:,} pages ({os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at the end), median of {arguments.rounds} runs each:"
    )
    for setting in settings:
        workers, stale = setting
        base = arguments.size / statistics.median(walls[(int(arguments.workers.split(",")[0]), stale)])
        rate = arguments.size / statistics.median(walls[setting])
        print(
            f"  stale {stale:4.0%}  --workers {workers}: {statistics.median(walls[setting]):6.1f} s  {rate:5.0f} pages/s  "
            f"{max(peaks[setting]):4.0f} MB peak RSS (largest process)  {rate / base:.2f}x"
        )


def make_stale(archive: Path, share: float) -> None:
    """Give `share` of the articles (chosen by id, the same ones every run) a title extraction
    does not make, so the reextract rewrites them."""
    db = sqlite3.connect(archive / "archive.sqlite3")
    try:
        ids = [row[0] for row in db.execute("SELECT id FROM articles") if int(row[0][:4], 16) < share * 65536]
        with db:
            db.executemany("UPDATE articles SET title = 'stale' WHERE id = ?", [(article_id,) for article_id in ids])
    finally:
        db.close()


if __name__ == "__main__":
    main()
