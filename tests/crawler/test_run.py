"""The real `jiwen crawl` (Scrapy, robots.txt, retries, timeouts) against the fixture site served
on 127.0.0.1, checked through the archive it writes and the server's own request log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiwen.demo.server import serve_site
from tests.crawler.conftest import FAST_CRAWL_ENV, FIXTURE_SITE, crawl, query, requested

NEWS = "/news/202405/"
# What the list pages link to, by fate.
ARCHIVED = {
    "3001": "t20240506_3001.html",  # UTF-8, relevant
    "3002": "t20240507_3002.html",  # heavy related-headlines sidebar
    "3003": "t20240508_3003.html",  # on the third list page, reached by its 下一页 link
    "3004": "t20240509_3004.html",  # 500 once, then recovers on retry
    "3005": "t20240510_3005.html",  # reached through a 301 from t20240510_3099.html
    "3006": "t20240511_3006.html",  # GBK, honest <meta>
    "3007": "t20240512_3007.html",  # GBK behind a UTF-8 header and <meta>
    "3008": "t20240513_3008.html",  # off-topic (a marathon)
    "3009": "t20240507_3009.html",  # the republished copy of 3001
}
MOVED = NEWS + "t20240510_3099.html"
MISSING = NEWS + "t20240515_3010.html"
SLOW = NEWS + "t20240516_3011.html"
BINARY = NEWS + "t20240517_3012.html"
DISALLOWED_FOLDER = "/private/"
LIST_PAGES = ("/", "/index_1.html", "/more.html")


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory):
    """One archive crawled twice from the same server; the server log is split between the runs."""
    from tests.conftest import run_jiwen

    archive = tmp_path_factory.mktemp("crawl") / "archive"
    with serve_site(FIXTURE_SITE) as server:
        first = crawl(run_jiwen, archive, "--url", server.base_url + "/")
        boundary = len(server.requests)
        second = crawl(run_jiwen, archive, "--url", server.base_url + "/")
        yield {
            "archive": archive,
            "base": server.base_url,
            "first_log": requested(server, 0)[:boundary],
            "second_log": requested(server, boundary),
            "second_entries": server.requests[boundary:],
            "first": first,
            "second": second,
        }


def article_url(base: str, number: str) -> str:
    return base + NEWS + ARCHIVED[number]


def test_crawl_archives_exactly_the_articles_the_lists_link_to(two_crawls):
    base = two_crawls["base"]
    urls = {row[0] for row in query(two_crawls["archive"], "SELECT url FROM articles")}
    assert urls == {article_url(base, number) for number in ARCHIVED}


def test_gbk_pages_are_decoded_whatever_their_headers_claim(two_crawls):
    titles = dict(query(two_crawls["archive"], "SELECT url, title FROM articles"))
    base = two_crawls["base"]
    assert titles[article_url(base, "3006")] == "广西与广东深化粤桂劳务协作 有组织输出务工人员18.5万人"
    assert titles[article_url(base, "3007")] == "安徽“春风行动”累计服务求职者96万人次"


def test_offtopic_and_republished_articles_are_kept_but_marked(two_crawls):
    base = two_crawls["base"]
    rows = {
        url: (relevant, duplicate_of, article_id)
        for url, relevant, duplicate_of, article_id in query(two_crawls["archive"], "SELECT url, relevant, duplicate_of, id FROM articles")
    }
    assert rows[article_url(base, "3008")][0] == 0
    assert rows[article_url(base, "3009")][1] == rows[article_url(base, "3001")][2]
    assert rows[article_url(base, "3001")][:2] == (1, None)


def test_a_redirect_is_followed_and_both_urls_are_recorded(two_crawls):
    base = two_crawls["base"]
    rows = query(two_crawls["archive"], "SELECT url, final_url FROM pages WHERE url = ?", base + MOVED)
    assert rows == [(base + MOVED, article_url(base, "3005"))]


def test_robots_txt_is_obeyed_and_the_disallowed_folder_never_requested(two_crawls):
    log = two_crawls["first_log"] + two_crawls["second_log"]
    assert ("/robots.txt", 200) in log
    assert not [path for path, _ in log if path.startswith(DISALLOWED_FOLDER)]


def test_links_in_an_article_sidebar_are_not_followed(two_crawls):
    log = two_crawls["first_log"]
    assert not [path for path, _ in log if path.startswith("/news/202404/")]


def test_a_500_is_retried_until_the_page_comes(two_crawls):
    statuses = [status for path, status in two_crawls["first_log"] if path == NEWS + ARCHIVED["3004"]]
    assert statuses == [500, 200]


def test_http_errors_timeouts_and_binaries_are_recorded_per_url_and_not_fatal(two_crawls):
    base = two_crawls["base"]
    rows = query(two_crawls["archive"], "SELECT run_id, url, kind, status FROM fetch_errors ORDER BY id")
    first_run = {(url, kind, status) for run_id, url, kind, status in rows if run_id == 1}
    assert first_run == {
        (base + MISSING, "http", 404),
        (base + SLOW, "timeout", None),
        (base + BINARY, "not_html", 200),
    }
    slow_attempts = [path for path, _ in two_crawls["first_log"] if path == SLOW]
    assert len(slow_attempts) == 3  # the first try and two retries


def test_the_run_and_its_report_are_stored(two_crawls):
    rows = query(two_crawls["archive"], "SELECT kind, outcome, report FROM runs ORDER BY id")
    assert [(kind, outcome) for kind, outcome, _ in rows] == [("crawl", "finished"), ("crawl", "finished")]
    first, second = (json.loads(report) for _, _, report in rows)
    assert (first["new"], first["duplicate"], first["offtopic"]) == (7, 1, 1)
    assert first["errors"] == {"http": 1, "not_html": 1, "timeout": 1}
    assert second["new"] == 0 and second["already_archived"] == len(ARCHIVED)


def test_a_second_crawl_fetches_no_archived_article_again(two_crawls):
    archived_paths = {NEWS + name for name in ARCHIVED.values()} | {MOVED}
    second = [path for path, _ in two_crawls["second_log"]]
    assert not archived_paths & set(second)
    # What failed the first time is tried again.
    assert MISSING in second and BINARY in second


def test_a_second_crawl_revalidates_list_pages_with_conditional_requests(two_crawls):
    lists = [entry for entry in two_crawls["second_entries"] if entry.path in LIST_PAGES]
    assert sorted(entry.path for entry in lists) == sorted(LIST_PAGES)
    assert all(entry.status == 304 and entry.headers.get("if-none-match") for entry in lists)


def test_a_sites_file_limits_list_pages_and_adds_feed_entry_points(fixture_site, tmp_path, jiwen):
    sites_file = tmp_path / "sites.toml"
    sites_file.write_text(
        f"""
