"""Scale: archives of 100,000 and 300,000 articles (1,000,000 when asked), side by side.

Each archive is built once through the store (bench/synthetic.py articles, each stored as a page
and its extracted article with facts, the way a crawl stores them) into the cache folder and kept;
`jiwen reindex` then rebuilds its index, and the numbers are taken from whole `jiwen` processes
where a user would run one:

- one-shot `jiwen search` wall time and peak RSS: plain, with a --place filter, with a --facet,
  sorted by date (each run as its own process; peak RSS from wait4's rusage of that child);
- in-process p50/p95 over the bench queries: plain, and with filters and five facets;
- `jiwen reindex`: articles per second and peak RSS;
- store and index bytes per article; `jiwen export` (jsonl to a file) and `jiwen check` time.

    python bench/scale.py                          # 100k and 300k (builds what is not cached)
    python bench/scale.py --sizes 100000           # one size
    python bench/scale.py --sizes 1000000 --build-only   # build a 1M archive (hours; nohup it)

Synthetic facts get the sentence the extractor would give them (`sentence_at`), so facts weigh in
the store what extracted facts weigh. Fingerprints are random 64-bit numbers (the store keeps one
per article; computing real SimHashes is the pipeline's cost, not the store's).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

CACHE = Path(os.environ.get("JIWEN_SCALE_CACHE", Path.home() / ".cache" / "jiwen" / "bench" / "scale"))
JIWEN = [sys.executable, "-m", "jiwen"]
PROVINCES = ("贵州省", "广东省", "四川省", "河南省", "浙江省", "云南省")
FIVE_FACETS = ["place", "province", "program", "site", "month"]
ONE_SHOT = {
    "plain": ["高校毕业生"],
    "--place": ["稳岗返还", "--place", "贵州省"],
    "--place + --facet": ["稳岗返还", "--place", "贵州省", "--facet", "place"],
    "--sort date": ["就业", "--sort", "date"],
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _html(article) -> bytes:
    from html import escape

    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in article.body.split("\n"))
    return (
        f"<html><head><meta charset='utf-8'><title>{escape(article.title or '')}</title></head>"
        f"<body><h1>{escape(article.title or '')}</h1><div class='date'>{article.published}</div>"
        f"<div class='content'>{paragraphs}</div></body></html>"
    ).encode("utf-8")


def build_archive(size: int) -> Path:
    """The cached archive of `size` articles, built through the store if absent."""
    from jiwen.extract.sentences import sentence_at
    from jiwen.models import Article, FetchedPage
    from jiwen.store import Archive

    folder = CACHE / f"archive-{size}"
    if (folder / "archive.sqlite3").exists() and not (folder / "BUILDING").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "BUILDING").write_text("")
    log(f"building {size:,} articles into {folder} ...")
    rng = random.Random(7)
    started = time.perf_counter()
    archive = Archive(folder)
    batch = 200
    for first in range(0, size, batch):
        with archive.transaction():
            for article in synthetic.generate_articles(min(batch, size - first), start=first):
                facts = [
                    msgspec.structs.replace(fact, sentence=sentence_at(article.body, fact.start))
                    for fact in article.facts
                ]
                fields = {name: getattr(article, name) for name in Article.__struct_fields__}
                fields["facts"] = facts
                page = FetchedPage(
                    url=article.url, body=_html(article), status=200, site=article.site,
                    fetched_at="2025-01-01T00:00:00+00:00", content_type="text/html; charset=utf-8",
                    headers={"content-type": "text/html; charset=utf-8"},
                )  # fmt: skip
                page_id, _new = archive.add_page(page)
                archive.save_article(
                    page_id, page, Article(**fields), relevant=article.relevant, relevance=1.0,
                    fingerprint=rng.getrandbits(64), duplicate_of=None,
                )  # fmt: skip
        if (first // batch) % 50 == 0:
            elapsed = time.perf_counter() - started
            log(f"  {first + batch:,} articles, {(first + batch) / elapsed:.0f}/s")
    archive.close()
    (folder / "BUILDING").unlink()
    log(f"built {size:,} articles in {time.perf_counter() - started:.0f} s")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000", help="comma-separated article counts")
    parser.add_argument("--build-only", action="store_true", help="only build (and cache) the archives")
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    for size in sizes:
        build_archive(size)
    if arguments.build_only:
        return


if __name__ == "__main__":
    main()
