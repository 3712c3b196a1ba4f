"""What the spider follows and what it yields, on the fixture site's real pages wrapped in real
Scrapy responses (no server, no reactor: the decisions are plain functions of a page)."""

from __future__ import annotations

from pathlib import Path

import scrapy
from scrapy.http import HtmlResponse

from jiwen.crawler.items import PageItem
from jiwen.crawler.sites import parse_sites, site_for_url
from jiwen.crawler.spiders.news import NewsSpider
from tests.crawler.conftest import FIXTURE_SITE

BASE = "http://news.example.gov.cn"


def response_for(path: str, url_path: str | None = None, **meta) -> HtmlResponse:
    body = (FIXTURE_SITE / path).read_bytes()
    request = scrapy.Request(BASE + (url_path or "/" + path), meta=meta)
    return HtmlResponse(request.url, body=body, request=request, headers={"Content-Type": "text/html"})


def followed(spider: NewsSpider, response) -> tuple[list[str], list[str]]:
    articles, lists = [], []
    for request in spider.parse_list(response):
        (articles if request.callback == spider.parse_article else lists).append(request.url.removeprefix(BASE))
    return articles, lists


def test_a_list_page_yields_its_article_links_and_its_next_page():
    spider = NewsSpider(site=site_for_url(BASE + "/"))
    articles, lists = followed(spider, response_for("index.html", "/", list_page=1))
    assert "/news/202405/t20240506_3001.html" in articles
    assert "/private/202405/t20240518_3013.html" in articles  # robots.txt is the downloader's business
    assert lists == ["/index_1.html"]
    assert "/" not in articles and "/index.html" not in lists  # the header's 首页/工作动态 links


def test_a_next_page_link_is_recognised_by_its_text_alone():
    spider = NewsSpider(site=site_for_url(BASE + "/"))
    _, lists = followed(spider, response_for("index_1.html", list_page=2))
    assert lists == ["/more.html"]


def test_pagination_stops_at_max_pages():
    site = parse_sites(f'[[site]]\nname = "t"\nstart_urls = ["{BASE}/"]\n[site.pagination]\nmax_pages = 2\n')[0]
    spider = NewsSpider(site=site)
    assert followed(spider, response_for("index.html", "/", list_page=1))[1] == ["/index_1.html"]
    assert followed(spider, response_for("index_1.html", list_page=2))[1] == []


def test_a_pagination_template_generates_the_pages_a_javascript_pager_would_draw():
    text = f'[[site]]\nname = "t"\nstart_urls = ["{BASE}/col/"]\n[site.pagination]\nmax_pages = 3\ntemplate = "index_{{n}}.html"\n'
    spider = NewsSpider(site=parse_sites(text)[0])
    _, lists = followed(spider, response_for("more.html", "/col/", list_page=1))
    assert lists == ["/col/index_1.html", "/col/index_2.html"]


def test_links_to_other_hosts_are_not_followed():
    spider = NewsSpider(site=site_for_url("http://elsewhere.example.cn/"))
    assert followed(spider, response_for("index.html", "/", list_page=1)) == ([], [])


def test_an_article_response_becomes_an_item_with_the_bytes_as_fetched_and_the_redirect():
    spider = NewsSpider(site=site_for_url(BASE + "/"))
    response = response_for(
        "news/202405/t20240510_3005.html",
        redirect_urls=[BASE + "/news/202405/t20240510_3099.html"],
    )
    (item,) = list(spider.parse_article(response))
    assert isinstance(item, PageItem)
    page = item.page
    assert page.url == BASE + "/news/202405/t20240510_3099.html"
    assert page.final_url == BASE + "/news/202405/t20240510_3005.html"
    assert page.body == (FIXTURE_SITE / "news/202405/t20240510_3005.html").read_bytes()
    assert page.site == spider.site.name and page.status == 200 and page.content_type == "text/html"


def test_a_site_encoding_hint_becomes_the_pages_declared_charset():
    site = parse_sites(f'[[site]]\nname = "t"\nstart_urls = ["{BASE}/"]\nencoding = "gb18030"\n')[0]
    (item,) = list(NewsSpider(site=site).parse_article(response_for("news/202405/t20240512_3007.html")))
    assert item.page.content_type == "text/html; charset=gb18030"
    assert item.page.headers["content-type"] == "text/html"  # what the server said stays on record


def test_a_start_url_that_is_an_article_is_archived_not_crawled():
    url_path = "/news/202405/t20240506_3001.html"
    spider = NewsSpider(site=site_for_url(BASE + url_path))
    results = list(spider.parse_list(response_for(url_path.lstrip("/"), list_page=1)))
    assert [type(result) for result in results] == [PageItem]


def test_a_feed_yields_its_items_links_on_the_site():
    spider = NewsSpider(site=site_for_url(BASE + "/"))
    body = (FIXTURE_SITE / "feed.xml").read_bytes()
    response = scrapy.http.XmlResponse(BASE + "/feed.xml", body=body)
    urls = [request.url.removeprefix(BASE) for request in spider.parse_feed(response)]
    assert urls == ["/news/202405/t20240519_3014.html", "/news/202405/t20240506_3001.html"]


def test_a_sitemap_yields_only_article_urls(tmp_path: Path):
    spider = NewsSpider(site=site_for_url(BASE + "/"))
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{BASE}/news/202405/t20240506_3001.html</loc></url>"
        f"<url><loc>{BASE}/news/index.html</loc></url></urlset>"
    )
    response = scrapy.http.XmlResponse(BASE + "/sitemap.xml", body=sitemap.encode())
    assert [request.url for request in spider.parse_sitemap(response)] == [BASE + "/news/202405/t20240506_3001.html"]
