"""The browser path (crawler/browser.py) through the real `jiwen crawl`, against fixture sites on
127.0.0.1 written for these tests: a 加速乐-style gate whose cookie only its script computes
(tests/fixtures/gate_site), a list drawn by JavaScript from a JSON file (script_list_site), and
the gate again with chromium missing. Debian's chromium is driven by Playwright; nothing is
downloaded."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jiwen.demo.server import serve_site
from tests.crawler.conftest import FAST_CRAWL_ENV, crawl, query

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GATE_SITE = FIXTURES / "gate_site"
SCRIPT_LIST_SITE = FIXTURES / "script_list_site"
CHROMIUM = Path(os.environ.get("JIWEN_CHROMIUM", "/usr/bin/chromium"))
GATE_COOKIE = "__jsl_clearance=jiwen-qlcp"  # what the gate's script computes; in no page

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium (.ci/run does)")


def report_of(jiwen, archive: Path) -> dict:
    return json.loads(jiwen("runs", "--json", "--archive", str(archive)).stdout)[0]["report"]


@pytest.fixture(scope="module")
def gate_crawl(tmp_path_factory):
    from tests.conftest import run_jiwen

    archive = tmp_path_factory.mktemp("gate") / "archive"
    with serve_site(GATE_SITE) as server:
        result = crawl(run_jiwen, archive, "--url", server.base_url + "/")
        yield {
            "archive": archive,
            "base": server.base_url,
            "result": result,
            "requests": list(server.requests),
            "report": report_of(run_jiwen, archive),
        }


@needs_chromium
def test_a_site_behind_a_script_cookie_gate_is_archived_with_default_settings(gate_crawl):
    articles = query(gate_crawl["archive"], "SELECT url FROM articles")
    assert len(articles) == len(list((GATE_SITE / "news" / "202406").glob("t*.html"))) == 10
    assert gate_crawl["report"]["blocked"] == {}  # the challenge was passed, not counted as a block


@needs_chromium
def test_the_gate_is_passed_once_in_the_browser_and_its_cookie_carries_the_plain_requests(gate_crawl):
    requests = gate_crawl["requests"]
    home = [entry for entry in requests if entry.path == "/"]
    # Plain HTTP first (521), then chromium: the gate, its script's reload with the cookie.
    assert [entry.status for entry in home][:2] == [521, 521] and home[2].status == 200
    assert "HeadlessChrome" in home[2].headers.get("user-agent", "")
    articles = [entry for entry in requests if entry.path.startswith("/news/")]
    assert articles and all(entry.status == 200 and GATE_COOKIE in entry.headers.get("cookie", "") for entry in articles)
    assert all(entry.headers.get("user-agent", "").startswith("jiwen/") for entry in articles)  # plain Scrapy requests


@needs_chromium
def test_the_run_report_says_the_site_went_on_through_chromium(gate_crawl):
    output = gate_crawl["result"].stdout
    assert "continued through chromium" in output and "jiasule_challenge" in output
    assert "cookies the browser earned" in output


@needs_chromium
def test_a_list_built_by_javascript_is_crawled_with_render_browser_and_archived_as_rendered(tmp_path, jiwen):
    archive = tmp_path / "archive"
    with serve_site(SCRIPT_LIST_SITE) as server:
        result = crawl(jiwen, archive, "--url", server.base_url + "/gzdt/", "--render", "browser")
        assert server.count("/data/gzdt.json") >= 1  # the page's own script asked for its list
    titles = {title for (title,) in query(archive, "SELECT title FROM articles")}
    assert len(titles) == 6 and "测试市零工市场上线 一个月撮合用工6000人次" in titles
    headers = [json.loads(text) for (text,) in query(archive, "SELECT headers FROM pages")]
    assert headers and all(page.get("x-jiwen-rendered") == "chromium" and "content-type" in page for page in headers)
    assert "rendered with chromium" in result.stdout


def test_without_chromium_the_gate_ends_in_one_line_saying_how_to_install_it(tmp_path, jiwen):
    archive = tmp_path / "archive"
    env = {**FAST_CRAWL_ENV, "JIWEN_CHROMIUM": str(tmp_path / "no-chromium-here")}
    with serve_site(GATE_SITE) as server:
        result = jiwen("crawl", "--url", server.base_url + "/", "--archive", str(archive), "--no-throttle", env=env)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("jiwen: ") and "apt-get install chromium" in last and "no-chromium-here" in last
    assert "Traceback" not in result.stderr
    assert query(archive, "SELECT COUNT(*) FROM pages") == [(0,)]
    assert query(archive, "SELECT COUNT(*) FROM articles") == [(0,)]


def test_render_browser_without_chromium_stops_before_the_archive_is_touched(tmp_path, jiwen):
    archive = tmp_path / "archive"
    env = {"JIWEN_CHROMIUM": str(tmp_path / "no-chromium-here")}
    result = jiwen("crawl", "--url", "http://127.0.0.1:9/", "--archive", str(archive), "--render", "browser", env=env)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "apt-get install chromium" in result.stderr
    assert not (archive / "archive.sqlite3").exists()
