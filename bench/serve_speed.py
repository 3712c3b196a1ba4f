"""How fast `jiwen serve` answers its pages over a large archive: p50/p95 of whole HTTP requests.

    python bench/serve_speed.py                       # 10,000 synthetic articles (built once, cached)
    python bench/serve_speed.py --size 100000         # the issue's target size (building takes long)
    python bench/serve_speed.py --archive DIR         # an existing, indexed archive (e.g. bench/scale.py's)
    python bench/serve_speed.py --archive DIR --server-source SRC --only /facts
                                        # the server from another checkout (SRC holds its jiwen/,
                                        # e.g. `git archive REV | tar -x -C SRC`): before and after

bench/synthetic.py's figures carry no measure, role, place or period: on such an archive the
/facts filters on them match nothing. `python bench/attribution.py COPY` gives every figure of a
copy the attribution an extracted figure has (before a schema-4 jiwen opens it).

The archive is `bench/scale.py`'s, filled through the store with `bench/synthetic.py` articles (counties, programmes,
figures with exact offsets) and indexed with `jiwen reindex`; then a real `jiwen serve` process is
started on 127.0.0.1 and timed from this process over HTTP, one request at a time:

- `/` with facets: the search page computes five facets (province, place, programme, site, month)
  and a second count for the hidden off-topic articles; 30 fixed queries (words, place and date
  filters, date sort, a later page);
- `/article/<id>`: 30 articles drawn at random (fixed seed), facts highlighted;
- `/facts` with its six facets (kind, measure, role, province, site, year), its total and one page
  of figures: 20 fixed questions (no filter, each filter alone, a county, a month, combinations,
  later pages); `mentioning=` (answered by the search index first) apart;
- `/trends` once and again: the first reads the figures of the most reported measure (the
  store's fact summaries say which articles have them), the second is served from the
  process's cache (kept until a writer commits);
- baselines in the same run: a static file (the server's floor) and `/api/search` for the same
  queries without facets (what `jiwen search --json` costs inside a server).
The first request of each kind is reported apart: it pays for opening the index and its columns.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale

CACHE = Path(os.environ.get("JIWEN_BENCH_CACHE", Path.home() / ".cache" / "jiwen" / "bench" / "serve"))
JIWEN = [sys.executable, "-c", "from jiwen.cli import main; main()"]
QUERIES = [
    {"q": "就业"}, {"q": "春风行动"}, {"q": "高校毕业生"}, {"q": "稳岗返还"}, {"q": "劳务协作"},
    {"q": "技能培训 补贴"}, {"q": '"公益性岗位"'}, {"q": "创业担保贷款"}, {"q": "零工市场"}, {"q": "以工代赈"},
    {"q": "就业", "place": "贵州省"}, {"q": "招聘会", "place": "四川省"}, {"q": "补贴", "place": "广东省"},
    {"q": "就业", "since": "2024-01", "until": "2024-06"}, {"q": "培训", "since": "2023-03"},
    {"q": "就业", "sort": "date"}, {"q": "岗位", "sort": "date", "page": "3"}, {"q": "就业", "page": "5"},
    {"program": "春风行动"}, {"program": "三支一扶", "place": "河南省"}, {"site": "rst.guizhou.gov.cn"},
    {}, {"sort": "date"}, {"q": "农村劳动力"}, {"q": "失业率"}, {"q": "见习"}, {"q": "返乡创业"},
    {"q": "东西部劳务协作", "sort": "date"}, {"q": "就业 AND 补贴"}, {"q": "就业 NOT 培训"},
]  # fmt: skip
FACT_QUERIES = [
    {}, {"kind": "money"}, {"kind": "percent"}, {"role": "target"}, {"measure": "城镇新增就业人数"},
    {"measure": "脱贫劳动力务工就业人数"}, {"place": "贵州省"}, {"place": "黔东南苗族侗族自治州"}, {"place": "从江县"},
    {"period": "2024"}, {"period": "2024-03"}, {"site": "rst.guizhou.gov.cn"},
    {"kind": "money", "place": "四川省"}, {"measure": "城镇新增就业人数", "period": "2023"},
    {"role": "target", "site": "hrss.gd.gov.cn", "period": "2025"}, {"kind": "count", "role": "actual", "place": "河南省", "period": "2022-06"},
    {"page": "2"}, {"kind": "money", "page": "20"}, {"place": "贵州省", "page": "5"}, {"all": "1"},
]  # fmt: skip
MENTIONING_QUERIES = [{"mentioning": "贵州省"}, {"mentioning": "从江县", "kind": "money"}]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build_archive(size: int) -> Path:
    """bench/scale.py's archive of `size` articles (built through the store once, cached in this
    bench's folder), indexed with `jiwen reindex` once."""
    folder = scale.build_archive(size, cache=CACHE)
    indexed = folder / "INDEXED"
    if not indexed.exists():
        log(f"indexing {size:,} articles (jiwen reindex) ...")
        subprocess.run([*JIWEN, "reindex", "--archive", str(folder)], check=True)
        indexed.write_text("")
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> float:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=900) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{url}: HTTP {error.code}: {error.read()[:300]!r}") from None
    return (time.perf_counter() - started) * 1000


