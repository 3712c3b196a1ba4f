"""Answers that are not articles: JavaScript cookie challenges (瑞数 412, 加速乐 521), firewall
block pages, captchas, login walls and soft-404s, recognised by the rules in
crawler/blocked_answers.toml.

BlockedAnswerMiddleware sits just inside FetchOutcomeMiddleware, so it sees each final response
(after redirects and retries) before anything records it as an HTTP error or hands it to the
spider. A recognised answer is counted (`jiwen/blocked/<kind>` or `jiwen/not_found`), recorded
against its URL in the archive's fetch_errors, and dropped: it never reaches the archive as an
article. A site that answers only with blocks is closed with the finish reason "blocked" instead
of burning through its whole list: JIWEN_BLOCKED_STOP_AFTER blocks in a row, before any article
page was served, close it.

SiteRequestMiddleware sends a site's own `headers` and `cookies` from sites.toml, the usual way
past a cookie challenge once its cookies were taken from a browser.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import deferred_from_coro

from jiwen.crawler.browser import render_state_of, unpassed_challenge
from jiwen.crawler.context import CONTEXT_SETTING
from jiwen.crawler.middlewares import KIND

RULES_FILE = "blocked_answers.toml"
STOP_AFTER_SETTING = "JIWEN_BLOCKED_STOP_AFTER"
BLOCKED_REASON = "blocked"  # the finish reason of a site closed for answering only with blocks
TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
NOT_RUNNING_TEXT = re.compile(r"<(script|style|a)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]*>|&\w+;")
ROBOTS_META = "dont_obey_robotstxt"  # Scrapy's mark on its own robots.txt request


@dataclass(frozen=True)
class AnswerRule:
    kind: str
    what: str
    advice: str
    counted_as: str = "blocked"  # or "not_found"
    status: frozenset[int] = frozenset()  # empty: any status
    url: tuple[re.Pattern[str], ...] = ()
    title: tuple[re.Pattern[str], ...] = ()
    body: tuple[re.Pattern[str], ...] = ()
    max_bytes: int | None = None
    max_text: int | None = None
    browser_passes: bool = False  # a script challenge the browser path gets past (crawler/browser.py)

    def matches(self, status: int, url: str, title: str, head, size: int) -> bool:
        """`head` is a callable returning the decoded start of the body: most responses are
        decided on status, URL and title, and never pay for decoding it."""
        if self.status and status not in self.status:
            return False
        if any(pattern.search(url) for pattern in self.url) or any(pattern.search(title) for pattern in self.title):
            return True
        if not self.body or (self.max_bytes is not None and size > self.max_bytes):
            return False
        text = head()
        if not any(pattern.search(text) for pattern in self.body):
            return False
        return self.max_text is None or visible_length(text) <= self.max_text


def visible_length(html: str) -> int:
    """Characters of running text (scripts, styles, link texts, tags and spaces left out): a block
    page has a sentence or two around its site's navigation links, an article has paragraphs. A
    regex, not a parser: it runs only on short pages that already matched a body pattern, and an
    estimate is all the rule needs."""
    text = NOT_RUNNING_TEXT.sub(" ", html)
    text = TAG.sub(" ", text)
    return len("".join(text.split()))


@dataclass(frozen=True)
class AnswerRules:
    rules: tuple[AnswerRule, ...]
    scan_bytes: int

    def by_kind(self, kind: str) -> AnswerRule | None:
        return next((rule for rule in self.rules if rule.kind == kind), None)


@lru_cache(maxsize=1)
def load_answer_rules() -> AnswerRules:
    raw = tomllib.loads(resources.files("jiwen.crawler").joinpath(RULES_FILE).read_text("utf-8"))
    rules = tuple(
        AnswerRule(
            kind=entry["kind"],
            what=entry["what"],
            advice=entry["advice"],
            counted_as=entry.get("counted_as", "blocked"),
            status=frozenset(entry.get("status", ())),
            url=tuple(re.compile(p, re.IGNORECASE) for p in entry.get("url", ())),
            title=tuple(re.compile(p, re.IGNORECASE) for p in entry.get("title", ())),
            body=tuple(re.compile(p, re.IGNORECASE) for p in entry.get("body", ())),
            max_bytes=entry.get("max_bytes"),
            max_text=entry.get("max_text"),
            browser_passes=entry.get("browser_passes", False),
        )
        for entry in raw["answer"]
    )
    return AnswerRules(rules=rules, scan_bytes=int(raw.get("scan_bytes", 16384)))


def classify_answer(status: int, url: str, body: bytes, encoding: str = "utf-8", rules: AnswerRules | None = None) -> AnswerRule | None:
    """The rule a response is an instance of, or None when it may be a real page."""
    rules = rules or load_answer_rules()
    head_bytes = body[: rules.scan_bytes]
    title_match = TITLE.search(head_bytes)
    title = title_match.group(1).decode(encoding, errors="replace").strip() if title_match else ""
    decoded: list[str] = []

    def head() -> str:
        if not decoded:
            decoded.append(head_bytes.decode(encoding, errors="replace"))
        return decoded[0]

    for rule in rules.rules:
        if rule.matches(status, url, title, head, len(body)):
            return rule
    return None


def explain(kind: str, count: int, site: str) -> str:
    """One line for the crawl's output: what the site answered, and what the user can do."""
    rule = load_answer_rules().by_kind(kind)
    if rule is None:
        return f"{site}: {count} answers of kind {kind}"
    noun = "answer was" if count == 1 else "answers were"
    return f"{site}: {count} {noun} {rule.what}. What to do: {rule.advice}."


