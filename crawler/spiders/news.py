"""The one news spider. Given a site entry (crawler/sites.py), it decides which links to follow —
article links and the next list pages, within the site's domains and page limit — and turns an
article response into a PageItem. Everything after that is an item pipeline's job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from jiwen.core.models import FetchedPage
from jiwen.crawler.browser import RENDERED_FLAG, RENDERED_HEADER
from jiwen.crawler.discovery import DiscoveryMode
from jiwen.crawler.items import PageItem
from jiwen.crawler.middlewares import KIND, record_limit_hit
from jiwen.crawler.pagers import list_links, next_datastore_group, next_script_page
from jiwen.crawler.shapes import learn_site_shape
from jiwen.crawler.sites import SiteConfig, is_fetchable

# Headers worth keeping with an archived page: what it is, and how to ask for it again.
KEPT_HEADERS = ("content-type", "content-language", "etag", "last-modified", "date")
ARTICLE_PRIORITY = 10  # articles before more list pages: the queue stays short
LIST_PAGE = "list_page"  # request meta: 1 for a start URL, 2 for the page after it, ...
COLUMN = "jiwen_column"  # request meta: the start URL whose list chain led here (site health)


class NewsSpider(DiscoveryMode, scrapy.Spider):
    name = "news"

    def __init__(self, site: SiteConfig, discover: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.site = site
        # A bare --url that is not a list page: find the site's news columns first (discovery.py).
        self.discover_from_start = discover
        self.allowed_domains = list(site.domains)
        # Domains are checked by host name here and in Scrapy's OffsiteMiddleware, not by the
        # LinkExtractor, whose allow_domains compares host:port and so rejects a local test site.
        self.links = LinkExtractor(restrict_xpaths=site.list_area or (), unique=True)
        self.seen_articles: set[str] = set()
        self.learned_shapes: dict[str, str] = {}  # article shapes learned (crawler/shapes.py) -> where

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.connect_discovery(crawler)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.site.start_urls:
            yield self.list_request(url, page=1, dont_filter=True, column=url)
        for url in self.site.sitemaps:
            yield scrapy.Request(url, callback=self.parse_sitemap, meta={KIND: "sitemap"}, dont_filter=True, errback=self.fetch_failed)
        for url in self.site.feeds:
            yield scrapy.Request(url, callback=self.parse_feed, meta={KIND: "feed"}, dont_filter=True, errback=self.fetch_failed)

    def list_request(self, url: str, *, page: int, dont_filter: bool = False, column: str | None = None) -> scrapy.Request:
        # max-age=0 makes Scrapy's RFC 2616 cache revalidate (If-None-Match / If-Modified-Since)
        # instead of trusting a copy it heuristically thinks is fresh: lists change daily.
        return scrapy.Request(
            url,
            callback=self.parse_list,
            meta={KIND: "list", LIST_PAGE: page, COLUMN: column},
            headers={"Cache-Control": "max-age=0"},
            dont_filter=dont_filter,
            errback=self.fetch_failed,
        )

    def article_request(self, url: str, column: str | None = None) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_article,
            meta={KIND: "article", "dont_cache": True, COLUMN: column},
            priority=ARTICLE_PRIORITY,
            errback=self.fetch_failed,
        )

    def fetch_failed(self, failure) -> None:
        """Failed fetches are recorded per URL by FetchOutcomeMiddleware; having an errback
        keeps Scrapy from also printing a traceback for each of them. Downloads Scrapy itself
        dropped at a bound (redirect loop, decompression bomb) reach only this errback, and are
        recorded from here."""
        record_limit_hit(self.crawler, failure)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request | PageItem]:
        if self.site.is_article_url(response.url):
            # A start URL that is itself an article (`jiwen crawl --url <article>`).
            yield from self.parse_article(response)
            return
        page = response.meta.get(LIST_PAGE, 1)
        if self.wants_discovery(response, page):
            yield from self.start_discovery(response)
            if not self.start_is_crawled:
                return
        column = response.meta.get(COLUMN) or (response.url if self.start_is_crawled and page == 1 else None)
        article_links = new_links = 0
        next_pages: list[str] = []
        links = [link for link in list_links(self.links, response) if self.on_site(link.url)]
        if not any(self.site.is_article_url(link.url) for link in links) and (shape := learn_site_shape(self.site, response)):
            self.learn(shape, response.url)
        for link in links:
            if self.site.is_article_url(link.url):
                article_links += 1
                new_links += self.first_sight(link.url)
                yield self.article_request(link.url, column)
            elif page < self.site.pagination.max_pages and self.is_next_page(response.url, link):
                next_pages.append(link.url)
        if not next_pages and page < self.site.pagination.max_pages and isinstance(response, TextResponse):
            # A TRS createPageHTML pager, or the next records of a JCMS list (crawler/pagers.py).
            scripted = next_script_page(response.text, response.url) or next_datastore_group(response.text, response.url)
            if scripted and self.on_site(scripted):
                next_pages.append(scripted)
        if new_links or not article_links:
            # A list page with nothing new to this crawl (a ?page=99 that repeats the last page, a
            # pager that wraps around) ends its column's walk.
            for url in next_pages:
                yield self.list_request(url, page=page + 1, column=column)
        if column:
            self.crawler.stats.inc_value(f"jiwen/column_links/{column}", article_links)
        template = self.site.pagination.template
        if template and page == 1:
            for number in range(1, self.site.pagination.max_pages):
                yield self.list_request(urljoin(response.url, template.format(n=number)), page=number + 1, column=column)

    def learn(self, shape: str, list_url: str) -> None:
        """Take `shape` as one of the site's article shapes for the rest of the run: a list page
        whose dated items link to pages of it, where no known shape matched (crawler/shapes.py)."""
        self.site = self.site.learning(shape)
        if self.survey is not None:
            self.survey.site = self.site
        self.learned_shapes.setdefault(shape, list_url)
        self.logger.info("article shape learned from the dated items of %s: %s", list_url, shape)

    def first_sight(self, url: str) -> bool:
        """An article URL not seen before in this crawl. (Not "not archived": a crawl resumed
        after a kill, or one with a raised max_pages, must walk past pages it archived before.)"""
        if url in self.seen_articles:
            return False
        self.seen_articles.add(url)
        return True

    def on_site(self, url: str) -> bool:
        """An http(s) URL on one of the site's domains: the only links a crawl takes. file:,
        data:, javascript: and the like are dropped here, and again by SchemeGuard."""
        if not is_fetchable(url):
            if getattr(self, "crawler", None) is not None:  # for the diagnosis of an empty crawl
                self.crawler.stats.inc_value("jiwen/refused_links")
            return False
        return self.site.owns(url)

    def is_next_page(self, list_url: str, link) -> bool:
        """A pager link: a pagination URL shape or a 下一页-like text, in the list's own folder
        (so a sidebar's link to another column's index_1.html is not taken for the next page)."""
        if _folder(link.url) != _folder(list_url):
            # 博达 (VSB) lists page from /gzdt.htm to /gzdt/2.htm: a 下一页 link into the list's
            # own stem folder is the next page too.
            text = link.text.strip().rstrip(">›»").strip()
            return text in self.site.next_texts and _folder(link.url) == _stem(list_url)
        if link.text.strip().rstrip(">›»").strip() in self.site.next_texts or link.text.strip() in self.site.next_texts:
            return True
        return self.site.is_pagination_url(link.url)

    def parse_article(self, response: Response) -> Iterator[PageItem]:
        yield PageItem(page=self.fetched_page(response), column=response.meta.get(COLUMN))

    def fetched_page(self, response: Response) -> FetchedPage:
        redirects = response.meta.get("redirect_urls") or []
        requested = redirects[0] if redirects else response.url
        headers = {}
        for name in KEPT_HEADERS:
            value = response.headers.get(name)
            if value is not None:
                headers[name] = value.decode("latin-1")
        content_type = headers.get("content-type")
        if RENDERED_FLAG in response.flags:
            # The browser's HTML, not the bytes the server sent (crawler/browser.py).
            headers[RENDERED_HEADER] = "chromium"
        elif self.site.encoding:
            # The site entry says its headers and <meta> lie: the extractor reads the charset of
            # content_type first. The header as sent stays in `headers`.
            content_type = f"text/html; charset={self.site.encoding}"
        return FetchedPage(
            url=requested,
            final_url=response.url if response.url != requested else None,
            body=response.body,
            status=response.status,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            headers=headers,
            site=self.site.name,
            content_type=content_type,
        )

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        if response.url.endswith("/robots.txt"):
            for url in sitemap_urls_from_robots(response.text, base_url=response.url):
                if not is_fetchable(url):
                    continue
                yield scrapy.Request(url, callback=self.parse_sitemap, meta={KIND: "sitemap"}, errback=self.fetch_failed)
            return
        try:
            sitemap = Sitemap(response.body)
        except Exception:
            self.logger.warning("unreadable sitemap %s", response.url)
            return
        for entry in sitemap:
            url = entry.get("loc", "")
            if not self.on_site(url):
                continue
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(url, callback=self.parse_sitemap, meta={KIND: "sitemap"}, errback=self.fetch_failed)
            elif self.site.is_article_url(url):
                yield self.article_request(url)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        # Feeds list articles and nothing else, so their links are taken whatever their shape.
        try:
            root = etree.fromstring(response.body, parser=etree.XMLParser(recover=True, resolve_entities=False))
        except etree.XMLSyntaxError:
            self.logger.warning("unreadable feed %s", response.url)
            return
        if root is None:
            return
        for link in root.iter("{*}link"):
            url = (link.text or link.get("href") or "").strip()
            url = urljoin(response.url, url)
            if link.getparent() is not None and _local(link.getparent().tag) in ("item", "entry") and self.on_site(url):
                yield self.article_request(url)


def _folder(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path.rsplit('/', 1)[0]}"


def _stem(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path.rsplit('.', 1)[0]}" if "." in parts.path.rsplit("/", 1)[-1] else ""


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
