"""Search index speed: indexing rate, index size and query latency, beside the floor (raw jieba
segmentation of the same text) and a baseline measured in the same run (jieba's stock
`jieba.analyse.ChineseAnalyzer` with Whoosh's default writer).

Articles come from bench/synthetic.py (gazetteer places, programme names, numbers and ~40 sentence
templates, ~5.5 KB bodies, facts made by the generator). They are generated once into a msgpack
file in the cache folder and streamed from it, so generation is not timed; decoding is, as it is
when the index is rebuilt from the archive.

    python bench/search_speed.py                  # 10,000 and 100,000 articles (100k: ~30 min)
    python bench/search_speed.py --sizes 2000     # a quick run

The baseline is built on the first --baseline-size articles (default 5,000) only: it is slow, and
its rate does not depend on the index size at these sizes. Our index is measured on that same
subset too, and on every size asked for.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic

from jiwen.core.models import ArchivedArticle, SearchRequest
from jiwen.index import ArchiveIndex
from jiwen.index.analyzer import JiebaTokenizer, segmenter
from jiwen.index.documents import article_document

CACHE = Path.home() / ".cache" / "jiwen" / "bench"
QUERIES = (
    "就业",
    "高校毕业生",
    "稳岗返还",
    '"创业担保贷款"',
    "以工代赈",
    "春风行动 招聘会",
    "农民工 返乡创业",
    '"城镇新增就业"',
    "失业率",
    "公益性岗位",
    "技能培训 OR 职业技能",
    "零工市场",
    "劳务协作",
    "脱贫人口 务工",
    "扶贫车间",
    "见习岗位 补贴",
    "就业 NOT 创业",
    "title:招聘会",
    "三支一扶",
    "灵活就业",
    '"稳就业促增收"',
    "中小微企业 减负",
    "社保补贴",
    "一次性扩岗补助",
    "劳务品牌",
    "贵州 就业",
    "广东省 高校毕业生",
    "电视电话会议",
    "重点企业 用工",
    "家政服务 培训",
)
WARM_UP_QUERIES = ("人社局", "补贴 资金", "企业 职工", "招聘", "培训班")
PROVINCES = ("贵州省", "广东省", "四川省", "河南省", "浙江省", "云南省")
MODES = {
    "query only": lambda number: {},
    "+ 1 facet (place)": lambda number: {"facets": ["place"]},
    "+ filters (province, dates)": lambda number: {"place": PROVINCES[number % len(PROVINCES)], "since": "2021-03", "until": "2023-10"},
    "+ filters + 5 facets": lambda number: {
        "place": PROVINCES[number % len(PROVINCES)],
        "since": "2021-03",
        "until": "2023-10",
        "facets": ["place", "province", "program", "site", "month"],
    },
    "sorted by date, page 3": lambda number: {"sort": "date", "page": 3},
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def article_file(count: int) -> Path:
    path = CACHE / f"articles-{count}.msgpack"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        log(f"generating {count:,} articles into {path} ...")
        encoder = msgspec.msgpack.Encoder()
        partial = path.with_suffix(".partial")
        with partial.open("wb") as out:
            for article in synthetic.generate_articles(count):
                data = encoder.encode(article)
                out.write(len(data).to_bytes(4, "little") + data)
        partial.rename(path)
    return path


def read_articles(path: Path, limit: int | None = None):
    decoder = msgspec.msgpack.Decoder(ArchivedArticle)
    with path.open("rb") as source:
        number = 0
        while limit is None or number < limit:
            header = source.read(4)
            if not header:
                return
            yield decoder.decode(source.read(int.from_bytes(header, "little")))
            number += 1


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def tokenization_rates(path: Path, sample: int) -> dict[str, float]:
    import jieba
    from jieba.analyse import ChineseAnalyzer

    bodies = [article.body for article in read_articles(path, sample)]
    tokenizer = segmenter()
    ours = JiebaTokenizer()
    stock = ChineseAnalyzer()
    jobs = {
        "raw cut of our segmenter (floor), HMM off": lambda body: sum(1 for _ in tokenizer.cut(body, HMM=False)),
        "raw jieba.cut (HMM on, stock dictionary)": lambda body: sum(1 for _ in jieba.cut(body)),
        "our analyzer (index mode, sub-words)": lambda body: sum(1 for _ in ours(body, positions=True)),
        "jieba ChineseAnalyzer (stock)": lambda body: sum(1 for _ in stock(body, positions=True)),
    }
    for work in jobs.values():
        work(bodies[0])  # load dictionaries outside the timing
    # Interleaved in small chunks: the machine is shared, and a burst of someone else's work
    # should slow every contender alike rather than whichever ran at that moment.
    spent = dict.fromkeys(jobs, 0.0)
    for chunk in range(0, len(bodies), 25):
        for name, work in jobs.items():
            started = time.perf_counter()
            for body in bodies[chunk : chunk + 25]:
                work(body)
            spent[name] += time.perf_counter() - started
    return {name: len(bodies) / seconds for name, seconds in spent.items()}


def baseline_rate(path: Path, count: int, folder: Path) -> tuple[float, int]:
    """Jieba's stock analyzer on title and body, Whoosh's default writer, same documents."""
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index as whoosh_index
    from whoosh.fields import TEXT

    from jiwen.index.schema import build_schema

    schema = build_schema()
    analyzer = ChineseAnalyzer()
    # The baseline is the stock setup: title and body with ChineseAnalyzer.
    for name in ("title", "body"):
        schema.remove(name)
    schema.add("title", TEXT(analyzer=analyzer, stored=True))
    schema.add("body", TEXT(analyzer=analyzer))
    folder.mkdir(parents=True)
    ix = whoosh_index.create_in(str(folder), schema)
    documents = [article_document(article) for article in read_articles(path, count)]
    analyzer("预热")  # jieba's global dictionary loads outside the timing
    started = time.perf_counter()
    writer = ix.writer()
    for document in documents:
        writer.add_document(**document)
    writer.commit()
    elapsed = time.perf_counter() - started
    return len(documents) / elapsed, folder_size(folder)


def our_build(path: Path, count: int, folder: Path) -> tuple[ArchiveIndex, float, int]:
    segmenter()  # dictionary loading is a one-off per process, not a per-article cost
    archive_index = ArchiveIndex(folder)
    started = time.perf_counter()
    built = archive_index.rebuild(read_articles(path, count))
    elapsed = time.perf_counter() - started
    assert built == count == archive_index.doc_count(), (built, count)
    return archive_index, count / elapsed, folder_size(folder)


def latencies(archive_index: ArchiveIndex) -> tuple[float, dict[str, tuple[float, float, float]]]:
    started = time.perf_counter()
    archive_index.search(SearchRequest(query="就业", facets=["place", "province", "program", "site", "month"]))
    first = time.perf_counter() - started
    # Warm the file cache and the columns with other words: the timed queries' postings must not
    # be in the postings cache already (each timed query is then as cold as a new user's).
    for text in WARM_UP_QUERIES:
        archive_index.search(SearchRequest(query=text, sort="date"))
    results = {}
    for mode, options in MODES.items():
        archive_index.clear_caches()  # no mode profits from the postings the one before read
        samples = []
        totals = []
        for number, text in enumerate(QUERIES):
            request = SearchRequest(query=text, **options(number))
            started = time.perf_counter()
            response = archive_index.search(request)
            samples.append((time.perf_counter() - started) * 1000)
            totals.append(response.total)
        samples.sort()
        p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
        results[mode] = (statistics.median(samples), p95, statistics.mean(totals))
    return first, results


def print_latencies(first: float, results) -> None:
    print(f"  first faceted search after opening (decodes columns): {first * 1000:.0f} ms")
    print(f"  {'30 queries':<30} {'p50 ms':>8} {'p95 ms':>8} {'mean hits':>10}")
    for mode, (p50, p95, mean_total) in results.items():
        print(f"  {mode:<30} {p50:8.1f} {p95:8.1f} {mean_total:10.0f}")
    sys.stdout.flush()


def replicate(folder: Path, source_size: int, copies: int) -> Path:
    """A stand-in large index: the kept `index-{source_size}` segments copied `copies` times under
    new segment ids into one index (the same articles repeated, ids included). Posting lists,
    columns and field lengths then have the size of a copies x source_size index, which is what
    query latency depends on, without the hour a real build takes on a shared 2-core machine.
    Reported as such, never as a real build."""
    import copy as copying
    import random

    from whoosh import index as whoosh_index
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    source = folder / f"index-{source_size}"
    target = folder / f"replicated-{source_size}x{copies}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    toc = whoosh_index.open_dir(str(source))._read_toc()
    source_storage = FileStorage(str(source))
    segments = []
    for _number in range(copies):
        for segment in toc.segments:
            clone = copying.copy(segment)
            clone.segid = "".join(random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(16))
            old_prefix, new_prefix = segment.segment_id(), clone.segment_id()
            # A compound segment names its parts with its own id inside the file, so the parts
            # are unpacked into plain files under the new id.
            files = segment.open_compound_file(source_storage) if segment.is_compound() else source_storage
            for name in files.list():
                if name.startswith(old_prefix) and not name.endswith(segment.COMPOUND_EXT):
                    with files.open_file(name) as part:
                        (target / name.replace(old_prefix, new_prefix, 1)).write_bytes(part.read())
            clone.compound = False
            segments.append(clone)
    storage = FileStorage(str(target))
    TOC(toc.schema, segments, toc.generation + 1).write(storage, "MAIN")
    return target


def queries_only(folder: Path, sizes: list[int]) -> None:
    segmenter()  # the dictionary loads once per process, not per search
    for size in sizes:
        archive_index = ArchiveIndex(folder / f"index-{size}")
        print(
            f"\n{size:,} articles ({archive_index.doc_count():,} in the kept index), "
            f"index {folder_size(folder / f'index-{size}') / 2**20:.1f} MB"
        )
        print_latencies(*latencies(archive_index))
        archive_index.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated article counts")
    parser.add_argument("--baseline-size", type=int, default=5000)
    parser.add_argument("--tokenize-sample", type=int, default=1000)
    parser.add_argument("--keep", metavar="FOLDER", type=Path, help="build the indexes in FOLDER and keep them (for --queries-only)")
    parser.add_argument(
        "--replicate", metavar="SIZE:COPIES", help="time queries on COPIES copies of the kept SIZE index (a stand-in, see replicate())"
    )
    parser.add_argument("--queries-only", action="store_true", help="only time the queries, on indexes kept by an earlier --keep run")
    arguments = parser.parse_args()
    if arguments.replicate:
        if not arguments.keep:
            parser.error("--replicate needs --keep FOLDER")
        source_size, copies = (int(part) for part in arguments.replicate.split(":"))
        target = replicate(arguments.keep, source_size, copies)
        segmenter()
        archive_index = ArchiveIndex(target)
        print(
            f"\nSTAND-IN: {copies} copies of the {source_size:,}-article index = {archive_index.doc_count():,} "
            f"documents, {folder_size(target) / 2**20:.1f} MB (same articles repeated; not a real build)"
        )
        print_latencies(*latencies(archive_index))
        archive_index.close()
        return None
    if arguments.queries_only:
        if not arguments.keep:
            parser.error("--queries-only needs --keep FOLDER")
        return queries_only(arguments.keep, [int(size) for size in arguments.sizes.split(",")])
    sizes = [int(size) for size in arguments.sizes.split(",")]
    baseline_size = min(arguments.baseline_size, max(sizes))
    path = article_file(max(sizes))
    work = arguments.keep or Path(tempfile.mkdtemp(prefix="jiwen-search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        log("tokenization rates ...")
        rates = tokenization_rates(path, min(arguments.tokenize_sample, max(sizes)))
        print(f"\nSegmentation of the same bodies ({min(arguments.tokenize_sample, max(sizes)):,} articles, ~5.5 KB each)")
        for name, rate in rates.items():
            print(f"  {name:<55} {rate:8.1f} articles/s")

        log(f"baseline on {baseline_size:,} articles ...")
        base_rate, base_size = baseline_rate(path, baseline_size, work / "baseline")
        shutil.rmtree(work / "baseline")
        log(f"ours on the same {baseline_size:,} articles ...")
        subset_index, subset_rate, subset_size = our_build(path, baseline_size, work / "subset")
        subset_index.close()
        shutil.rmtree(work / "subset")
        print(f"\nIndexing the first {baseline_size:,} articles")
        print(f"  {'baseline: ChineseAnalyzer, default writer':<55} {base_rate:8.1f} articles/s  {base_size / 2**20:8.1f} MB")
        print(
            f"  {'jiwen: ArchiveIndex.rebuild':<55} {subset_rate:8.1f} articles/s  {subset_size / 2**20:8.1f} MB"
            f"   ({subset_rate / base_rate:.2f}x the baseline)"
        )

        for size in sizes:
            log(f"ours on {size:,} articles ...")
            archive_index, rate, index_bytes = our_build(path, size, work / f"index-{size}")
            log("queries ...")
            first, results = latencies(archive_index)
            print(
                f"\n{size:,} articles: indexed at {rate:.1f} articles/s, index {index_bytes / 2**20:.1f} MB "
                f"({index_bytes / size / 1024:.1f} KB/article)"
            )
            print_latencies(first, results)
            archive_index.close()
            if not arguments.keep:
                shutil.rmtree(work / f"index-{size}")
    finally:
        if not arguments.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"indexes kept in {work}")


if __name__ == "__main__":
    main()
