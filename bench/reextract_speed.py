"""`jiwen reextract` in one process against its worker pool, on the same archive in one run.

    python bench/reextract_speed.py                   # 5,000 synthetic articles (built once, cached)
    python bench/reextract_speed.py --size 10000 --workers 1,2,3

The archive is `bench/scale.py`'s (bench/synthetic.py articles stored as pages through the store),
indexed once with `jiwen reindex`; each run re-extracts a fresh copy of it (`jiwen reextract -q
--workers N`, a whole process, wall and peak RSS from /usr/bin/time), so every run starts from
the same store and index. Runs alternate between the settings (`--rounds`), so a change in the
machine's load falls on each setting alike; the median of each is reported.
"""

from __future__ import annotations

import argparse
import os
import shutil
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
    arguments = parser.parse_args()
    cache = scale.CACHE.parent / "reextract"
    folder = scale.build_archive(arguments.size, cache)
    if not (folder / "index").is_dir():
        scale.log(f"indexing {arguments.size:,} articles ...")
        scale.measured(["reindex", "--archive", str(folder)])
    settings = [int(value) for value in arguments.workers.split(",")]
    walls: dict[int, list[float]] = {setting: [] for setting in settings}
    peaks: dict[int, list[float]] = {setting: [] for setting in settings}
    for round_number in range(arguments.rounds):
        for setting in settings:
            with tempfile.TemporaryDirectory(prefix="reextract-") as scratch:
                copy = Path(scratch) / "archive"
                shutil.copytree(folder, copy)
                wall, rss, out = scale.measured(["reextract", "-q", "--workers", str(setting), "--archive", str(copy)])
                walls[setting].append(wall)
                peaks[setting].append(rss)
                scale.log(
                    f"  round {round_number + 1}, --workers {setting}: {wall:.1f} s, "
                    f"{arguments.size / wall:.0f} pages/s, {rss:.0f} MB; {out.strip().splitlines()[-1]}"
                )
    base = arguments.size / statistics.median(walls[settings[0]])
    print(
        f"\njiwen reextract, {arguments.size:,} pages ({os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} at the end), median of {arguments.rounds} runs each:"
    )
    for setting in settings:
        rate = arguments.size / statistics.median(walls[setting])
        print(
            f"  --workers {setting}: {statistics.median(walls[setting]):6.1f} s  {rate:5.0f} pages/s  "
            f"{max(peaks[setting]):4.0f} MB peak RSS (largest process)  {rate / base:.2f}x"
        )


if __name__ == "__main__":
    main()
