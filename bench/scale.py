"""Scale: archives of 100,000 and 300,000 articles (1,000,000 when asked), side by side.

Each archive is built once through the store (bench/synthetic.py articles, each stored as a page
and its extracted article with facts, the way a crawl stores them) into the cache folder and kept;
`jiwen reindex` then rebuilds its index, and the numbers are taken from whole `jiwen` processes
where a user would run one:

- one-shot `jiwen search` wall time and peak RSS: plain, with a --place filter, with a --facet,
  sorted by date (each run as its own process; peak RSS from /usr/bin/time);
- in-process p50/p95 over the bench queries: plain, and with filters and five facets;
- `jiwen reindex`: articles per second and peak RSS, in its two steps (the rounds, then the
  merge into one segment, as `jiwen reindex --merge`), with the searches timed between them too;
- store and index bytes per article; `jiwen export` (jsonl to a file), `jiwen check` and
  `jiwen trends --list` time.

    python bench/scale.py                          # 100k and 300k (builds what is not cached)
    python bench/scale.py --sizes 100000           # one size
    python bench/scale.py --sizes 1000000 --build-only   # build a 1M archive (hours; nohup it)
    python bench/scale.py --searches-only          # the search rows again, over indexed archives

Synthetic facts get the sentence the extractor would give them (`sentence_at`), so facts weigh in
the store what extracted facts weigh. Fingerprints are random 64-bit numbers (the store keeps one
per article; computing real SimHashes is the pipeline's cost, not the store's).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic

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
    ).encode()


def build_archive(size: int, cache: Path = CACHE) -> Path:
    """The cached archive of `size` articles in `cache`, built through the store if absent."""
    from jiwen.core.models import Article, FetchedPage
    from jiwen.extract.facts.sentences import sentence_at
    from jiwen.store import Archive

    folder = cache / f"archive-{size}"
    if (folder / "archive.sqlite3").exists() and not (folder / "BUILDING").exists():
        return folder
    batch = 200
    done = _articles_so_far(folder) if (folder / "BUILDING").exists() else 0
    if not done:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (folder / "BUILDING").write_text("")
    # A build cut short (a session ends, the machine restarts) goes on from its last committed
    # batch: each batch is one transaction and the articles are numbered, so none is lost or doubled.
    log(f"building {size:,} articles into {folder}" + (f", going on from {done:,}" if done else "") + " ...")
    rng = random.Random(7 + done)
    started = time.perf_counter()
    archive = Archive(folder)
    for first in range(done, size, batch):
        with archive.transaction():
            for article in synthetic.generate_articles(min(batch, size - first), start=first):
                facts = [msgspec.structs.replace(fact, sentence=sentence_at(article.body, fact.start)) for fact in article.facts]
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
            log(f"  {first + batch:,} articles, {(first + batch - done) / elapsed:.0f}/s")
    archive.close()
    (folder / "BUILDING").unlink()
    log(f"built {size:,} articles in {time.perf_counter() - started:.0f} s")
    return folder


def _articles_so_far(folder: Path) -> int:
    """Articles an interrupted build committed (0 when its store cannot be read)."""
    import sqlite3

    try:
        db = sqlite3.connect(folder / "archive.sqlite3")
        try:
            return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def measured(arguments: list[str]) -> tuple[float, float, str]:
    """A whole `jiwen` process: (wall seconds, peak RSS in MB, stdout), through /usr/bin/time.
    Not this process's own wait4: a child forked from the bench starts with the bench's memory
    counted in its peak (Linux keeps the pre-exec high-water mark), and the bench grows once it
    has searched in-process; /usr/bin/time is small when it forks the command."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "peak-rss-kb %M", *JIWEN, *arguments], capture_output=True)
    wall = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"jiwen {' '.join(arguments)} failed: {result.stderr.decode(errors='replace')[-2000:]}")
    peak = [line for line in result.stderr.decode(errors="replace").splitlines() if line.startswith("peak-rss-kb ")]
    return wall, int(peak[-1].split()[1]) / 1024, result.stdout.decode("utf-8", errors="replace")


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def schema_version(folder: Path) -> int:
    import sqlite3

    db = sqlite3.connect(folder / "archive.sqlite3")
    try:
        return int(db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
    finally:
        db.close()


REBUILD_UNMERGED = (
    "import sys; from jiwen.store import Archive; from jiwen.library.maintenance import reindex; "
    "archive = Archive(sys.argv[1]); print(reindex(archive, merge=False)); archive.close()"
)


def segment_count(folder: Path) -> int:
    from jiwen.index import ArchiveIndex

    with ArchiveIndex(folder / "index") as archive_index:
        return archive_index.segment_count()


def in_process(folder: Path) -> dict[str, tuple[float, float]]:
    import search_speed

    from jiwen.index import ArchiveIndex
    from jiwen.index.analyzer import segmenter

    segmenter()
    archive_index = ArchiveIndex(folder / "index")
    _first, results = search_speed.latencies(archive_index)
    archive_index.close()
    return {mode: (p50, p95) for mode, (p50, p95, _hits) in results.items()}


class Row(dict):
    """A size's results, logged as each is measured (a long run shows its numbers as it goes)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, name: str, value: str) -> None:
        log(f"  {self.size:,} | {name}: {value}")
        super().__setitem__(name, value)


def measure(size: int, repeat: int, searches_only: bool = False) -> dict[str, str]:
    folder = build_archive(size)
    row = Row(size)
    if searches_only:
        measure_searches(folder, row, repeat)
        return row
    version = schema_version(folder)
    wall, rss, _ = measured_python(["-c", "import sys; from jiwen.store import Archive; Archive(sys.argv[1]).close()", str(folder)])
    row["open by a writer (migration)"] = (
        f"{wall:.1f} s (schema {version} -> {schema_version(folder)})"
        if version != schema_version(folder)
        else f"{wall:.1f} s (no migration)"
    )
    # The reindex in its two steps, so the searches can be timed between them, over the same
    # articles: the rounds (what `jiwen reindex` wrote before it merged, one segment per worker
    # per round), then `jiwen reindex --merge` (what `jiwen reindex` now does at its end).
    log(f"{size:,}: reindex, rounds only ...")
    wall, rss, out = measured_python(["-c", REBUILD_UNMERGED, str(folder)])
    indexed = int(out.split()[0])
    row["reindex rounds (not merged)"] = f"{wall:.0f} s, {indexed / wall:.0f} art/s, {rss:.0f} MB"
    row["segments before merge"] = str(segment_count(folder))
    os.sync()
    measure_searches(folder, row, repeat, " (before merge)")
    log(f"{size:,}: jiwen reindex --merge ...")
    merge_wall, merge_rss, _out = measured(["reindex", "--merge", "--archive", str(folder)])
    row["jiwen reindex --merge"] = f"{merge_wall:.0f} s, {merge_rss:.0f} MB"
    total = wall + merge_wall
    row["jiwen reindex (rounds + merge)"] = f"{total:.0f} s, {indexed / total:.0f} art/s, {max(rss, merge_rss):.0f} MB"
    row["segments after merge"] = str(segment_count(folder))
    row["store bytes/article"] = f"{(folder / 'archive.sqlite3').stat().st_size / size / 1024:.1f} KB"
    row["index bytes/article"] = f"{folder_bytes(folder / 'index') / size / 1024:.1f} KB"
    # Searches are timed once the rebuild's writes are on disk: timed while the kernel was still
    # writing back the fresh index, one-shot searches at 100,000 took 0.3-0.5 s more than in a
    # run of --searches-only on the same index (README, Scale).
    os.sync()
    measure_searches(folder, row, repeat)
    log(f"{size:,}: export and check ...")
    target = CACHE / f"export-{size}.jsonl"
    wall, rss, _ = measured(["export", "--archive", str(folder), "--format", "jsonl", "-o", str(target)])
    row["jiwen export (jsonl)"] = f"{wall:.0f} s, {rss:.0f} MB"
    target.unlink(missing_ok=True)
    wall, rss, _ = measured(["check", "--archive", str(folder)])
    row["jiwen check"] = f"{wall:.1f} s, {rss:.0f} MB"
    log(f"{size:,}: trends ...")
    # Synthetic figures carry no measure, so these time the look-ups over every figure of the
    # archive that find none: the floor of `jiwen trends`, not a chart.
    wall, rss, _ = measured(["trends", "--list", "--archive", str(folder)])
    row["jiwen trends --list"] = f"{wall:.1f} s, {rss:.0f} MB"
    return row


def measure_searches(folder: Path, row: Row, repeat: int, suffix: str = "") -> None:
    """One-shot CLI searches (whole processes) and in-process latencies over an indexed archive."""
    for name, arguments in ONE_SHOT.items():
        walls, peaks = [], []
        for _ in range(repeat):
            wall, rss, _out = measured(["search", *arguments, "--archive", str(folder)])
            walls.append(wall)
            peaks.append(rss)
        row[f"search {name}{suffix}"] = f"{statistics.median(walls):.2f} s, {max(peaks):.0f} MB"
    log(f"{row.size:,}: in-process latencies ...")
    latencies = in_process(folder)
    for mode in ("query only", "+ filters + 5 facets"):
        p50, p95 = latencies[mode]
        row[f"in-process {mode} p50/p95{suffix}"] = f"{p50:.0f} / {p95:.0f} ms"


def measured_python(arguments: list[str]) -> tuple[float, float, str]:
    global JIWEN
    saved, JIWEN = JIWEN, [sys.executable]
    try:
        return measured(arguments)
    finally:
        JIWEN = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000", help="comma-separated article counts")
    parser.add_argument("--build-only", action="store_true", help="only build (and cache) the archives")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each one-shot search")
    parser.add_argument(
        "--searches-only", action="store_true", help="only the search rows, over archives already indexed (no reindex, export, check)"
    )
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    for size in sizes:
        build_archive(size)
    if arguments.build_only:
        return
    rows = {size: measure(size, arguments.repeat, arguments.searches_only) for size in sizes}
    names = list(next(iter(rows.values())))
    width = max(len(name) for name in names)
    print(f"\n{'articles':<{width}}  " + "  ".join(f"{size:>26,}" for size in sizes))
    for name in names:
        print(f"{name:<{width}}  " + "  ".join(f"{rows[size][name]:>26}" for size in sizes))
    print(
        f"\n(one-shot searches: median wall of {arguments.repeat} runs, highest peak RSS (/usr/bin/time); "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end)"
    )


if __name__ == "__main__":
    main()
