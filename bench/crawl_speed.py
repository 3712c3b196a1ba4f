"""Crawl speed: the full `jiwen crawl` (fetch, archive, extract, facts, relevance, near-duplicates,
index) beside a bare Scrapy crawl of the same site measured in the same run (a spider that follows
the same links and yields url + title only), both with politeness delays off, on loopback.

The site: `--articles` (default 1,000) article pages in a provincial CMS layout (navigation bar,
related-headlines sidebar, footer, ~5.5 KB bodies from bench/synthetic.py: gazetteer places,
programme names, numbers), 20 to a list page, list pages chained by 下一页; generated into a temp
folder and served by jiwen.demo.server in this process. Each crawl runs in its own process, as the
CLI does.

    python bench/crawl_speed.py                     # 1,000 articles
    python bench/crawl_speed.py --articles 300      # a quick run
    python bench/crawl_speed.py --repeat 3          # each crawl three times, the fastest kept
    python bench/crawl_speed.py --profile           # also: where the full crawl spends its time
    python bench/crawl_speed.py --articles 200 --browser   # also: every page through chromium

`--browser` adds the browser path (`--render browser`: every list and article page rendered by
headless Debian chromium, crawler/browser.py) beside the plain crawl, with the peak memory of each
crawl's whole process tree (jiwen, Playwright's driver, chromium's processes), sampled every
0.1 s with psutil (pip install -e '.[bench]'). "peak MB" sums the processes' RSS, which counts a
page shared by several processes (the extraction processes forked from one server) once each;
"PSS MB" shares it among them (sampled every 0.5 s).

Two bare baselines: one with jiwen's downloader settings (2 per domain, Twisted's reactor: the
overhead comparison, the ratio that matters), one with all of Scrapy's defaults (8 per domain, the
asyncio reactor, under which Scrapy 2.19 does not keep the per-domain limit without delays).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic

from jiwen.demo.server import serve_site

PER_LIST_PAGE = 20
NAVIGATION = (
    "首页",
    "机构概况",
    "政务公开",
    "工作动态",
    "通知公告",
    "政策法规",
    "就业创业",
    "社会保障",
    "人才人事",
    "劳动关系",
    "办事服务",
    "互动交流",
    "专题专栏",
    "数据发布",
)


def article_path(number: int, published: str) -> str:
    day = published.replace("-", "")
    return f"/news/{day[:6]}/t{day}_{100000 + number}.html"


def render_article(article, path: str, related: list[tuple[str, str]]) -> str:
    navigation = "".join(f'<li><a href="/col{i}/index.html">{name}</a></li>' for i, name in enumerate(NAVIGATION))
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in article.body.split("\n") if p)
    sidebar = "".join(f'<li><a href="{href}">{html.escape(title)}</a></li>' for href, title in related)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(article.title)}_人力资源和社会保障厅</title>
<meta name="keywords" content="就业,人社"></head>
<body><div class="top"><ul class="nav">{navigation}</ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/index.html">工作动态</a></div>
<div class="article"><h1>{html.escape(article.title)}</h1>
<div class="info">发布时间：{article.published} 09:30　来源：{article.site}</div>
<div class="TRS_Editor">
{paragraphs}</div></div>
<div class="sidebar"><h3>相关新闻</h3><ul>{sidebar}</ul></div>
<div class="footer"><p>主办：某省人力资源和社会保障厅 地址：某市某路1号 备案号：某ICP备00000000号</p></div>
</body></html>
"""


def render_list(entries: list[tuple[str, str, str]], page: int, pages: int) -> str:
    items = "".join(f'<li><a href="{href}">{html.escape(title)}</a><span>{date}</span></li>' for href, title, date in entries)
    next_link = f'<a href="index_{page + 1}.html">下一页</a>' if page + 1 < pages else ""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>工作动态_人力资源和社会保障厅</title></head>
