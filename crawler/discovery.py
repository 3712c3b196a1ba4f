"""Discovery: from a site's address to its news columns.

Users know a portal's address, not the URL of its news column. From a start URL this follows
in-site links to a bounded depth (default 2) and a page cap, with the crawl's own politeness
(robots.txt, delays, the per-server limit: it is a Scrapy spider with jiwen's settings), and
classifies each page:

- article: its URL has an article shape (crawler/link_patterns.toml or the site's patterns);
- list: it links to at least MIN_ARTICLE_LINKS in-site article pages, or has a 下一页-style pager
  beside a few; pages of a list's pager (index_1.html, ?page=2) belong to that list's column;
- other: everything else (机构概况 pages, service guides, the home page of a portal).

Each list is a column, keyed by its folder. A few of each column's articles are fetched and read
by the extractor and the relevance rules (extract/data/relevance.toml); columns whose sampled
articles are at least a quarter on topic are chosen, ranked by on-topic articles, then article links seen.

Two users: `jiwen sites discover URL` (spiders/discover.py, then site_entry.py prints a
`[[site]]` entry), and `jiwen crawl --url` on a page that is not a list (NewsSpider runs the same
ColumnSurvey first, then crawls the chosen columns as list pages).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import msgspec
import scrapy
from scrapy import signals
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor

from jiwen.crawler.browser import render_state_of
from jiwen.crawler.middlewares import KIND
from jiwen.crawler.pagers import list_links, next_datastore_group
from jiwen.crawler.shapes import DATE_NEAR_LINK, FILE_SUFFIX, learn_site_shape
from jiwen.crawler.sites import SiteConfig

DEFAULT_DEPTH = 2
DEFAULT_MAX_PAGES = 60  # pages fetched by one discovery, samples included
# `crawl --url HOME` surveys more: a county 人社局 has 30 columns, 4 samples each, and every page
# it fetches is one the crawl would fetch anyway (samples are archived).
CRAWL_MAX_PAGES = 300
MIN_ARTICLE_LINKS = 3  # a page linking to this many article pages is a list
SAMPLE_PER_COLUMN = 4  # articles read per column to judge whether it is on topic
# A column is chosen when at least this share of its sample is on topic: one in four. 人社 columns
# (工作动态, 通知公告) mix employment news with social insurance and personnel news, and a column
# left out loses every employment article in it, while the other articles of a column crawled are
# archived as off-topic, not lost. At a half, a column with three employment articles in ten was
# left out two times in three (fewer than 2 of its 4 samples on topic).
ON_TOPIC_SHARE = 0.25
SURVEY_PRIORITY = -5  # after the crawl's own lists and articles, when both run in one spider
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class Column(msgspec.Struct, kw_only=True):
    url: str  # the column's first list page
    title: str = ""  # the link text that led to it, else its page title
    depth: int = 0
    article_links: int = 0  # distinct in-site article links seen on its list pages
    list_pages: int = 1
    has_pager: bool = False
    dated_links: int = 0
    sampled: int = 0
    on_topic: int = 0
    chosen: bool = False

    @property
    def share(self) -> float:
        return self.on_topic / self.sampled if self.sampled else 0.0

    def describe(self) -> str:
        pager = ", paginated" if self.has_pager else ""
        text = (
            f"{self.url} {self.title or '(untitled)'}: {self.article_links} articles seen on "
            f"{self.list_pages} list page{'s' if self.list_pages != 1 else ''}{pager}, "
            f"{self.on_topic}/{self.sampled} sampled on topic"
        )
        return text if self.chosen else f"{text} ({self.why_left_out()})"

    def why_left_out(self) -> str:
        if self.article_links < MIN_ARTICLE_LINKS:
            return f"fewer than {MIN_ARTICLE_LINKS} article links"
        if not self.sampled:
            return "no sampled article could be read"
        return f"mostly off topic: under {ON_TOPIC_SHARE:.0%} of its sample is employment news"


class Discovery(msgspec.Struct, kw_only=True):
    """What a discovery found; `columns` ranked, the chosen first."""

    start_url: str
    site_title: str = ""
    depth: int = DEFAULT_DEPTH
    pages_looked_at: int = 0
    columns: list[Column] = []
    start_is_list: bool = False
    robots_disallowed: int = 0
    blocked: int = 0
    started: bool = True
    render: str | None = None  # the --render the discovery ran with, kept in the site's entry
    # Article shapes learned from the site's dated lists (crawler/shapes.py), and where.
    learned_patterns: list[str] = []
    learned_from: list[str] = []
    browser_notes: list[str] = []  # what the browser path did (crawler/browser.py), for the entry's comments

    @property
    def chosen(self) -> list[Column]:
        return [column for column in self.columns if column.chosen]

    def summary(self) -> str:
        if not self.chosen:
            return f"discovery from {self.start_url}: {self.nothing_reason()}"
        left_out = [column for column in self.columns if not column.chosen]
        text = (
            f"discovered {len(self.chosen)} news column{'s' if len(self.chosen) != 1 else ''} from "
            f"{self.start_url} ({self.pages_looked_at} pages looked at), crawling: "
            + "; ".join(column.describe() for column in self.chosen)
        )
        if left_out:
            text += "; left out: " + "; ".join(column.describe() for column in left_out)
        return text

    def nothing_reason(self) -> str:
        if self.robots_disallowed and self.pages_looked_at <= 1:
            return f"robots.txt disallows {self.start_url}; jiwen obeys it"
        if self.blocked and (self.blocked >= self.pages_looked_at or not any(column.sampled for column in self.columns)):
            return (
                f"{self.blocked} answers were block or challenge pages (瑞数/加速乐 cookie challenges, firewalls, "
                "captchas): set the site's cookies/headers or a slower download_delay (README: answers that are not articles)"
            )
        if not self.columns:
            return (
                f"no list page found within depth {self.depth} of {self.start_url} "
                f"({self.pages_looked_at} pages looked at): no page links to {MIN_ARTICLE_LINKS} or more "
                "article pages of a known URL shape; pass the news column's own URL, or set article_patterns"
            )
        return (
            f"{len(self.columns)} list page(s) found but none on topic "
            f"(at least {ON_TOPIC_SHARE:.0%} of a sample of employment news needed): "
            + "; ".join(column.describe() for column in self.columns)
        )


class ColumnSurvey:
    """The state of one discovery: pages seen, columns found, samples judged. Used by a spider,
    which turns the requests it returns into Scrapy requests with its own callbacks."""

    def __init__(
        self, site: SiteConfig, start_url: str, *, depth: int = DEFAULT_DEPTH, max_pages: int = DEFAULT_MAX_PAGES, in_crawl: bool = False
    ) -> None:
        self.site = site
        # In a crawl, a start page that is a list is crawled as one: the survey leaves its pager
        # and its articles (and links back to the home page) to the crawl, so nothing is fetched
        # twice, and its column counts as chosen.
        self.in_crawl = in_crawl
        self.result = Discovery(start_url=start_url, depth=depth)
        self.max_pages = max_pages
        self.requested: set[str] = {start_url}
        self.columns: dict[str, Column] = {}
        self.samples: dict[str, str] = {}  # sample URL -> column key
        self.article_urls: dict[str, set[str]] = {}  # column key -> article links seen
        self.links = LinkExtractor(unique=True)
        self.decided = False

    @property
    def budget_left(self) -> bool:
        return len(self.requested) < self.max_pages

    def on_site(self, url: str) -> bool:
        return self.site.owns(url)

    def survey(self, response: Response, depth: int, via_text: str = "") -> Iterator[tuple[str, str, dict]]:
        """Classify a fetched page; yields what to fetch next as (kind, url, meta): kind is
        "page" (survey it) or "sample" (judge it as an article of a column)."""
        self.result.pages_looked_at += 1
        if not isinstance(response, TextResponse):
            return
        if depth == 0:
            self.result.site_title = clean_text(response.xpath("//title/text()").get() or "", 80)
        links = [link for link in list_links(self.links, response) if self.on_site(link.url)]
        articles = [link for link in links if self.site.is_article_url(link.url)]
        if len(articles) < MIN_ARTICLE_LINKS and (shape := learn_site_shape(self.site, response)):
            # Dated items that link to pages of a shape no known CMS has: this site's articles.
            self.site = self.site.learning(shape)
            self.result.learned_patterns.append(shape)
            self.result.learned_from.append(response.url)
            articles = [link for link in links if self.site.is_article_url(link.url)]
        # A pager link, or the further records of a JCMS list (crawler/pagers.py).
        pager = any(is_pager_link(self.site, response.url, link) for link in links) or bool(
            next_datastore_group(response.text, response.url)
        )
        is_list = len(articles) >= MIN_ARTICLE_LINKS or (pager and bool(articles))
        if is_list:
            if depth == 0:
                self.result.start_is_list = True
            key = column_key(self.site, response.url)
            column = self.columns.get(key)
            if column is None:
                title = clean_text(via_text, 30) or clean_text(response.xpath("//title/text()").get() or "", 30)
                column = self.columns[key] = Column(url=response.url, title=title, depth=depth, article_links=0, list_pages=0)
            column.list_pages += 1
            column.has_pager = column.has_pager or pager
            seen = self.article_urls.setdefault(key, set())
            seen.update(link.url for link in articles)
            column.article_links = len(seen)
            column.dated_links += dated_link_count(response)
            sampled = sum(1 for column_of in self.samples.values() if column_of == key)
            if self.in_crawl and key == column_key(self.site, self.result.start_url):
                sampled = SAMPLE_PER_COLUMN  # the crawl reads them all
            for link in articles:
                if sampled >= SAMPLE_PER_COLUMN or not self.budget_left:
                    break
                if link.url not in self.requested:
                    self.requested.add(link.url)
                    self.samples[link.url] = key
                    sampled += 1
                    yield "sample", link.url, {}
        if depth >= self.result.depth:
            return
        for link in links:
            if not self.budget_left:
                return
            if link.url in self.requested or self.site.is_article_url(link.url) or any(r.search(link.url) for r in self.site.deny_regexes):
                continue
            if not looks_like_page(link.url):
                continue
            if self.in_crawl and (is_home_page(link.url) or is_pager_link(self.site, response.url, link)):
                continue
            self.requested.add(link.url)
            yield "page", link.url, {"depth": depth + 1, "via": clean_text(link.text, 30)}

    def record_sample(self, url: str, on_topic: bool | None) -> None:
        column = self.columns.get(self.samples.get(url, ""))
        if column is None or on_topic is None:
            return
        column.sampled += 1
        column.on_topic += int(on_topic)

    def decide(self) -> Discovery:
        """Choose and rank the columns (once)."""
        if not self.decided:
            self.decided = True
            crawled = column_key(self.site, self.result.start_url) if self.in_crawl and self.result.start_is_list else None
            for column in self.columns.values():
                column.chosen = column.article_links >= MIN_ARTICLE_LINKS and column.sampled > 0 and column.share >= ON_TOPIC_SHARE
                column.chosen = column.chosen or column_key(self.site, column.url) == crawled
            ranked = sorted(self.columns.values(), key=lambda c: (not c.chosen, -c.on_topic, -c.article_links, c.url))
            self.result.columns = ranked
        return self.result


def column_key(site: SiteConfig, url: str) -> str:
    """A column is a folder: /xwzx/gzdt/, its index.html and its pager's index_1.html are one;
    a list page with its own file name (/xwzx.html, list.jsp?col=12) is a column of its own."""
    parts = urlsplit(url)
    path = parts.path or "/"
    pager = any(pattern.search(url) for pattern in site.pagination_regexes)
    if path.endswith("/") or pager or re.fullmatch(r"(index|default|list)\.\w+", path.rsplit("/", 1)[1]):
        path = path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "" if pager else parts.query, ""))


def is_pager_link(site: SiteConfig, list_url: str, link) -> bool:
    text = link.text.strip()
    if text in site.next_texts or text.rstrip(">›»").strip() in site.next_texts:
        return True
    same_folder = link.url.rsplit("/", 1)[0] == list_url.rsplit("/", 1)[0]
    return same_folder and any(pattern.search(link.url) for pattern in site.pagination_regexes)


def dated_link_count(response: TextResponse) -> int:
    """List items and table rows that hold a link and a date: the shape of a news list."""
    count = 0
    for row in response.xpath("//li[a] | //tr[.//a]")[:200]:
        if DATE_NEAR_LINK.search(" ".join(row.xpath(".//text()").getall())):
            count += 1
    return count


def is_home_page(url: str) -> bool:
    return bool(re.fullmatch(r"/?|/(index|default|home|main)\.\w+", urlsplit(url).path))


def looks_like_page(url: str) -> bool:
    """Not a file, and not a link whose query carries a path (?url=/x, a redirector's, not a column)."""
    parts = urlsplit(url)
    return not FILE_SUFFIX.search(parts.path) and "/" not in parts.query


def clean_text(text: str, limit: int) -> str:
    """Page text for a terminal or a TOML comment: one line, no control characters, bounded."""
    return " ".join(CONTROL.sub(" ", text).split())[:limit]


def sample_is_on_topic(response: Response) -> bool | None:
    """Whether a sampled article is employment news, by the archive's own rules; None when it
    cannot be read."""
    from jiwen.extract import extract_article
    from jiwen.extract.relevance import is_relevant

    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
    try:
        article = extract_article(response.body, url=response.url, content_type=content_type)
    except Exception:
        return None
    return is_relevant(article)[0]


class SurveyCallbacks:
    """The spider side of a ColumnSurvey, shared by DiscoverySpider and NewsSpider: turns the
    survey's wishes into requests with these callbacks, and judges samples."""

    survey: ColumnSurvey | None = None

    site: SiteConfig
    learned_shapes: dict[str, str]  # article shape learned -> the list page it was learned from

    def survey_requests(self, response: Response, depth: int, via: str = "") -> Iterator[scrapy.Request]:
        assert self.survey is not None
        wishes = list(self.survey.survey(response, depth, via))
        for pattern, url in zip(self.survey.result.learned_patterns, self.survey.result.learned_from):
            self.learned_shapes.setdefault(pattern, url)
        self.site = self.survey.site  # with the article shapes it learned, if any
        for kind, url, meta in wishes:
            if kind == "sample":
                yield scrapy.Request(
                    url,
                    callback=self.parse_sample,
                    errback=self.sample_failed,
                    meta={KIND: "article", "dont_cache": True},
                    priority=SURVEY_PRIORITY,
                )
            else:
                yield scrapy.Request(
                    url,
                    callback=self.parse_survey,
                    errback=self.survey_failed,
                    meta={KIND: "list", "survey": meta},
                    priority=SURVEY_PRIORITY,
                    headers={"Cache-Control": "max-age=0"},
                    # The survey keeps its own seen set; the crawl of a chosen
                    # column must still be able to request its pager pages.
                    dont_filter=True,
                )

    def parse_survey(self, response: Response) -> Iterator[scrapy.Request]:
        meta = response.meta.get("survey", {})
        yield from self.survey_requests(response, meta.get("depth", 1), meta.get("via", ""))

    def parse_sample(self, response: Response):
        self.survey.record_sample(response.request.url, sample_is_on_topic(response))
        return iter(())

    def survey_failed(self, failure) -> None:
        self._note_failure(failure)

    def sample_failed(self, failure) -> None:
        self._note_failure(failure)

    def _note_failure(self, failure) -> None:
        message = str(failure.value)
        if "robots.txt" in message or "Forbidden by robots" in message:
            self.survey.result.robots_disallowed += 1
        elif message.startswith("blocked"):
            self.survey.result.blocked += 1
        self.survey.result.pages_looked_at += 1


class DiscoveryMode(SurveyCallbacks):
    """NewsSpider's discovery mode, for `jiwen crawl --url` on a page that is not a list: survey
    the site from it, and when the survey is done (the spider goes idle) crawl the chosen
    columns as list pages. Sampled articles are archived like any other article."""

    discover_from_start = False  # set for bare --url crawls

    def connect_discovery(self, crawler) -> None:
        crawler.signals.connect(self.survey_idle, signal=signals.spider_idle)

    def wants_discovery(self, response: Response, page: int) -> bool:
        if not self.discover_from_start or self.survey is not None or page != 1 or not isinstance(response, TextResponse):
            return False
        links = [link for link in list_links(LinkExtractor(unique=True), response) if self.on_site(link.url)]
        articles = sum(1 for link in links if self.site.is_article_url(link.url))
        # A page without article links is surveyed, and so is a site's home page whatever it
        # links to (its 要闻 box is not the site: its columns are); a column page with two
        # articles is crawled as the list the user named.
        return articles == 0 or is_home_page(response.url)

    def start_discovery(self, response: Response) -> Iterator[scrapy.Request]:
        self.survey = ColumnSurvey(self.site, response.url, max_pages=CRAWL_MAX_PAGES, in_crawl=True)
        yield from self.survey_requests(response, 0)

    @property
    def start_is_crawled(self) -> bool:
        """A home page that is a list itself is crawled as one while the survey runs."""
        return self.survey is not None and self.survey.result.start_is_list

    @property
    def discovery(self) -> Discovery | None:
        return self.survey.result if self.survey is not None else None

    def parse_sample(self, response: Response):
        self.survey.record_sample(response.request.url, sample_is_on_topic(response))
        yield from self.parse_article(response)

    def sample_failed(self, failure) -> None:
        request = getattr(failure, "request", None)
        if request is not None and "already archived" in str(failure.value):
            from jiwen.crawler.context import context_of

            known = context_of(self.crawler).archive.article_for_url(request.url)
            self.survey.record_sample(request.url, bool(known["relevant"]) if known else None)
            self.survey.result.pages_looked_at += 1
            return
        self._note_failure(failure)

    def survey_idle(self) -> None:
        from scrapy.exceptions import DontCloseSpider

        if self.survey is None or self.survey.decided:
            return
        result = self.survey.decide()
        if not result.columns and not result.blocked and render_state_of(self.crawler).render_for_lists():
            # No list at all in the plain pages: perhaps scripts draw them. The survey starts
            # again from the start page, every page rendered (crawler/browser.py).
            self.logger.info("%s; surveying again through chromium", result.summary())
            self.survey = None
            self.crawler.engine.crawl(self.list_request(result.start_url, page=1, dont_filter=True, column=result.start_url))
            raise DontCloseSpider
        self.logger.info("%s", result.summary())
        if not result.chosen:
            return
        start_column = column_key(self.site, result.start_url)
        for column in result.chosen:
            if self.start_is_crawled and column_key(self.site, column.url) == start_column:
                continue  # crawled as a list from the start
            self.crawler.engine.crawl(self.list_request(column.url, page=1, dont_filter=True, column=column.url))
        raise DontCloseSpider