def percentiles(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def article_ids(folder: Path, count: int) -> list[str]:
    from jiwen.store import Archive

    with Archive(folder, read_only=True) as archive:
        ids = sorted(archive.article_ids(indexable_only=True))
    return random.Random(16).sample(ids, min(count, len(ids)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, help="synthetic articles to build (default 10,000)")
    parser.add_argument("--archive", type=Path, help="use this indexed archive instead of building one")
    parser.add_argument("--repeat", type=int, default=1, help="time each request this many times")
    parser.add_argument("--server-source", type=Path, help="run the server from this checkout's jiwen/ (PYTHONPATH)")
    parser.add_argument("--only", choices=("/", "/facts"), help="time only these pages (and the floor)")
    arguments = parser.parse_args()
    folder = arguments.archive or build_archive(arguments.size)
    ids = article_ids(folder, 30)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = dict(os.environ)
    if arguments.server_source:
        environment["PYTHONPATH"] = str(arguments.server_source.resolve())
    log(f"load average before: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    server = subprocess.Popen([*JIWEN, "serve", "--archive", str(folder), "--port", str(port)], stdout=subprocess.DEVNULL, env=environment)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                fetch(base + "/static/app.css")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("jiwen serve did not start") from None
                time.sleep(0.2)
        # The first /facts of the process reads the archive's counts into memory (again after
        # each writer's commit), as the first / opens the index: reported apart.
        first = {"/facts (first request)": fetch(base + "/facts?kind=count")} if arguments.only != "/" else {}
        if arguments.only != "/facts":
            first.update({
                "/ (first request: opens the index)": fetch(base + "/?" + urlencode(QUERIES[0])),
                "/article/<id> (first)": fetch(f"{base}/article/{ids[0]}"),
                # The figures of the archive's most reported measure (then cached until the store
                # changes). bench/synthetic.py's figures carry no measure: on its archives this times
                # the page and the summaries' lookup, not the reading of figures.
                "/trends (first)": fetch(base + "/trends"),
                "/trends (again: cached)": fetch(base + "/trends"),
            })  # fmt: skip
        # `/` before `/api/search`: the server caches postings of recent terms, and the same
        # queries asked second would be timed warm.
        modes = {"static file (floor)": [base + "/static/app.css"] * len(QUERIES)}
        if arguments.only != "/facts":
            modes.update({
                "/ with five facets": [base + "/?" + urlencode(query) for query in QUERIES],
                "/api/search (no facets, same queries again)": [base + "/api/search?" + urlencode(query) for query in QUERIES],
                "/article/<id>": [f"{base}/article/{article_id}" for article_id in ids],
            })  # fmt: skip
        if arguments.only != "/":
            modes.update({
                "/facts with six facets": [base + "/facts?" + urlencode(query) for query in FACT_QUERIES],
                "/facts?mentioning= (index first)": [base + "/facts?" + urlencode(query) for query in MENTIONING_QUERIES],
            })  # fmt: skip
        results, slowest = {}, {}
        for name, urls in modes.items():
            timed = [(fetch(url), url) for url in urls for _ in range(arguments.repeat)]
            results[name] = percentiles([elapsed for elapsed, _ in timed])
            slowest[name] = max(timed)[1]
    finally:
        server.terminate()
        server.wait(timeout=10)
    from jiwen.store import Archive

    with Archive(folder, read_only=True) as archive:
        count = archive.stats()["articles"]
    print(f"jiwen serve over {count:,} articles ({folder}); one request at a time, times in ms")
    print(
        f"  server: {arguments.server_source or 'this checkout'}; load average after: {' '.join(f'{value:.2f}' for value in os.getloadavg())}"
    )
    for name, value in first.items():
        print(f"  {name:<40} {value:8.1f}")
    print(f"  {'page':<40} {'p50':>8} {'p95':>8} {'max':>8}")
    for name, (p50, p95, worst) in results.items():
        print(f"  {name:<40} {p50:8.1f} {p95:8.1f} {worst:8.1f}")
    for name in modes:
        if name.startswith("/facts"):
            print(f"  slowest {name}: {slowest[name].removeprefix(base)}")
    if arguments.only != "/facts":
        floor = results["/api/search (no facets, same queries again)"][1]
        print(f"  / with facets p95 over /api/search p95: {results['/ with five facets'][1] / floor:.2f}x")


if __name__ == "__main__":
    main()
