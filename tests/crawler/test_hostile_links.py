"""A hostile site, crawled for real on 127.0.0.1: its list page links to the crawling machine's
own files (file://<the site's host>/etc/passwd?<an article path>, file:///dev/zero), to
javascript: and data: URLs, to a path shape hidden in a query string, to a redirect loop and to a
gzip bomb. Nothing but http(s) is fetched or archived, and every bound that was hit is recorded."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from jiwen.crawler.context import CrawlContext
from jiwen.crawler.middlewares import SchemeGuard
from jiwen.crawler.sites import site_for_url
from jiwen.crawler.spiders.news import NewsSpider
from jiwen.demo.server import serve_site
from jiwen.store import Archive
from tests.crawler.conftest import FIXTURE_SITE, crawl, query

GOOD = "/news/202401/t20240101_10.html"
LOOP = ("/news/202401/t20240102_11.html", "/news/202401/t20240102_12.html")
BOMB = "/news/202401/t20240103_13.html"
# An article URL whose server answers with a redirect to the crawling machine's own file.
TO_FILE = "/news/202401/t20240105_30.html"
# Seven redirects in a row, past REDIRECT_MAX_TIMES (5), and never back to one already seen.
CHAIN = tuple(f"/news/202401/t20240104_{number}.html" for number in range(20, 28))
HOSTILE_LINKS = (
    "file://{host}/etc/passwd?/news/202401/t20240101_1.html",
    "file:///dev/zero?/news/202401/t20240101_2.html",
    "javascript:location='/news/202401/t20240101_3.html'",
    "data:text/html,<b>/news/202401/t20240101_4.html</b>",
    "/etc/passwd?/news/202401/t20240101_5.html",
)


def hostile_site(root: Path, host: str) -> Path:
    root.mkdir()
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", "utf-8")
    links = [link.format(host=host) for link in HOSTILE_LINKS] + [GOOD, LOOP[0], BOMB, CHAIN[0], TO_FILE]
    anchors = "\n".join(f'<li><a href="{link}">通知 {number}</a></li>' for number, link in enumerate(links))
    (root / "index.html").write_text(f"<html><body><ul>{anchors}</ul></body></html>", "utf-8")
    news = root / "news" / "202401"
    news.mkdir(parents=True)
    shutil.copy(FIXTURE_SITE / "news" / "202405" / "t20240506_3001.html", news / "t20240101_10.html")
    # 64 MB of zeros, about 64 KB gzipped: far past the 8 MB DOWNLOAD_MAXSIZE once unpacked.
    (root / "bomb.gz").write_bytes(gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9))
    (root / "_routes.toml").write_text(
        f'[routes."{TO_FILE}"]\nredirect = "file:///etc/passwd"\n'
        f'[routes."{LOOP[0]}"]\nredirect = "{LOOP[1]}"\n'
        f'[routes."{LOOP[1]}"]\nredirect = "{LOOP[0]}"\n'
        + "".join(f'[routes."{hop}"]\nredirect = "{after}"\n' for hop, after in zip(CHAIN, CHAIN[1:]))
        + f'[routes."{BOMB}"]\nfile = "bomb.gz"\ncontent_type = "text/html"\nheaders = {{ Content-Encoding = "gzip" }}\n',
        "utf-8",
    )
    return root


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    from tests.conftest import run_jiwen

    folder = tmp_path_factory.mktemp("hostile")
    root = folder / "site"
    root.mkdir()
    with serve_site(root) as server:
        shutil.rmtree(root)
        hostile_site(root, server.base_url.removeprefix("http://").split(":")[0])
        server.routes.update(__import__("jiwen.demo.server", fromlist=["load_routes"]).load_routes(root))
        archive = folder / "archive"
        result = crawl(run_jiwen, archive, "--url", server.base_url + "/")
        yield {"archive": archive, "base": server.base_url, "paths": server.paths_requested(), "result": result}


def test_only_the_http_article_is_fetched_and_archived(hostile_crawl):
    urls = {row[0] for row in query(hostile_crawl["archive"], "SELECT url FROM pages")}
    assert urls == {hostile_crawl["base"] + GOOD}


def test_no_local_file_or_data_url_reaches_the_archive_or_the_index(hostile_crawl, jiwen):
    archive = hostile_crawl["archive"]
    assert query(archive, "SELECT COUNT(*) FROM pages WHERE url NOT LIKE 'http://%'") == [(0,)]
    assert query(archive, "SELECT COUNT(*) FROM pages WHERE body LIKE '%root:%'") == [(0,)]
    result = jiwen("search", "root", "--archive", str(archive))
    assert "passwd" not in result.stdout


def test_a_redirect_to_a_local_file_is_refused_and_recorded(hostile_crawl):
    # Scrapy does not follow a redirect to another scheme; jiwen records that it was refused.
    rows = query(hostile_crawl["archive"], "SELECT url, status, message FROM fetch_errors WHERE kind = 'redirect_refused'")
    assert rows == [(hostile_crawl["base"] + TO_FILE, 302, "redirect not followed, to 'file:///etc/passwd'")]


def test_a_path_shape_hidden_in_a_query_string_is_not_taken_for_an_article(hostile_crawl):
    assert not [path for path in hostile_crawl["paths"] if "passwd" in path or "zero" in path]


def test_a_redirect_loop_and_a_too_long_redirect_chain_are_recorded(hostile_crawl):
    rows = query(hostile_crawl["archive"], "SELECT url, message FROM fetch_errors WHERE kind = 'redirect_loop' ORDER BY url")
    assert [url for url, _ in rows] == [hostile_crawl["base"] + LOOP[0], hostile_crawl["base"] + CHAIN[0]]
    assert "loop" in rows[0][1] and "REDIRECT_MAX_TIMES" in rows[1][1]
    assert "redirect_loop=2" in hostile_crawl["result"].stdout


def test_a_gzip_bomb_is_cut_off_and_recorded_as_too_large(hostile_crawl):
    rows = query(hostile_crawl["archive"], "SELECT url, message FROM fetch_errors WHERE kind = 'too_large'")
    assert [url for url, _ in rows] == [hostile_crawl["base"] + BOMB]
    assert "decompression" in rows[0][1]
    assert "too_large=1" in hostile_crawl["result"].stdout


def test_the_bounds_hit_are_in_the_archive_log(hostile_crawl):
    log = (hostile_crawl["archive"] / "logs" / "jiwen.log").read_text("utf-8")
    assert "redirect_loop" in log and "too_large" in log


def test_the_spider_drops_links_that_are_not_http_whatever_their_host_and_shape():
    base = "http://news.example.gov.cn"
    spider = NewsSpider(site=site_for_url(base + "/"))
    links = [link.format(host="news.example.gov.cn") for link in HOSTILE_LINKS] + [GOOD]
    body = "".join(f'<a href="{link}">x</a>' for link in links).encode()
    request = scrapy.Request(base + "/", meta={"list_page": 1})
    response = HtmlResponse(request.url, body=body, request=request, headers={"Content-Type": "text/html"})
    assert [r.url for r in spider.parse_list(response)] == [base + GOOD]


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://127.0.0.1/etc/shadow?/news/202401/t20240101_1.html",
        "data:text/html,hi",
        "ftp://127.0.0.1/x",
        "s3://bucket/key",
    ],
)
def test_the_scheme_guard_refuses_and_records_any_request_that_is_not_http(tmp_path, url):
    archive = Archive(tmp_path / "archive")
    run_id = archive.start_run("crawl", None, {})
    crawler = get_crawler(NewsSpider, {"JIWEN_CONTEXT": CrawlContext(archive, run_id, None)})
    crawler.stats.open_spider()  # the guard counts what it refuses
    guard = SchemeGuard.from_crawler(crawler)
    with pytest.raises(IgnoreRequest):
        guard.process_request(scrapy.Request(url, meta={"jiwen_kind": "article"}))
    assert guard.process_request(scrapy.Request("https://news.example.gov.cn/a.html")) is None
    assert [(e["url"], e["kind"]) for e in archive.fetch_errors(run_id)] == [(url, "refused_scheme")]


def test_the_file_data_ftp_and_s3_download_handlers_are_switched_off():
    from jiwen.crawler import settings

    # (http and https go to jiwen's own handler: Scrapy's, or chromium for rendered pages.)
    assert {scheme: settings.DOWNLOAD_HANDLERS[scheme] for scheme in ("file", "data", "s3", "ftp")} == dict.fromkeys(
        ("file", "data", "s3", "ftp")
    )


@pytest.mark.parametrize(
    ("with_redirect", "says"), [(True, "none of their article links could be fetched"), (False, "their links were refused")]
)
def test_a_list_whose_article_links_are_all_refused_is_not_called_unfetchable(tmp_path, jiwen, with_redirect, says):
    root = tmp_path / "site"
    root.mkdir()
    links = [link.format(host="127.0.0.1") for link in HOSTILE_LINKS[:4]] + ([TO_FILE] if with_redirect else [])
    anchors = "\n".join(f'<li><a href="{link}">通知 {number}</a></li>' for number, link in enumerate(links))
    (root / "list").mkdir()
    (root / "list" / "index.html").write_text(f"<html><body><ul>{anchors}</ul></body></html>", "utf-8")
    (root / "_routes.toml").write_text(f'[routes."{TO_FILE}"]\nredirect = "file:///etc/passwd"\n', "utf-8")
    with serve_site(root) as server:
        result = jiwen("crawl", "--url", server.base_url + "/list/", "--archive", str(tmp_path / "archive"), "--no-throttle")
    assert result.returncode == 1, result.stderr
    assert "could not be fetched" not in result.stderr.replace(says, "")
    assert "start pages" not in result.stderr and says in result.stderr, result.stderr
