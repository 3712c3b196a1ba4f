"""The scheduler's duplicate filter, remembering only the current run.

Scrapy's RFPDupeFilter writes every request it lets through to JOBDIR/requests.seen, and a resumed
crawl takes all of them as done. After a kill -9 that is wrong: the requests that were in flight
(taken off the disk queue, fingerprint written, response never archived) are lost for good, and
every article a killed list page would have led to too (seen: 186 of 300 skipped). So the seen
set is kept in memory for one run only, and "done" means what the archive says:

- a resumed crawl still takes its queued requests from JOBDIR (Scrapy's disk queue) and walks the
  list pages again (revalidated through the HTTP cache, so it is cheap), which finds again every
  article request that was lost;
- an article already in the archive is dropped before it is fetched (ArchivedArticleFilter reads
  the archive's URLs at start), and an article requested twice in one run (once from the resumed
  queue, once from the list walk) is dropped the second time by the same middleware, which sees
  every request, queued or new.
"""

from __future__ import annotations

from scrapy.dupefilters import RFPDupeFilter

from jiwen.crawler.middlewares import record_redirect_loop


class RunDupeFilter(RFPDupeFilter):
    crawler = None

    @classmethod
    def from_crawler(cls, crawler):
        # path=None: nothing read from or written to JOBDIR/requests.seen.
        dupefilter = cls(None, crawler.settings.getbool("DUPEFILTER_DEBUG"), fingerprinter=crawler.request_fingerprinter)
        dupefilter.crawler = crawler
        return dupefilter

    def request_seen(self, request) -> bool:
        seen = super().request_seen(request)
        if seen and self.crawler is not None and request.url in (request.meta.get("redirect_urls") or []):
            # a -> b -> a: dropped here as seen, before Scrapy's REDIRECT_MAX_TIMES could count it.
            record_redirect_loop(self.crawler, request)
        return seen
