"""Downloader middlewares: what happens between a request leaving the spider and its response
coming back, for every site alike.

- SchemeGuard: nothing but http(s) is ever fetched, whoever made the request.
- ArchivedArticleFilter: an article URL already in the archive is never fetched again.
- FetchOutcomeMiddleware: HTTP errors, timeouts and non-HTML bodies are recorded per URL in the
  archive (fetch_errors) and dropped, never fatal to the crawl.
- BackoffRetryMiddleware: Scrapy's retries, with a pause that doubles each time.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import error as twisted_errors
from twisted.internet.task import deferLater

from jiwen.crawler.context import CONTEXT_SETTING, ContextComponent, context_of
from jiwen.crawler.sites import is_fetchable
from jiwen.extract.article.encoding import looks_binary as extracted_text_looks_binary

log = logging.getLogger(__name__)

KIND = "jiwen_kind"  # request meta: "list", "article", "sitemap" or "feed"
HTML_TYPES = (b"text/html", b"application/xhtml+xml")
XML_TYPES = (b"application/xml", b"text/xml", b"application/rss+xml", b"application/atom+xml")
# Magic numbers of what CMSes put behind .html links: PDF, Office (zip and OLE), images, archives.
BINARY_SIGNATURES = (
    b"%PDF",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",
)


def looks_binary(body: bytes) -> bool:
    """A known file signature, or the extractor's own test (NUL bytes, many control bytes)."""
    return body.startswith(BINARY_SIGNATURES) or extracted_text_looks_binary(body)


