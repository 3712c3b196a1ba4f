"""`jiwen sites discover`: the discovery spider, and discover_site() that runs it in this process
without an archive (crawler/discovery.py has the survey itself)."""

from __future__ import annotations

from collections.abc import Iterator

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response

from jiwen.core.errors import ConfigError
from jiwen.core.progress import Progress
from jiwen.crawler.browser import (
    BROWSER_SETTING,
    INSTALL_HINT,
    RENDER_SETTING,
    browser_missing,
    crawl_browser,
    missing_browser_line,
    render_explanations,
    render_state_of,
)
from jiwen.crawler.discovery import DEFAULT_DEPTH, DEFAULT_MAX_PAGES, ColumnSurvey, Discovery, SurveyCallbacks
from jiwen.crawler.middlewares import KIND
from jiwen.crawler.sites import site_for_url


class DiscoverySpider(SurveyCallbacks, scrapy.Spider):
    """`jiwen sites discover`: survey a site from one URL and stop."""

    name = "discover"

    def __init__(self, start_url: str, depth: int = DEFAULT_DEPTH, max_pages: int = DEFAULT_MAX_PAGES, **kwargs) -> None:
        super().__init__(**kwargs)
        self.site = site_for_url(start_url)
        self.allowed_domains = list(self.site.domains)
        self.survey = ColumnSurvey(self.site, start_url, depth=depth, max_pages=max_pages)
        self.learned_shapes: dict[str, str] = {}  # article shapes the survey learned -> where

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    async def start(self):
        yield self.start_request()

    def start_request(self) -> scrapy.Request:
        return scrapy.Request(
            self.survey.result.start_url, callback=self.parse_start, errback=self.survey_failed, meta={KIND: "list"}, dont_filter=True
        )

    def parse_start(self, response: Response) -> Iterator[scrapy.Request]:
        yield from self.survey_requests(response, 0)

    def idle(self) -> None:
        """No list at all in the site's plain pages: survey it again, every page rendered (its
        lists may be drawn by scripts; crawler/browser.py), once."""
        result = self.survey.result
        if self.survey.decided or self.survey.columns or result.blocked or not render_state_of(self.crawler).render_for_lists():
            return
        self.logger.info("no list page in the plain pages of %s; surveying again through chromium", result.start_url)
        self.survey = ColumnSurvey(self.site, result.start_url, depth=result.depth, max_pages=self.survey.max_pages)
        self.crawler.engine.crawl(self.start_request())
        raise DontCloseSpider

    def closed(self, reason: str) -> None:
        self.survey.decide()


def discover_site(
    start_url: str,
    *,
    depth: int = DEFAULT_DEPTH,
    max_pages: int = DEFAULT_MAX_PAGES,
    settings_overrides: dict | None = None,
    progress: Progress | None = None,
) -> Discovery:
    """Run a discovery in this process (Scrapy's reactor runs once per process: call it once).
    `progress(pages fetched, max_pages)` is called after every page."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from jiwen.crawler.progress import ProgressCallback

    site_for_url(start_url)  # a clear error for a URL that is not http(s)
    if depth < 0 or max_pages < 1:
        raise ConfigError("--depth must be 0 or more and --max-pages at least 1")
    settings = Settings()
    settings.setmodule("jiwen.crawler.settings", priority="project")
    # No archive: nothing is stored, cached or resumed; robots.txt, delays and limits stay.
    settings.set("HTTPCACHE_ENABLED", False, priority="cmdline")
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    extensions: dict = {"scrapy.extensions.telnet.TelnetConsole": None}
    if progress is not None:
        extensions["jiwen.crawler.progress.ProgressReport"] = 500
        settings.set("JIWEN_PROGRESS", ProgressCallback(progress), priority="cmdline")
        settings.set("JIWEN_PROGRESS_TOTAL", max_pages, priority="cmdline")
    settings.set("EXTENSIONS", extensions, priority="cmdline")
    # The crawl's downloader middlewares (blocked answers, site headers, retries with backoff)
    # without the two that need an archive.
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares.update({"jiwen.crawler.middlewares.FetchOutcomeMiddleware": None, "jiwen.crawler.middlewares.ArchivedArticleFilter": None})
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="cmdline")
    for name, value in (settings_overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    if settings.get(RENDER_SETTING) == "browser" and (missing := browser_missing()):
        raise ConfigError(f"{missing}, and the discovery asks for the browser (--render browser): {INSTALL_HINT}")
    # The crawl's browser path (crawler/browser.py): a gated portal is surveyed through chromium.
    browser = crawl_browser(settings)
    settings.set(BROWSER_SETTING, browser, priority="cmdline")
    try:
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(DiscoverySpider)
        process.crawl(crawler, start_url=start_url, depth=depth, max_pages=max_pages)
        process.start()
    finally:
        if browser is not None:
            browser.close()
    found = crawler.spider.survey.decide()
    found.render = settings.get(RENDER_SETTING)
    if render_state_of(crawler).scripted_lists:
        found.render = "browser"  # its lists are drawn by scripts: the entry's crawls render too
    found.browser_notes = render_explanations(crawler.spider.site.name, crawler)
    if not found.chosen and (missing := missing_browser_line([crawler])):
        raise ConfigError(missing)  # a gated portal, and no chromium to get past its gate
    return found
