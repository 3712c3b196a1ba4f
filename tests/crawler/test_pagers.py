"""TRS pagers drawn by script (crawler/pagers.py), and a TRS-shaped county site crawled from its
home page through the real `jiwen crawl` (tests/fixtures/trs_site, written for these tests: a 要闻
box of three articles on the home page, two news columns paged only by createPageHTML, an
off-topic 县内动态 column (county news that is not about employment) and a 机构概况 page)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiwen.crawler.pagers import next_script_page, script_pager
from jiwen.demo.server import serve_site
from tests.crawler.conftest import crawl, query

TRS_SITE = Path(__file__).resolve().parent.parent / "fixtures" / "trs_site"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<script>createPageHTML(12, 0, "index", "html");</script>', (12, 0, "index", "html")),
        ("<script>createPageHTML('page_div', 12, 3, 'index', 'shtml', 230);</script>", (12, 3, "index", "shtml")),
        (
            '<script>var countPage = 7; var currentPage = 2;\ncreatePageHTML(countPage, currentPage, "list", "htm");</script>',
            (7, 2, "list", "htm"),
        ),
        ("<p>createPageHTML is mentioned, never called</p>", None),
    ],
)
def test_a_create_page_html_call_gives_the_page_count_the_current_page_and_the_file_names(html, expected):
    assert script_pager(html) == expected


def test_the_next_page_of_a_script_pager_is_named_like_trs_names_it_and_the_last_page_has_none():
    assert (
        next_script_page('<script>createPageHTML(3, 0, "index", "html");</script>', "http://h/xwzx/gzdt/")
        == "http://h/xwzx/gzdt/index_1.html"
    )
    assert (
        next_script_page('<script>createPageHTML(3, 1, "index", "html");</script>', "http://h/xwzx/gzdt/index_1.html")
        == "http://h/xwzx/gzdt/index_2.html"
    )
    assert next_script_page('<script>createPageHTML(3, 2, "index", "html");</script>', "http://h/xwzx/gzdt/index_2.html") is None


@pytest.fixture(scope="module")
def trs_crawl(tmp_path_factory):
    from tests.conftest import run_jiwen

    archive = tmp_path_factory.mktemp("trs") / "archive"
    with serve_site(TRS_SITE) as server:
        result = crawl(run_jiwen, archive, "--url", server.base_url + "/")
        yield {"archive": archive, "base": server.base_url, "result": result, "paths": server.paths_requested()}


def on_topic_articles() -> dict[str, tuple[str, str]]:
    """path -> (title, date) of every article in the two news columns, read from the fixture."""
    import re

    articles = {}
    for path in sorted(TRS_SITE.glob("xwzx/*/202406/t*.html")):
        text = path.read_text("utf-8")
        title = re.search(r"<h1>(.*?)</h1>", text).group(1)
        date = re.search(r"发布时间：(\d{4}-\d{2}-\d{2})", text).group(1)
        articles["/" + str(path.relative_to(TRS_SITE))] = (title, date)
    return articles


def test_a_crawl_from_the_home_page_walks_every_column_through_its_script_pager(trs_crawl):
    expected = on_topic_articles()
    assert len(expected) == 16
    rows = query(trs_crawl["archive"], "SELECT url, title, published FROM articles WHERE relevant = 1")
    archived = {url.removeprefix(trs_crawl["base"]): (title, (published or "")[:10]) for url, title, published in rows}
    assert archived == expected  # every on-topic article, title and date right, nothing else on topic
    for page in ("/xwzx/gzdt/index_1.html", "/xwzx/gzdt/index_2.html"):
        assert trs_crawl["paths"].count(page) == 1  # walked once, from the pager script
    assert "/xwzx/gzdt/index_3.html" not in trs_crawl["paths"]  # the pager says there are three


def test_the_run_report_names_the_columns_taken_and_the_one_left_out_with_why(trs_crawl):
    output = trs_crawl["result"].stdout
    crawled, _, left_out = output.partition("left out:")
    assert "/xwzx/gzdt/" in crawled and "/xwzx/jyxx/" in crawled
    assert "/dflz/" in left_out and "县内动态" in left_out and "mostly off topic" in left_out