class SchemeGuard:
    """Refuses every request that is not http(s) before any download handler sees it: a page
    linking to file:///etc/shadow or file:///dev/zero must not make the crawler read this machine's
    disk. The spider already drops such links (NewsSpider.on_site); this holds for requests from
    anywhere else too (robots.txt sitemaps, redirects, a future spider). The file, data, ftp and
    s3 handlers are also switched off in settings.DOWNLOAD_HANDLERS."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        # Also in crawls without an archive (site discovery): then it refuses without recording.
        self.context = crawler.settings.get(CONTEXT_SETTING)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if is_fetchable(request.url):
            return
        self.crawler.stats.inc_value("jiwen/error/refused_scheme")
        self.crawler.stats.inc_value("jiwen/refused_links")  # refused, not failed: nothing was fetched
        if self.context is not None:
            self.context.record_error(request.url[:500], "refused_scheme", None, "refused: only http and https URLs are fetched")
        raise IgnoreRequest("not an http(s) URL")


class ArchivedArticleFilter(ContextComponent):
    """Drops requests for article URLs the archive already holds (as requested or redirected URL),
    and a second request for an article URL already requested in this run.

    The archive's set is read once per crawl: reading it costs one scan of `pages`, a lookup per
    request would cost a query each. The per-run set replaces the scheduler's dupe filter for
    articles across a resume: requests taken from a resumed JOBDIR queue never pass the scheduler's
    filter, this middleware sees them all (crawler/dupefilter.py). Retries come back with
    dont_filter and are let through."""

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.requested: set[str] = set()

    def process_request(self, request: Request) -> None:
        if request.meta.get(KIND) != "article":
            return
        if request.url in self.context.archived_urls:
            self.crawler.stats.inc_value("jiwen/skipped_archived")
            raise IgnoreRequest("already archived")
        if request.dont_filter:
            return
        if request.url in self.requested:
            self.crawler.stats.inc_value("jiwen/skipped_requested_twice")
            raise IgnoreRequest("already requested in this crawl")
        self.requested.add(request.url)


class FetchOutcomeMiddleware(ContextComponent):
    """Records what went wrong with a URL, once, after retries and redirects are done."""

    def process_response(self, request: Request, response: Response) -> Response:
        kind = request.meta.get(KIND)
        if kind is None:
            return response  # robots.txt and other requests Scrapy makes for itself
        stats = self.crawler.stats
        stats.inc_value(f"jiwen/fetched/{kind}")
        if "cached" in response.flags:
            # The HTTP cache revalidated it: the server answered 304 (or 5xx) and the stored copy
            # stands in, so its links are still followed.
            stats.inc_value(f"jiwen/not_modified/{kind}")
        if response.status >= 400:
            self._record(request, "http", response.status, f"HTTP {response.status}")
            raise IgnoreRequest(f"HTTP {response.status}")
        if response.status == 304:
            raise IgnoreRequest("not modified")  # only without the HTTP cache: nothing new to read
        if 300 <= response.status < 400:
            # A redirect Scrapy's RedirectMiddleware would not follow: to a scheme other than
            # http(s) (file:///etc/passwd), or without a usable Location.
            location = (response.headers.get(b"Location") or b"").decode("latin-1")[:300]
            self._record(request, "redirect_refused", response.status, f"redirect not followed, to {location or 'nowhere'!r}")
            raise IgnoreRequest("redirect not followed")
        content_type = (response.headers.get(b"Content-Type") or b"").split(b";")[0].strip().lower()
        # List pages may be XML: a JCMS list's further records come from its data proxy as a
        # <datastore> (crawler/pagers.py).
        allowed = HTML_TYPES + (XML_TYPES if kind in ("sitemap", "feed", "list") else ())
        declared_other = content_type and content_type not in allowed
        if declared_other or looks_binary(response.body) or not isinstance(response, TextResponse):
            shown = content_type.decode("latin-1") or "no content type"
            self._record(request, "not_html", response.status, f"skipped non-HTML body ({shown}, {len(response.body)} bytes)")
            raise IgnoreRequest("not HTML")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest) or request.meta.get(KIND) is None:
            return  # robots.txt refusals, offsite, already archived: decisions, not errors
        self._record(request, error_kind(exception), None, f"{type(exception).__name__}: {exception}")
        return

    def _record(self, request: Request, kind: str, status: int | None, message: str) -> None:
        self.crawler.stats.inc_value(f"jiwen/error/{kind}")
        # By the kind of page too: a crawl whose list pages came but whose article pages all
        # failed must not be diagnosed as "the start pages could not be fetched".
        self.crawler.stats.inc_value(f"jiwen/failed/{request.meta.get(KIND)}")
        self.context.record_error(request.url, kind, status, message)


# Scrapy's own bounds that end a download with IgnoreRequest from a process_response (redirect
# loops, decompression bombs): no process_exception sees those, only the request's errback, so
# NewsSpider.fetch_failed passes them to record_limit_hit. Matched by message: Scrapy raises plain
# IgnoreRequest for them, as for robots.txt and offsite decisions, which are not errors.
LIMIT_MESSAGES = (("max redirections", "redirect_loop"), ("DOWNLOAD_MAXSIZE", "too_large"))


def record_limit_hit(crawler, failure) -> None:
    """Record, count and log a download Scrapy dropped because it hit a bound."""
    if not failure.check(IgnoreRequest):
        return
    message = str(failure.value)
    kind = next((kind for needle, kind in LIMIT_MESSAGES if needle in message), None)
    request = getattr(failure, "request", None)
    if kind is None or request is None or request.meta.get(KIND) is None:
        return
    chain = request.meta.get("redirect_urls") or []
    url = chain[0] if chain else request.url
    if kind == "redirect_loop":
        message = f"gave up after {len(chain)} redirects (REDIRECT_MAX_TIMES), last to {request.url}"
    _record_bound(crawler, url, kind, message)


def record_redirect_loop(crawler, request: Request) -> None:
    """A redirect back to a URL of its own chain (the dupe filter drops it as seen)."""
    if request.meta.get(KIND) is None:
        return
    chain = request.meta.get("redirect_urls") or [request.url]
    _record_bound(crawler, chain[0], "redirect_loop", f"redirect loop after {len(chain)} redirects, back to {request.url}")


def _record_bound(crawler, url: str, kind: str, message: str) -> None:
    crawler.stats.inc_value(f"jiwen/error/{kind}")
    log.warning("%s: %s: %s", url, kind, message)
    context_of(crawler).record_error(url, kind, None, message[:500])


def error_kind(exception: Exception) -> str:
    if isinstance(exception, (DownloadTimeoutError, twisted_errors.TimeoutError, twisted_errors.TCPTimedOutError)):
        return "timeout"
    if isinstance(exception, DownloadCancelledError):
        return "too_large"  # Scrapy cancels a download when it passes DOWNLOAD_MAXSIZE
    if isinstance(exception, (CannotResolveHostError, twisted_errors.DNSLookupError)):
        return "dns"
    if isinstance(exception, (DownloadConnectionRefusedError, twisted_errors.ConnectError, twisted_errors.ConnectionLost)):
        return "connection"
    return "download"


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware retries at once, and a server that answered 503 because it is
    overloaded answers 503 again. This waits RETRY_BACKOFF_BASE seconds before the first retry,
    twice that before the second, and so on up to RETRY_BACKOFF_MAX."""

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._pause(result)
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._pause(result)
        return result

    async def _pause(self, retry: Request) -> None:
        delay = min(self.backoff_base * 2 ** (retry.meta.get("retry_times", 1) - 1), self.backoff_max)
        if delay > 0:
            from twisted.internet import reactor

            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
