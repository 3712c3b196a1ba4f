"""Scrapy settings for jiwen's crawls: polite by default, robust against the usual failures of
provincial government servers (slow pages, 5xx under load, wrong headers, binaries behind .html
links). run_crawl() layers per-crawl values on top (JOBDIR, the HTTP cache folder, the context);
`settings_overrides` (e.g. the CLI's --no-throttle) come last.
"""

import os

from jiwen import __version__

BOT_NAME = "jiwen"
SPIDER_MODULES = ["jiwen.crawler.spiders"]
NEWSPIDER_MODULE = "jiwen.crawler.spiders"

# Say who we are and where to read about us: site operators do look.
USER_AGENT = f"jiwen/{__version__} (+https://pypi.org/project/jiwen/; Chinese employment news archive)"
ROBOTSTXT_OBEY = True

# Politeness: a few requests at a time per server, paced by AutoThrottle from the server's own
# response times. Government servers are often small; the default 8 per domain is too many.
# Each site is its own Scrapy crawler, so this bounds the requests one site's downloader holds:
# at most 2 are sent at a time anyway; more only queue up, and a site that turns out to answer
# with challenges (crawler/blocked.py) would still receive every queued one after it is closed.
CONCURRENT_REQUESTS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Twisted's own reactor, not Scrapy's default asyncio one: under asyncio, Scrapy 2.19's downloader
# starts every queued request of a server at once when no download delay is set (it counts a
# request as transferring only once its task runs), so CONCURRENT_REQUESTS_PER_DOMAIN was not kept
# under --no-throttle (seen: 9 requests at once to one server). tests/crawler checks the peak.
TWISTED_REACTOR = None
REMOTE_CONTROL_ENABLED = False  # needs asyncio; jiwen has no use for it

# Scrapy starts this many cooperative tasks for every response's output (default 100). A page
# yields one item or a few dozen links, and the pipeline takes items one at a time anyway; at 100
# the task setup alone was a sixth of the crawl process's CPU.
CONCURRENT_ITEMS = 10

# Robustness.
DOWNLOAD_TIMEOUT = int(os.environ.get("JIWEN_DOWNLOAD_TIMEOUT", "30"))
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = float(os.environ.get("JIWEN_RETRY_BACKOFF", "1.0"))  # seconds; doubles per retry
RETRY_BACKOFF_MAX = 30.0
RETRY_GIVE_UP_LOG_LEVEL = "INFO"  # the failure is recorded in the archive's fetch_errors
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 5
# News pages are tens of KB; a multi-megabyte ".html" is an attachment or a mistake.
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
COOKIES_ENABLED = False

# List pages (and sitemaps, feeds) go through Scrapy's RFC 2616 cache so they are revalidated with
# If-None-Match / If-Modified-Since; a 304 replays the stored copy so its links are still
# followed. Article requests carry dont_cache: the archive, not the cache, remembers them.
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"
HTTPCACHE_STORAGE = "scrapy.extensions.httpcache.FilesystemCacheStorage"
HTTPCACHE_EXPIRATION_SECS = 0
HTTPCACHE_GZIP = True

# Only http(s) is ever fetched: Scrapy's file handler would read the crawling machine's own disk
# (file:///etc/shadow, file:///dev/zero without the size cap), data: and ftp:/s3: have no place in a
# news crawl. SchemeGuard refuses such requests first; without a handler they could not run anyway.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None}
# http(s): Scrapy's own handler, or headless chromium for the pages a site needs rendered
# (crawler/browser.py); inside the downloader's slots, so delays and per-server limits hold.
DOWNLOAD_HANDLERS["http"] = DOWNLOAD_HANDLERS["https"] = "jiwen.crawler.browser.RenderingDownloadHandler"

# The seen-requests set lives for one run, not in JOBDIR: a crawl resumed after kill -9 must fetch
# again what was seen but never archived (crawler/dupefilter.py explains the design).
DUPEFILTER_CLASS = "jiwen.crawler.dupefilter.RunDupeFilter"

DOWNLOADER_MIDDLEWARES = {
    # First of all: no request that is not http(s) goes further.
    "jiwen.crawler.middlewares.SchemeGuard": 10,
    # Closest to the engine: sees every request first and every final response last.
    "jiwen.crawler.middlewares.FetchOutcomeMiddleware": 50,
    # Just inside it: challenge, block and soft-404 pages are recognised before anything else
    # takes them for an HTTP error or an article (crawler/blocked.py).
    "jiwen.crawler.blocked.BlockedAnswerMiddleware": 55,
    "jiwen.crawler.middlewares.ArchivedArticleFilter": 60,
    # The site's own headers and cookies from sites.toml, before the cache and robots.txt see it.
    "jiwen.crawler.blocked.SiteRequestMiddleware": 90,
    # Then the browser path's marks and earned cookies, still before robots.txt is consulted.
    "jiwen.crawler.browser.RenderMiddleware": 91,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "jiwen.crawler.middlewares.BackoffRetryMiddleware": 550,
}
ITEM_PIPELINES = {
    "jiwen.crawler.pipelines.ArchivePipeline": 300,
}
EXTENSIONS = {
    "jiwen.crawler.progress.ProgressReport": 500,
    "scrapy.extensions.telnet.TelnetConsole": None,
}
JIWEN_PROGRESS = False
# The browser path's memory cap (crawler/browser.py): the crawl's chromium is closed and started
# afresh after this many rendered pages, or once its processes hold more than this many MB
# together (resident, summed: shared pages count in each process, so this errs on the safe side).
# 0 switches a bound off.
JIWEN_BROWSER_MAX_PAGES = int(os.environ.get("JIWEN_BROWSER_MAX_PAGES", "500"))
JIWEN_BROWSER_MAX_MEMORY_MB = int(os.environ.get("JIWEN_BROWSER_MAX_MEMORY_MB", "1536"))
# A site whose first answers are all challenge or block pages is closed after this many.
JIWEN_BLOCKED_STOP_AFTER = int(os.environ.get("JIWEN_BLOCKED_STOP_AFTER", "3"))
JIWEN_PROGRESS_INTERVAL = 5.0

LOG_LEVEL = os.environ.get("JIWEN_CRAWL_LOG_LEVEL", "WARNING")
FEED_EXPORT_ENCODING = "utf-8"
