"""Discovery (crawler/discovery.py) against a fixture portal served on 127.0.0.1
(tests/fixtures/portal_site, written for these tests): a home page linking to 机构概况 (pages, no
list), 新闻中心 (14 employment articles on three list pages chained by 下一页), 办事服务 (a list of
six service guides, off topic) and 互动交流 (a form); robots.txt disallows /admin/."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from jiwen.core.errors import ConfigError
from jiwen.crawler.discovery import Discovery, column_key
from jiwen.crawler.site_entry import render_site_entry
from jiwen.crawler.sites import site_for_url
from jiwen.demo.server import serve_site
from tests.crawler.conftest import FAST_CRAWL_ENV, crawl_discover_and_crawl_the_entry, query

PORTAL = Path(__file__).resolve().parent.parent / "fixtures" / "portal_site"
NEWS_ARTICLES = sorted(path.relative_to(PORTAL).as_posix() for path in (PORTAL / "xwzx" / "202406").glob("*.html"))


def on_topic_urls(archive: Path) -> set[str]:
    return {row[0] for row in query(archive, "SELECT url FROM articles WHERE relevant = 1")}


@pytest.fixture(scope="module")
def portal_runs(tmp_path_factory):
    """The portal crawled from its home page; discovered with `jiwen sites discover --write`; and
    crawled again from the written entry into a second archive."""
    from tests.conftest import run_jiwen

    root = tmp_path_factory.mktemp("portal")
    with serve_site(PORTAL) as server:
        runs = crawl_discover_and_crawl_the_entry(run_jiwen, server, root, "portal")
        paths = [entry.path for entry in server.requests]
    return {"root": root, "paths": paths, **runs}


def test_a_crawl_from_the_home_page_archives_every_news_article_and_nothing_else_on_topic(portal_runs):
    expected = {f"{portal_runs['base']}/{path}" for path in NEWS_ARTICLES}
    assert len(expected) == 14
    assert on_topic_urls(portal_runs["root"] / "from-home") == expected


def test_the_crawl_says_which_columns_it_crawls_and_which_it_left_out(portal_runs):
    output = portal_runs["home"].stdout
    assert "discovered 1 news column" in output
    assert f"crawling: {portal_runs['base']}/xwzx/ 新闻中心" in output
    assert f"left out: {portal_runs['base']}/bsfw/ 办事服务" in output


def test_discover_prints_an_entry_with_one_comment_line_per_column(portal_runs):
    entry = portal_runs["discovered"].stdout
    parsed = tomllib.loads(entry)["site"][0]
    assert parsed["name"] == "portal"
    assert parsed["title"] == "测试省人力资源和社会保障厅（测试门户）"
    assert parsed["start_urls"] == [portal_runs["base"] + "/xwzx/"]
    assert parsed["pagination"]["max_pages"] >= 3
    comments = [line for line in entry.splitlines() if line.startswith("# column")]
    assert len(comments) == 2
    assert "新闻中心: 14 articles seen" in comments[0] and "4/4 sampled on topic" in comments[0]
    assert "(left out)" in comments[1] and "办事服务" in comments[1] and "0/4 sampled on topic" in comments[1]


def test_write_appends_the_entry_to_the_sites_file_and_keeps_what_was_there(portal_runs):
    text = portal_runs["sites_file"].read_text("utf-8")
    assert text.startswith("# my sites\n")
    assert text.endswith(portal_runs["discovered"].stdout)


def test_the_written_entry_crawls_the_same_articles_as_the_crawl_from_the_home_page(portal_runs):
    assert on_topic_urls(portal_runs["root"] / "from-entry") == on_topic_urls(portal_runs["root"] / "from-home")


def test_discovery_obeys_robots_txt(portal_runs):
    assert "/robots.txt" in portal_runs["paths"]
    assert not [path for path in portal_runs["paths"] if path.startswith("/admin/")]


def test_a_crawl_that_finds_no_list_page_says_why_and_exits_1(tmp_path, jiwen):
    site = tmp_path / "site"
    (site / "about").mkdir(parents=True)
    (site / "index.html").write_text(
        '<html><body><a href="/about/">关于我们</a> <a href="/contact.html">联系我们</a></body></html>', "utf-8"
    )
    (site / "about" / "index.html").write_text('<html><body><p>本单位简介。</p><a href="/">首页</a></body></html>', "utf-8")
    (site / "contact.html").write_text("<html><body><p>电话：0000-0000000</p></body></html>", "utf-8")
    with serve_site(site) as server:
        result = jiwen("crawl", "--url", server.base_url + "/", "--archive", str(tmp_path / "a"), "--no-throttle", env=FAST_CRAWL_ENV)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("jiwen: nothing crawled:") and "no list page found within depth 2" in last


def test_discover_without_a_news_column_exits_1_with_one_line(tmp_path, jiwen):
    with serve_site(PORTAL) as server:
        result = jiwen(
            "sites",
            "discover",
            server.base_url + "/jgzk/",
            "--depth",
            "0",
            "--no-throttle",
            env={"JIWEN_SITES": str(tmp_path / "sites.toml")},
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("jiwen: no news column found: no list page found within depth 0")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "sites.toml").exists()


def test_pager_pages_belong_to_the_column_of_their_folder():
    site = site_for_url("http://example.gov.cn/")
    assert column_key(site, "http://example.gov.cn/xwzx/index_2.html") == "http://example.gov.cn/xwzx/"
    assert column_key(site, "http://example.gov.cn/xwzx/index.html") == "http://example.gov.cn/xwzx/"
    assert column_key(site, "http://example.gov.cn/xwzx/") == "http://example.gov.cn/xwzx/"
    assert column_key(site, "http://example.gov.cn/tzgg.html") != column_key(site, "http://example.gov.cn/xwzx.html")


def test_an_entry_is_only_rendered_when_a_column_was_chosen():
    with pytest.raises(ConfigError, match="no news column found"):
        render_site_entry(Discovery(start_url="http://example.gov.cn/", pages_looked_at=3))


def test_discover_of_a_site_that_only_challenges_says_so(jiwen):
    challenge_site = PORTAL.parent / "challenge_site"
    with serve_site(challenge_site) as server:
        result = jiwen("sites", "discover", server.base_url + "/", "--no-throttle")
    assert result.returncode == 1
    assert "answers were block or challenge pages" in result.stderr and "cookies" in result.stderr
