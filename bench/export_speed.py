"""Export speed and memory: jiwen's streamed export beside a load-everything baseline.

    python bench/export_speed.py                # 10,000 and 100,000 articles
    python bench/export_speed.py --sizes 2000   # a quick run

For each size, a store is filled with synthetic articles (bench/synthetic.py: ~5.5 KB bodies with
their facts) and then, each in a fresh process so peak RSS is its own:
- `jiwen export --format jsonl` and `--format facts-jsonl` (streamed, what users run),
- the baseline: read every article into one list, then encode the list with the stdlib json module
  (what an export written without streaming does).
Printed: articles per second and peak RSS of each. Streaming keeps RSS flat as the archive grows;
the baseline's grows with it.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate_articles

from jiwen.core.models import FetchedPage
from jiwen.store import Archive


def baseline_export(archive_dir: str, output: str) -> None:
    """Export written without streaming: every article in one list, then one json.dump."""
    import json

    import msgspec

    archive = Archive(archive_dir, create=False)
    articles = [msgspec.to_builtins(article) for article in archive.iter_articles()]
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(articles, handle, ensure_ascii=False)


# Runs one mode in a fresh interpreter and reports its time and its own peak RSS.
MEASURE = f"""
import resource, sys, time
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
mode, arguments = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
if mode == "baseline":
    from export_speed import baseline_export
    baseline_export(*arguments)
else:
    from jiwen.cli import main
    sys.argv = ["jiwen", *arguments]
    try:
        main()
    except SystemExit:
        pass
print(f"{{time.perf_counter() - started:.3f}} {{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}", file=sys.stderr)
"""


def fill_store(directory: Path, count: int) -> float:
    started = time.perf_counter()
    with Archive(directory) as archive, archive.transaction():
        for article in generate_articles(count):
            page = FetchedPage(
                url=article.url, body=article.body.encode("utf-8")[:200], site=article.site, fetched_at="2024-01-01T00:00:00+00:00"
            )
            page_id, _ = archive.add_page(page)
            archive.save_article(page_id, page, article, relevant=True, relevance=10.0, fingerprint=None, duplicate_of=None)
    return time.perf_counter() - started


def measure(arguments: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one command run in a fresh interpreter."""
    result = subprocess.run([sys.executable, "-c", MEASURE, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"measurement failed: {result.stderr.strip().splitlines()[-1:]}")
    seconds, peak_kb = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(peak_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    print(f"{'articles':>9}  {'mode':<28} {'seconds':>8} {'articles/s':>11} {'peak RSS MB':>12}")
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="jiwen-export-bench-") as scratch:
            archive_dir = Path(scratch) / "archive"
            fill_seconds = fill_store(archive_dir, size)
            print(f"{size:>9}  {'(fill the store)':<28} {fill_seconds:>8.1f} {size / fill_seconds:>11.0f} {'':>12}")
            runs = {
                "jiwen export --format jsonl": [
                    "jiwen",
                    "export",
                    "--archive",
                    str(archive_dir),
                    "--format",
                    "jsonl",
                    "-o",
                    f"{scratch}/a.jsonl",
                ],
                "jiwen export facts-jsonl": [
                    "jiwen",
                    "export",
                    "--archive",
                    str(archive_dir),
                    "--format",
                    "facts-jsonl",
                    "-o",
                    f"{scratch}/f.jsonl",
                ],
                "baseline: list + json.dump": ["baseline", str(archive_dir), f"{scratch}/b.json"],
            }
            for mode, arguments in runs.items():
                seconds, peak = measure(arguments)
                print(f"{size:>9}  {mode:<28} {seconds:>8.1f} {size / seconds:>11.0f} {peak:>12.0f}")
    print(f"(this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
