"""Extraction speed: pages/s of jiwen (bytes -> Article, decoding included) next to GNE and
trafilatura (given the page already decoded) on the same dev-set pages, in one run.

    /work/venv/bin/python bench/extract_speed.py [--rounds 5]

Each extractor runs one warm-up pass (imports, loaded dictionaries), then `rounds` timed passes,
interleaved with the other extractors'; the best pass counts, which damps the noise of a shared
machine.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.devset import DevSetUnavailable, load_devset
from bench.extract_quality import available_extractors

COMPARED = ("jiwen", "gne", "trafilatura")


def time_pass(pages, extractor) -> float:
    started = time.perf_counter()
    for page, text in pages:
        try:
            extractor(text, page.data, page.gold.get("url"))
        except Exception:
            pass
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    try:
        dev_pages = load_devset()
    except DevSetUnavailable as error:
        print(f"dev set unavailable: {error}", file=sys.stderr)
        return 1
    warnings.simplefilter("ignore")
    pages = [(page, page.data.decode("utf-8", errors="replace")) for page in dev_pages]
    megabytes = sum(len(page.data) for page in dev_pages) / 1e6
    extractors = available_extractors(COMPARED)
    for extractor in extractors.values():
        time_pass(pages, extractor)
    # Rounds interleave the extractors, so a burst of load on the shared machine hits all of them
    # rather than whichever happened to be running.
    results = {name: float("inf") for name in extractors}
    for _ in range(arguments.rounds):
        for name, extractor in extractors.items():
            results[name] = min(results[name], time_pass(pages, extractor))
    print(f"{len(pages)} pages, {megabytes:.1f} MB, best of {arguments.rounds} passes")
    print(f"{'extractor':<14}{'pages/s':>10}{'ms/page':>10}{'vs gne':>10}")
    baseline = results.get("gne")
    for name, seconds in results.items():
        rate = len(pages) / seconds
        ratio = f"{baseline / seconds:>9.2f}x" if baseline else f"{'-':>10}"
        print(f"{name:<14}{rate:>10.1f}{seconds * 1000 / len(pages):>10.2f}{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
