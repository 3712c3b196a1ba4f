"""Fact extraction speed beside plain jieba segmentation of the same texts, in the same run.

    /work/venv/bin/python bench/facts_speed.py [--rounds 5] [--sizes 0.1 0.3 0.6 2 8]

Texts: the seed body (if /work/shared is there), the articles in tests/fixtures/facts, and the
bodies of the gne 0.4.3 dev pages (extracted with jiwen.extract.article.extract_article) when
the sdist is in the cache (~/.cache/jiwen, see /work/shared/eval/README.md; skipped otherwise).
The facts stage is everything `extract_facts` does: segmentation with our user words, the spaCy
Doc, numbers, places, programmes, dates, orgs, people. The baseline is `jieba.lcut(text)` with
jieba's default dictionary (HMM on, its default); jieba without HMM is printed too, because the
facts stage segments without it (see jiwen.extract.facts.nlp). Target: facts at most 1x jieba's time. Loading (dictionaries, the
gazetteer, spaCy) is timed separately, once per process, and not part of the ratio.
"""

from __future__ import annotations

import argparse
import json
import sys
import tarfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "extract"))

import facts_fixtures

CACHE = Path.home() / ".cache" / "jiwen"


def dev_bodies() -> list[str]:
    """Bodies of the 30 dev pages listed in /work/shared/eval/html-dev.json."""
    listing = facts_fixtures.SHARED / "eval" / "html-dev.json"
    archives = sorted(CACHE.glob("**/gne-0.4.3.tar.gz"))
    if not archives or not listing.exists():
        print(f"note: gne 0.4.3 sdist not in {CACHE} (or no dev listing); dev pages skipped")
        return []
    try:
        from jiwen.extract.article import extract_article
    except ImportError as error:
        print(f"note: article extraction unavailable ({error}); dev pages skipped")
        return []
    wanted = {"gne-0.4.3/" + record["file"] for record in json.loads(listing.read_text(encoding="utf-8"))}
    bodies = []
    with tarfile.open(archives[0]) as archive:
        for member in archive.getmembers():
            if member.name in wanted:
                data = archive.extractfile(member).read()
                try:
                    body = extract_article(data).body
                except Exception as error:
                    print(f"note: {member.name}: {error}")
                    continue
                if body:
                    bodies.append(body)
    return bodies


def texts() -> list[str]:
    bodies = []
    if facts_fixtures.SEED_TEXT.exists():
        bodies.append(facts_fixtures.seed_article().body)
    bodies += [facts_fixtures.fixture_article(name).body for name in facts_fixtures.fixture_names()]
    bodies += dev_bodies()
    return bodies


from jiwen.text.segmenter import forget_recent_cuts


def timed(function, bodies: list[str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        # Each round segments from scratch: the segmenter remembers recent cuts for the index.
        forget_recent_cuts()
        started = time.perf_counter()
        for body in bodies:
            function(body)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds; the best is reported")
    parser.add_argument(
        "--sizes", type=float, nargs="*", default=[0.1, 0.3, 0.6, 2.0, 8.0], help="also time one long body of each size in MB (none: skip)"
    )
    options = parser.parse_args()

    started = time.perf_counter()
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    jieba_load = time.perf_counter() - started

    started = time.perf_counter()
    from jiwen.extract.facts import facts_of_text, pipeline

    pipeline()
    facts_of_text("贵州省从江县输送626名农村劳动力。", "2024-01-01")
    facts_load = time.perf_counter() - started

    bodies = texts()
    size = sum(len(body.encode("utf-8")) for body in bodies)
    characters = sum(map(len, bodies))
    for body in bodies:  # warm caches (cn2an import, regex compilation) before timing
        facts_of_text(body, "2024-01-01")
        jieba.lcut(body)

    jieba_time = timed(jieba.lcut, bodies, options.rounds)
    jieba_plain_time = timed(lambda body: jieba.lcut(body, HMM=False), bodies, options.rounds)
    facts_time = timed(lambda body: facts_of_text(body, "2024-01-01"), bodies, options.rounds)
    fact_count = sum(len(facts_of_text(body, "2024-01-01")) for body in bodies)

    print(f"{len(bodies)} texts, {characters} characters, {size / 1e6:.3f} MB (UTF-8), {fact_count} facts; best of {options.rounds}")
    print(f"{'stage':<28} {'seconds':>9} {'MB/s':>8} {'x jieba':>8}")
    print(f"{'jieba.lcut (baseline)':<28} {jieba_time:9.4f} {size / 1e6 / jieba_time:8.3f} {1.0:8.2f}")
    print(
        f"{'jieba.lcut(HMM=False)':<28} {jieba_plain_time:9.4f} {size / 1e6 / jieba_plain_time:8.3f} {jieba_plain_time / jieba_time:8.2f}"
    )
    print(f"{'extract_facts (all kinds)':<28} {facts_time:9.4f} {size / 1e6 / facts_time:8.3f} {facts_time / jieba_time:8.2f}")
    print(f"load once per process: jieba {jieba_load:.2f} s; facts pipeline (jieba + user words, gazetteer, spaCy) {facts_load:.2f} s")
    if options.sizes:
        long_bodies(bodies, options.sizes)
    return 0


def long_bodies(bodies: list[str], sizes: list[float]) -> None:
    """extract_facts on one long body (the texts repeated) of each size: time per character read
    stays flat below the cap (linear), and past FACTS_MAX_CHARS only the cut grows."""
    from jiwen.core.models import Article
    from jiwen.extract.facts import extract_facts
    from jiwen.extract.facts.extractor import FACTS_MAX_CHARS

    joined = "\n".join(bodies)
    print(f"\none long body (the texts repeated); facts read at most {FACTS_MAX_CHARS:,} characters")
    print(f"{'MB':>6} {'characters':>11} {'read':>9} {'seconds':>8} {'us/char read':>13}")
    for megabytes in sizes:
        target = int(megabytes * 1e6 / 3)  # ~3 UTF-8 bytes a character
        body = (joined * (target // len(joined) + 1))[:target]
        article = Article(body=body, published="2024-01-01")
        forget_recent_cuts()
        started = time.perf_counter()
        extract_facts(article)
        seconds = time.perf_counter() - started
        read = min(len(body), FACTS_MAX_CHARS) if article.warnings else len(body)
        print(f"{len(body.encode('utf-8')) / 1e6:6.2f} {len(body):>11,} {read:>9,} {seconds:8.2f} {seconds / read * 1e6:13.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