<body><div class="list"><h2>工作动态</h2><ul>{items}</ul><div class="pager">{next_link}</div></div></body></html>
"""


def generate_site(root: Path, count: int) -> int:
    articles = list(synthetic.generate_articles(count))
    paths = [article_path(number, article.published) for number, article in enumerate(articles)]
    for number, (article, path) in enumerate(zip(articles, paths)):
        related = [(paths[(number + k) % count], articles[(number + k) % count].title) for k in range(1, 11)]
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_article(article, path, related), "utf-8")
    entries = [(path, article.title, article.published) for path, article in zip(paths, articles)]
    pages = (count + PER_LIST_PAGE - 1) // PER_LIST_PAGE
    for page in range(pages):
        name = "index.html" if page == 0 else f"index_{page}.html"
        chunk = entries[page * PER_LIST_PAGE : (page + 1) * PER_LIST_PAGE]
        (root / name).write_text(render_list(chunk, page, pages), "utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", "utf-8")
    return pages


# -- the bare baseline, run in its own process: `crawl_speed.py --bare-crawl URL CONCURRENCY` ----


def bare_crawl(base_url: str, concurrency: int, reactor: str | None) -> None:
    import re

    import scrapy
    from scrapy.crawler import CrawlerProcess

    article = re.compile(r"/t\d{8}_\d+\.html$")

    class BareSpider(scrapy.Spider):
        name = "bare"
        start_urls = (base_url + "/",)

        def parse(self, response):
            for href in response.css(".list a::attr(href)").getall():
                url = response.urljoin(href)
                if article.search(url):
                    yield scrapy.Request(url, callback=self.parse_article, priority=10)
                else:
                    yield scrapy.Request(url, callback=self.parse)

        def parse_article(self, response):
            yield {"url": response.url, "title": response.css("title::text").get()}

    process = CrawlerProcess(
        {
            "LOG_LEVEL": "WARNING",
            "ROBOTSTXT_OBEY": True,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "TELNETCONSOLE_ENABLED": False,
            **({} if reactor == "asyncio" else {"TWISTED_REACTOR": None, "REMOTE_CONTROL_ENABLED": False}),
        }
    )
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    started = time.perf_counter()
    process.start()
    print(json.dumps({"articles": crawler.stats.get_value("item_scraped_count", 0), "seconds": time.perf_counter() - started}))


def run_bare(base_url: str, concurrency: int, reactor: str = "twisted") -> dict:
    import resource

    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        [sys.executable, __file__, "--bare-crawl", base_url, str(concurrency), reactor], capture_output=True, text=True, check=True
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["wall"] = time.perf_counter() - started
    report["cpu"] = {"bare Scrapy": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)}
    return report


def run_full(base_url: str, archive: Path, sites_file: Path, workers: int | None = None) -> dict:
    """`jiwen crawl --site bench --no-throttle [--workers N]` in its own process, as the CLI runs it."""
    return run_measured(archive, sites_file, *(("--workers", str(workers)) if workers else ()))


def run_measured(archive: Path, sites_file: Path, *extra: str) -> dict:
    """`jiwen crawl --site bench` with the peak resident memory of its process tree and the CPU
    seconds of each of its processes (the crawl's own, the page pipeline's, the indexer's; with
    --render browser, Playwright's driver and chromium's), sampled every 0.1 s with psutil. CPU
    seconds say where the work goes whatever else the machine runs; wall clock does not."""
    try:
        import psutil
    except ImportError:
        psutil = None
    command = [
        sys.executable,
        "-c",
        "from jiwen.cli import main; main()",
        "crawl",
        "--site",
        "bench",
        "--archive",
        str(archive),
        "--no-throttle",
        *extra,
    ]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "JIWEN_SITES": str(sites_file)}
    )
    peak = peak_shared = 0
    samples = 0
    cpu: dict[int, float] = {}  # pid -> user + system seconds, last sample
    roles: dict[int, str] = {}  # pid -> its part of the crawl, told once it can be read
    if psutil is not None:
        tree = psutil.Process(process.pid)
        while process.poll() is None:
            try:
                members = [tree, *tree.children(recursive=True)]
                peak = max(peak, sum(member.memory_info().rss for member in members if member.is_running()))
                samples += 1
                if samples % 5 == 0:
                    # PSS (a page shared by n processes counts 1/n in each): what forked processes
                    # really hold together. 0.3 ms a process to read, so every fifth sample.
                    peak_shared = max(peak_shared, sum(member.memory_full_info().pss for member in members if member.is_running()))
                for member in members:
                    times = member.cpu_times()
                    cpu[member.pid] = times.user + times.system
                    if member.pid not in roles and (role := _role(member, tree)) is not None:
                        roles[member.pid] = role
            except psutil.Error:
                pass
            time.sleep(0.1)
    _, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"jiwen crawl {' '.join(extra)} failed:\n{stderr[-3000:]}")
    wall = time.perf_counter() - started
    from jiwen.store import Archive

    with Archive(archive, create=False) as opened:
        report = opened.runs(1)[0]["report"]
    stored = sum(report.get(key, 0) for key in ("new", "updated", "duplicate", "offtopic"))
    by_role: dict[str, float] = {}
    for pid, seconds in cpu.items():
        role = roles.get(pid, "other")
        by_role[role] = by_role.get(role, 0.0) + seconds
    return {
        "articles": stored,
        "pages": report["pages_fetched"],
        "seconds": report["elapsed_seconds"],
        "wall": wall,
        "peak_mb": peak / 2**20 if peak else None,
        "peak_pss_mb": peak_shared / 2**20 if peak_shared else None,
        "cpu": by_role,
        "report": report,
    }


def _role(member, root) -> str | None:
    """Which part of a crawl a process of its tree is; None while that cannot be read (a process
    just started, or ended and not yet reaped)."""
    if member.pid == root.pid:
        return "crawl process (Scrapy)"
    try:
        command = " ".join(member.cmdline())
        parent = member.ppid()
    except Exception:
        return None
    if "chrom" in member.name() or "node" in member.name() or "playwright" in command:
        return "chromium + Playwright"
    if "resource_tracker" in command:
        return "other"
    if "multiprocessing.forkserver" in command:
        return "extraction processes"  # their fork server: it loads the extractor once for them
    if parent == root.pid:
        return "page pipeline"
    try:
        forked = "multiprocessing.forkserver" in " ".join(member.parent().cmdline())
    except Exception:
        return None
    return "extraction processes" if forked else "indexer"


def print_browser_rows(temp: Path, sites_file: Path) -> None:
    plain = run_measured(temp / "archive-plain-measured", sites_file)
    browser = run_measured(temp / "archive-browser", sites_file, "--render", "browser")
    print(f"\n{'crawl (pages = lists + articles)':<50}{'pages':>7}{'crawl s':>9}{'pages/s':>9}{'wall s':>8}{'peak MB':>9}")
    for label, row in (("jiwen crawl, plain HTTP", plain), ("jiwen crawl --render browser (chromium)", browser)):
        peak = f"{row['peak_mb']:.0f}" if row["peak_mb"] else "n/a"
        print(f"{label:<50}{row['pages']:>7}{row['seconds']:>9.1f}{row['pages'] / row['seconds']:>9.1f}{row['wall']:>8.1f}{peak:>9}")
    rendered = browser["report"].get("browser", {})
    print(
        f"chromium: {rendered.get('pages_rendered', 0)} pages rendered, {rendered.get('restarts', 0)} restart(s), "
        f"its own processes at most {rendered.get('peak_memory_mb', 0)} MB (peak MB above: the whole process tree)"
    )
    print(
        f"browser / plain: {(browser['pages'] / browser['seconds']) / (plain['pages'] / plain['seconds']):.2f}x pages/s "
        f"({browser['articles']} and {plain['articles']} articles stored)"
    )


def run_pipeline_only(crawled: Path, archive: Path) -> dict:
    """The same pages, read back from the crawl's archive, through PagePipeline with no crawler:
    what the crawl would cost if fetching were free. full - this = the crawler's own overhead."""
    from jiwen.library.pipeline import PagePipeline
    from jiwen.store import Archive

    with Archive(crawled, create=False) as source:
        pages = [page for _, page in source.latest_pages()]
    with Archive(archive) as target:
        pipeline = PagePipeline(target)
        started = time.perf_counter()
        for page in pages:
            pipeline.process(page)
        pipeline.close()
        seconds = time.perf_counter() - started
    return {"articles": len(pages), "seconds": seconds, "wall": seconds}