[[site]]
name = "fixture"
start_urls = ["{fixture_site.base_url}/"]
feeds = ["{fixture_site.base_url}/feed.xml"]
[site.pagination]
max_pages = 1
""",
        "utf-8",
    )
    archive = tmp_path / "archive"
    crawl(jiwen, archive, "--site", "fixture", env={"JIWEN_SITES": str(sites_file)})
    paths = [path for path, _ in requested(fixture_site)]
    assert "/index_1.html" not in paths
    sites = {row[0] for row in query(archive, "SELECT DISTINCT site FROM articles")}
    urls = {row[0] for row in query(archive, "SELECT url FROM articles")}
    assert sites == {"fixture"}
    assert fixture_site.base_url + NEWS + "t20240519_3014.html" in urls  # only the feed links to it


def write_slow_site(root: Path, count: int) -> list[str]:
    """A list of `count` articles, each answering after 0.3 s: slow enough to stop mid-crawl."""
    paths = []
    routes = []
    for number in range(count):
        path = f"/news/202406/t202406{number % 28 + 1:02d}_{5000 + number}.html"
        paths.append(path)
        (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / path.lstrip("/")).write_text(
            f"<html><head><meta charset='utf-8'><title>第{number}期就业服务简报</title></head><body>"
            f"<h1>第{number}期就业服务简报</h1><p>本期共组织招聘会{number + 3}场，提供就业岗位{(number + 1) * 130}个，"
            f"帮助{number + 40}名农民工实现务工就业，发放稳岗补贴{number + 2}万元。</p></body></html>",
            "utf-8",
        )
        routes.append(f'[routes."{path}"]\ndelay = 0.3\n')
    links = "".join(f'<li><a href="{path}">简报{i}</a></li>' for i, path in enumerate(paths))
    (root / "index.html").write_text(f"<html><body><ul>{links}</ul></body></html>", "utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", "utf-8")
    (root / "_routes.toml").write_text("\n".join(routes), "utf-8")
    return paths


def test_a_stopped_crawl_resumes_where_it_stopped_without_duplicates(tmp_path):
    site_root = tmp_path / "site"
    site_root.mkdir()
    paths = write_slow_site(site_root, 30)
    archive = tmp_path / "archive"
    with serve_site(site_root) as server:
        command = [
            sys.executable,
            "-c",
            "from jiwen.cli import main; main()",
            "crawl",
            "--url",
            server.base_url + "/",
            "--archive",
            str(archive),
            "--no-throttle",
        ]
        process = subprocess.Popen(command, env={**os.environ, **FAST_CRAWL_ENV}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while sum(1 for entry in server.requests if entry.path in paths) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)  # Ctrl-C: Scrapy stops gracefully, keeping its job state
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr[-3000:]
        first_fetched = {entry.path for entry in server.requests if entry.path in paths}
        archived_first = {row[0] for row in query(archive, "SELECT url FROM pages")}
        assert 0 < len(archived_first) < len(paths), "the crawl was not stopped midway; nothing to resume"
        assert (archive / "jobs" / f"127.0.0.1-{server.base_url.rsplit(':', 1)[1]}").is_dir()
        outcome = query(archive, "SELECT outcome FROM runs")[0][0]
        assert outcome == "interrupted"

        boundary = len(server.requests)
        from tests.conftest import run_jiwen

        crawl(run_jiwen, archive, "--url", server.base_url + "/")
        second_fetched = [entry.path for entry in server.requests[boundary:] if entry.path in paths]

    archived = [row[0] for row in query(archive, "SELECT url FROM pages")]
    assert sorted(archived) == sorted(server.base_url + path for path in paths)  # all, each once
    assert not {server.base_url + path for path in second_fetched} & archived_first
    assert first_fetched | set(second_fetched) == set(paths)
    assert not (archive / "jobs" / f"127.0.0.1-{server.base_url.rsplit(':', 1)[1]}").exists()


def test_run_crawl_takes_settings_overrides_and_oversized_pages_are_cancelled_and_recorded(fixture_site, tmp_path):
    """run_crawl() as a library call (in its own process: Scrapy's reactor runs once per process),
    with a 2,000-byte DOWNLOAD_MAXSIZE: the three ~2.8 KB articles are cut off, the rest come."""
    archive = tmp_path / "archive"
    program = (
        "import json, sys; from pathlib import Path; from jiwen.library.crawl import crawl; "
        "report = crawl(Path(sys.argv[1]), urls=[sys.argv[2]], progress=False, settings_overrides="
        "{'DOWNLOAD_MAXSIZE': 2000, 'AUTOTHROTTLE_ENABLED': False, 'DOWNLOAD_DELAY': 0}); print(json.dumps(report))"
    )
    result = subprocess.run(
        [sys.executable, "-c", program, str(archive), fixture_site.base_url + "/"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **FAST_CRAWL_ENV},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    too_large = {row[0] for row in query(archive, "SELECT url FROM fetch_errors WHERE kind = 'too_large'")}
    assert too_large == {article_url(fixture_site.base_url, number) for number in ("3001", "3002", "3009")}
    assert report["errors"]["too_large"] == 3
    assert report["new"] + report["offtopic"] + report["duplicate"] == len(ARCHIVED) - 3, json.dumps(report)


def test_no_server_gets_more_requests_at_once_than_the_per_domain_limit(tmp_path, jiwen):
    """Even with delays off (--no-throttle), a server sees at most CONCURRENT_REQUESTS_PER_DOMAIN
    requests at a time. Eight pages of this site answer after 0.8 s, so a crawler that starts its
    whole queue at once (Scrapy 2.19 under the asyncio reactor did: 9 at a time) is caught."""
    from jiwen.crawler import settings
    from tests.schedule_support import SCHEDULE_SITE

    with serve_site(SCHEDULE_SITE) as server:
        crawl(jiwen, tmp_path / "archive", "--url", server.base_url + "/")
        assert len(server.requests) >= 10
        assert 1 <= server.peak_in_flight <= settings.CONCURRENT_REQUESTS_PER_DOMAIN
