"""Tantivy beside Whoosh, over the same documents and the same analyzer output, in one run.

    pip install -e '.[bench]'             # tantivy (tantivy-py) is a bench extra, not a jiwen dependency
    python bench/tantivy_side.py --size 20000

An anchor for jiwen's numbers, not a replacement (the design card names Whoosh). Both sides get
bench/synthetic.py articles; the text of title and body is cut once by jiwen's own analyzer
(`chinese_analyzer`: jieba with jiwen's user words and stop words, the terms the index holds) and
the cut words are handed to Tantivy joined by spaces, in fields whose tokenizer splits on
whitespace only, so both engines index the same terms. Timed:

- indexing: jiwen's `ArchiveIndex.rebuild` (analysis included, two worker processes, merged into
  one segment) against the analysis alone plus Tantivy's writer over the cut text (Tantivy's
  writer threads, 2 here, and its own merging; `wait_merging_threads` included);
- queries: the plain word queries of bench/search_speed.py (no phrases, OR, NOT or field
  prefixes), every word required in title or body, top 10 by BM25 and the count of matches;
  jiwen's `ArchiveIndex.search` (which also makes snippets), Tantivy's `Searcher.search` (ids
  only). p50/p95 over the queries, each engine warmed by one pass first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search_speed
import synthetic

PLAIN = [text for text in search_speed.QUERIES if not any(mark in text for mark in ('"', " OR ", " NOT ", ":"))]


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]


def main() -> None:
    import tantivy

    from jiwen.core.models import SearchRequest
    from jiwen.index import ArchiveIndex
    from jiwen.index.analyzer import chinese_analyzer, segmenter

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the queries (after one warm-up)")
    arguments = parser.parse_args()
    segmenter()
    articles = list(synthetic.generate_articles(arguments.size))
    scratch = Path(tempfile.mkdtemp(prefix="tantivy-side-"))
    try:
        started = time.perf_counter()
        whoosh = ArchiveIndex(scratch / "whoosh")
        whoosh.rebuild(articles)
        whoosh_build = time.perf_counter() - started

        analyzer = chinese_analyzer()
        started = time.perf_counter()
        cut = [
            (article.id, " ".join(token.text for token in analyzer(article.title or "")),
             " ".join(token.text for token in analyzer(article.body)))
            for article in articles
        ]  # fmt: skip
        analysis = time.perf_counter() - started

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", tokenizer_name="cut")
        builder.add_text_field("body", tokenizer_name="cut")
        schema = builder.build()
        (scratch / "tantivy").mkdir()
        index = tantivy.Index(schema, path=str(scratch / "tantivy"))
        index.register_tokenizer("cut", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
        started = time.perf_counter()
        writer = index.writer(heap_size=256_000_000, num_threads=2)
        for article_id, title, body in cut:
            writer.add_document(tantivy.Document(id=article_id, title=title, body=body))
        writer.commit()
        writer.wait_merging_threads()
        tantivy_build = time.perf_counter() - started
        index.reload()
        searcher = index.searcher()

        def tantivy_query(text: str):
            words = [token.text for word in text.split() for token in analyzer(word)]
            return index.parse_query(" ".join(f"+{word}" for word in words), ["title", "body"])

        whoosh_samples, tantivy_samples, totals = [], [], []
        for round_number in range(arguments.rounds + 1):
            for text in PLAIN:
                started = time.perf_counter()
                response = whoosh.search(SearchRequest(query=text, limit=10, include_offtopic=True))
                elapsed = (time.perf_counter() - started) * 1000
                if round_number:
                    whoosh_samples.append(elapsed)
                started = time.perf_counter()
                result = searcher.search(tantivy_query(text), limit=10, count=True)
                elapsed_tantivy = (time.perf_counter() - started) * 1000
                if round_number:
                    tantivy_samples.append(elapsed_tantivy)
                if round_number == 1:
                    totals.append((text, response.total, result.count))
        whoosh_bytes = sum(path.stat().st_size for path in (scratch / "whoosh").rglob("*") if path.is_file())
        tantivy_bytes = sum(path.stat().st_size for path in (scratch / "tantivy").rglob("*") if path.is_file())
        whoosh.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    size = arguments.size
    print(
        f"\n{size:,} synthetic articles, {len(PLAIN)} plain queries x {arguments.rounds} passes "
        f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end)"
    )
    print(f"  jiwen analysis alone (one process)            {analysis:7.1f} s  {size / analysis:6.0f} art/s")
    print(
        f"  Whoosh: ArchiveIndex.rebuild (with analysis)  {whoosh_build:7.1f} s  {size / whoosh_build:6.0f} art/s  "
        f"{whoosh_bytes / size / 1024:.1f} KB/article, 1 segment"
    )
    print(
        f"  Tantivy: writer over the cut text             {tantivy_build:7.1f} s  {size / tantivy_build:6.0f} art/s  "
        f"{tantivy_bytes / size / 1024:.1f} KB/article, {searcher.num_segments} segments"
    )
    print(
        f"  Tantivy + the analysis                        {tantivy_build + analysis:7.1f} s  {size / (tantivy_build + analysis):6.0f} art/s"
    )
    for name, samples in (("Whoosh (jiwen search, snippets)", whoosh_samples), ("Tantivy (top 10 + count)", tantivy_samples)):
        p50, p95 = percentiles(samples)
        print(f"  {name:<44}  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")
    differing = [(text, ours, theirs) for text, ours, theirs in totals if ours != theirs]
    print(
        f"  matches: equal counts for {len(totals) - len(differing)} of {len(totals)} queries"
        + (f"; differ: {differing}" if differing else "")
    )


if __name__ == "__main__":
    main()