def profile_full(archive: Path, sites_file: Path, top: int) -> None:
    """Where the full crawl's time goes, per process. The crawl runs in this process under
    cProfile (its main thread is the reactor: Scrapy, the spider, the middlewares); the page
    pipeline runs in a process of its own, which cProfile cannot follow, so its work is profiled
    by running PagePipeline here on the pages the crawl archived (what the pipeline process does
    with each page it is sent)."""
    import cProfile
    import pstats

    from jiwen.library.extractors import warm_up

    os.environ["JIWEN_SITES"] = str(sites_file)
    from jiwen.crawler.sites import find_site, load_sites
    from jiwen.library.crawl import crawl

    site = find_site(load_sites(), "bench")
    reactor_profiler = cProfile.Profile()
    started = time.perf_counter()
    reactor_profiler.enable()
    report = crawl(archive, sites=[site], settings_overrides={"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0}, progress=False)
    reactor_profiler.disable()
    wall = time.perf_counter() - started
    warm_up()  # dictionaries: startup, not per page
    pipeline_profiler = cProfile.Profile()
    pipeline_profiler.enable()
    pipeline_run = run_pipeline_only(archive, archive.parent / "archive-profile-pipeline")
    pipeline_profiler.disable()
    reactor_stats, pipeline_stats = pstats.Stats(reactor_profiler), pstats.Stats(pipeline_profiler)
    pages = max(1, pipeline_run["articles"])
    stages = {
        "pipeline: extract, article (HTML -> Article)": (pipeline_stats, "extract/article/page.py", "extract_article"),
        "pipeline: extract, facts": (pipeline_stats, "extract/facts/extractor.py", "extract_facts"),
        "pipeline: relevance": (pipeline_stats, "extract/relevance.py", "is_relevant"),
        "pipeline: near-duplicate fingerprint": (pipeline_stats, "extract/fingerprint.py", "simhash"),
        "pipeline: store (add_page, save_article, lookups)": (
            pipeline_stats,
            "jiwen/store/",
            ("add_page", "save_article", "near_duplicate_of", "article_for_url", "set_page_outcome"),
        ),
        "pipeline: all of PagePipeline.process": (pipeline_stats, "jiwen/library/pipeline.py", "process"),
        "reactor: spider callbacks": (reactor_stats, "spiders/news.py", "parse_"),
        "reactor: jiwen middlewares + item pipeline": (
            reactor_stats,
            "crawler/",
            ("process_request", "process_response", "process_exception", "process_item"),
        ),
    }
    print(f"\nprofile ({report['new']} new articles; the crawl took {wall:.1f} s in this process under the profiler)")
    print(f"  {'stage (cumulative, under cProfile)':<58}{'ms/page':>9}")
    for label, (stats, file_part, names) in stages.items():
        names = (names,) if isinstance(names, str) else names
        seconds = sum(value[3] for (file, _, function), value in stats.stats.items() if file_part in file and function.startswith(names))
        print(f"  {label:<58}{1000 * seconds / pages:9.2f}")
    print(f"\n  page pipeline, top {top} functions by own time:")
    pipeline_stats.sort_stats("tottime").print_stats(top)
    print(f"\n  reactor thread, top {top} functions by own time:")
    reactor_stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="also profile the full crawl in-process")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--browser", action="store_true", help="also crawl with --render browser: pages/s and peak memory")
    parser.add_argument("--repeat", type=int, default=1, help="run each crawl N times and keep the fastest")
    parser.add_argument(
        "--workers", default="", help="also the full crawl with `--workers N` for each N of this comma list (1: no extraction processes)"
    )
    parser.add_argument("--bare-crawl", nargs=3, metavar=("URL", "CONCURRENCY", "REACTOR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_crawl:
        bare_crawl(args.bare_crawl[0], int(args.bare_crawl[1]), args.bare_crawl[2])
        return
    with tempfile.TemporaryDirectory(prefix="jiwen-crawl-bench-") as temp:
        root = Path(temp) / "site"
        root.mkdir()
        started = time.perf_counter()
        pages = generate_site(root, args.articles)
        print(f"site: {args.articles} articles, {pages} list pages, generated in {time.perf_counter() - started:.1f} s")
        sites_file = Path(temp) / "sites.toml"
        with serve_site(root) as server:
            sites_file.write_text(
                f'[[site]]\nname = "bench"\nstart_urls = ["{server.base_url}/"]\n[site.pagination]\nmax_pages = {pages + 1}\n',
                "utf-8",
            )

            # Best of --repeat runs, like timeit: noise on a shared machine only ever adds time.
            def best(runs: list[dict]) -> dict:
                return min(runs, key=lambda run: run["seconds"])

            load_before = os.getloadavg()[0]
            bare_same, bare_default, fulls, pipeline_onlies = [], [], [], []
            worker_counts = [int(n) for n in args.workers.split(",") if n.strip()]
            by_workers: dict[int, list[dict]] = {n: [] for n in worker_counts}
            for attempt in range(args.repeat):
                bare_same.append(run_bare(server.base_url, 2))
                bare_default.append(run_bare(server.base_url, 8, "asyncio"))
                fulls.append(run_full(server.base_url, Path(temp) / f"archive-{attempt}", sites_file))
                pipeline_onlies.append(run_pipeline_only(Path(temp) / f"archive-{attempt}", Path(temp) / f"archive-pipeline-{attempt}"))
                for n in worker_counts:
                    by_workers[n].append(run_full(server.base_url, Path(temp) / f"archive-{attempt}-workers-{n}", sites_file, n))
            bare_same, bare_default, full, pipeline_only = best(bare_same), best(bare_default), best(fulls), best(pipeline_onlies)
            rows = [
                ("bare Scrapy, 2 per domain (jiwen's politeness)", bare_same),
                ("bare Scrapy, all defaults (8 per domain, asyncio)", bare_default),
                ("jiwen crawl (archive, extract, facts, index)", full),
                *((f"jiwen crawl --workers {n}", best(runs)) for n, runs in by_workers.items()),
                ("PagePipeline alone on the same pages (no fetch)", pipeline_only),
            ]
            print(f"\nbest of {args.repeat} run(s) each")
            print(f"\n{'crawl':<50}{'articles':>9}{'crawl s':>9}{'art/s':>8}{'wall s':>8}{'art/s wall':>11}{'peak MB':>9}{'PSS MB':>8}")
            for label, row in rows:
                peak = f"{row['peak_mb']:.0f}" if row.get("peak_mb") else "-"  # the process tree's, sampled (jiwen's crawls)
                shared = f"{row['peak_pss_mb']:.0f}" if row.get("peak_pss_mb") else "-"
                print(
                    f"{label:<50}{row['articles']:>9}{row['seconds']:>9.1f}{row['articles'] / row['seconds']:>8.1f}"
                    f"{row['wall']:>8.1f}{row['articles'] / row['wall']:>11.1f}{peak:>9}{shared:>8}"
                )
            ratio = (full["articles"] / full["seconds"]) / (bare_same["articles"] / bare_same["seconds"])
            ratio_wall = (full["articles"] / full["wall"]) / (bare_same["articles"] / bare_same["wall"])
            ratio_default = (full["articles"] / full["seconds"]) / (bare_default["articles"] / bare_default["seconds"])
            print(f"\nfull / bare (same settings): {ratio:.2f}x crawl time, {ratio_wall:.2f}x wall clock (target >= 0.3x)")
            print(f"full / bare at Scrapy's defaults: {ratio_default:.2f}x crawl time")
            overhead = full["seconds"] - pipeline_only["seconds"]
            print(
                f"crawler overhead (full crawl - pipeline alone): {overhead:.1f} s, "
                f"{overhead / full['seconds']:.0%} of the full crawl; fetching alone took {bare_same['seconds']:.1f} s"
            )
            print("\nCPU per article (user + system, whole process, start-up included):")
            for label, row in (
                ("bare Scrapy, 2 per domain", bare_same),
                ("jiwen crawl", full),
                *((f"jiwen crawl --workers {n}", best(runs)) for n, runs in by_workers.items()),
            ):
                parts = ", ".join(f"{role} {1000 * seconds / row['articles']:.1f} ms" for role, seconds in sorted(row["cpu"].items()))
                total = 1000 * sum(row["cpu"].values()) / row["articles"]
                print(f"  {label}: {total:.1f} ms ({parts})")
            print(f"load average at the start {load_before:.2f}, at the end {os.getloadavg()[0]:.2f} (1 minute; {os.cpu_count()} cores)")
            print("full crawl report: " + json.dumps(full["report"], ensure_ascii=False))
            if args.browser:
                print_browser_rows(Path(temp), sites_file)
            if args.profile:
                profile_full(Path(temp) / "archive-profile", sites_file, args.top)


if __name__ == "__main__":
    main()