class BlockedAnswerMiddleware:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        # None in `jiwen sites discover`, which has no archive to record answers in.
        self.context = crawler.settings.get(CONTEXT_SETTING)
        self.rules = load_answer_rules()
        self.stop_after = crawler.settings.getint(STOP_AFTER_SETTING, 3)
        self.blocked_in_a_row = 0
        self.articles_served = 0  # article pages that were not blocks: the site does serve us
        self.closing = None

    def process_request(self, request: Request) -> None:
        if self.closing is not None and request.meta.get(KIND) is not None:
            raise IgnoreRequest("site closed: it answers only with blocks")

    def process_response(self, request: Request, response: Response) -> Response | Request:
        kind = request.meta.get(KIND)
        if not isinstance(response, TextResponse) or response.status in (301, 302, 303, 304, 307, 308):
            return response  # binaries (FetchOutcomeMiddleware's), redirects in progress
        if kind is None:
            return self.robots_through_browser(request, response) or response
        rule = classify_answer(response.status, response.url, response.body, response.encoding, self.rules)
        if rule is None and (kind_left := unpassed_challenge(request, response.status)):
            rule = self.rules.by_kind(kind_left)  # the browser did not get past it either
        if rule is None:
            self.blocked_in_a_row = 0
            self.articles_served += kind == "article"
            return response
        if rule.browser_passes and (rendered := render_state_of(self.crawler).on_challenge(request, rule.kind)) is not None:
            return rendered  # fetched again through chromium (crawler/browser.py)
        stats = self.crawler.stats
        stats.inc_value(f"jiwen/fetched/{kind}")  # FetchOutcomeMiddleware does not see it
        if rule.counted_as == "not_found":
            stats.inc_value("jiwen/not_found")
        else:
            stats.inc_value(f"jiwen/blocked/{rule.kind}")
            self.blocked_in_a_row += 1
        if self.context is not None:
            self.context.record_error(request.url, rule.kind, response.status, f"{rule.counted_as}: {rule.kind}")
        if self.blocked_in_a_row >= self.stop_after and not self.articles_served and self.closing is None:
            # No article served yet and the last answers all blocks: the rest of the list would be too.
            self.closing = deferred_from_coro(self.crawler.engine.close_spider_async(reason=BLOCKED_REASON))
        raise IgnoreRequest(f"{rule.counted_as}: {rule.kind}")

    def robots_through_browser(self, request: Request, response: TextResponse) -> Request | None:
        """robots.txt that answered with a challenge the browser gets past: the same request,
        fetched by chromium for the file's own text. Scrapy would otherwise parse the challenge
        page as the site's rules (none: everything allowed) and obey nothing."""
        if not request.meta.get(ROBOTS_META) or urlsplit(request.url).path != "/robots.txt":
            return None  # requests Scrapy makes for itself are robots.txt only; checked all the same
        rule = classify_answer(response.status, response.url, response.body, response.encoding, self.rules)
        if rule is None and (kind_left := unpassed_challenge(request, response.status)):
            rule = self.rules.by_kind(kind_left)
        if rule is None or not rule.browser_passes:
            return None
        self.crawler.stats.inc_value(f"jiwen/robots_challenged/{rule.kind}")
        return render_state_of(self.crawler).on_challenge(request, rule.kind, raw=True)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)


class SiteRequestMiddleware:
    """Adds the site's `headers` and `cookies` (sites.toml) to each of its requests, robots.txt
    included: a challenged site challenges that too. Cookies go in as a Cookie header because
    jiwen keeps Scrapy's cookie jar off (COOKIES_ENABLED = False): a crawl should not pick up
    session state a site hands out, only what the user configured."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        site = getattr(self.crawler.spider, "site", None)
        if site is None:
            return None
        for name, value in site.headers.items():
            request.headers.setdefault(name, value)
        if site.cookies and b"Cookie" not in request.headers:
            request.headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in site.cookies.items())
        return None
