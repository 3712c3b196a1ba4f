"""The crawl's work per article, each stage alone in one process, beside bare Scrapy's: what
`bench/crawl_speed.py`'s ratio can be at best on this machine.

The same synthetic site as bench/crawl_speed.py (`--articles` pages in a provincial CMS layout)
is served on loopback and crawled by bare Scrapy (`--repeat` times, the fastest kept: its rate and
its CPU per article, start-up included) and
once by `jiwen crawl` (for the pages). The archived pages then go through each stage of the
crawl's pipeline here, in one process, with no pipes, threads or other processes beside it, and
the CPU seconds of each stage (time.process_time) are divided by the articles:

- extraction: `jiwen.library.pipeline.extract` (page → article, facts with attribution, relevance,
  near-duplicate fingerprint), the extraction processes' work;
- pickling an extraction's result both ways (what crosses the pipe back to the page pipeline);
- archiving and storing: `PagePipeline.take` (the raw page, zstd) and `store_extracted` (the
  article, its facts rows and summaries, near-duplicates), the page pipeline's work;
- indexing: the stored articles read back and added to Whoosh 100 at a time (the background
  indexer's batch).

Two cores give 2,000 ms of CPU a second, so a crawl at `target` × bare Scrapy's articles a second
can spend at most 2,000 / (target × bare art/s) ms of CPU an article, in all of its processes
together, even with perfect overlap and nothing spent on pipes, threads or start-up:

    python bench/crawl_work.py                  # 1,000 articles
    python bench/crawl_work.py --articles 300
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import crawl_speed

from jiwen.demo.server import serve_site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--target", type=float, default=0.3, help="the ratio to bare Scrapy to budget for (default 0.3)")
    parser.add_argument("--repeat", type=int, default=3, help="bare Scrapy's runs, the fastest kept as crawl_speed.py keeps it (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jiwen-crawl-work-") as temp:
        root = Path(temp) / "site"
        root.mkdir()
        pages = crawl_speed.generate_site(root, args.articles)
        sites_file = Path(temp) / "sites.toml"
        archive = Path(temp) / "archive"
        with serve_site(root) as server:
            sites_file.write_text(
                f'[[site]]\nname = "bench"\nstart_urls = ["{server.base_url}/"]\n[site.pagination]\nmax_pages = {pages + 1}\n', "utf-8"
            )
            bare = min((crawl_speed.run_bare(server.base_url, 2) for _ in range(args.repeat)), key=lambda run: run["seconds"])
            command = [sys.executable, "-c", "from jiwen.cli import main; main()", "crawl", "--site", "bench"]
            subprocess.run(
                [*command, "--archive", str(archive), "--no-throttle"],
                env={**os.environ, "JIWEN_SITES": str(sites_file)},
                capture_output=True,
                check=True,
            )
        stages = measure_stages(archive, Path(temp) / "measured")
    bare_rate = bare["articles"] / bare["seconds"]
    bare_cpu = 1000 * sum(bare["cpu"].values()) / bare["articles"]
    print(f"site: {args.articles} articles, {pages} list pages; {stages.pop('articles')} article pages measured\n")
    print(f"{'stage (one process, CPU ms an article)':<58}{'ms':>8}")
    print(f"{'bare Scrapy (fetch, parse, follow; start-up included)':<58}{bare_cpu:>8.2f}")
    for label, value in stages.items():
        print(f"{label:<58}{value:>8.2f}")
    work = bare_cpu + sum(stages.values())
    print(f"{'all of it':<58}{work:>8.2f}")
    budget = 1000 * (os.cpu_count() or 1) / (args.target * bare_rate)  # CPU ms a second, per article
    print(
        f"\nbare Scrapy in this run (best of {args.repeat}): {bare_rate:.0f} articles a second; {args.target}x of it on {os.cpu_count()} cores "
        f"allows {budget:.1f} ms of CPU an article in all, with no overhead at all: "
        f"the work above is {work / budget:.2f}x that"
    )


def measure_stages(crawled: Path, target: Path) -> dict:
    from jiwen.library.extractors import warm_up
    from jiwen.library.pipeline import PagePipeline, extract
    from jiwen.store import Archive

    with Archive(crawled, create=False) as source:
        pages = [page for _, page in source.latest_pages() if "/news/" in (page.final_url or page.url)]
    warm_up()  # dictionaries: start-up, not per page
    count = len(pages)

    def cpu(work) -> tuple[float, object]:
        started = time.process_time()
        result = work()
        return 1000 * (time.process_time() - started) / count, result

    extraction, extracted = cpu(lambda: [extract(page, {}) for page in pages])
    pickling, blobs = cpu(lambda: [pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL) for result in extracted])
    unpickling, _ = cpu(lambda: [pickle.loads(blob) for blob in blobs])
    with Archive(target) as archive:
        pipeline = PagePipeline(archive, batch_size=10**9)  # indexed below, on its own
        taking, page_ids = cpu(lambda: [pipeline.take(page)[0] for page in pages])
        storing, _ = cpu(lambda: [pipeline.store_extracted(i, page, result) for i, page, result in zip(page_ids, pages, extracted)])
        index = pipeline.index

        def indexing() -> None:
            ids = archive.pending_index()[0]
            for start in range(0, len(ids), 100):
                index.add(archive.iter_articles(ids=ids[start : start + 100]))

        indexed, _ = cpu(indexing)
    return {
        "articles": count,
        "extraction (article, facts, relevance, fingerprint)": extraction,
        "its result pickled and unpickled (the pipe back)": pickling + unpickling,
        "archiving the page (take)": taking,
        "storing the article and its facts (store_extracted)": storing,
        "indexing (read back, Whoosh, 100 a commit)": indexed,
    }


if __name__ == "__main__":
    main()
