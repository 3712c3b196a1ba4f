"""The sites to crawl, as configuration: what to start from, which links are articles, how far to
page through lists, how often to come back.

Where the list comes from (the first that exists wins; files are not merged):
1. the `path` argument (the CLI's `--sites FILE`),
2. the file named by $JIWEN_SITES,
3. ~/.config/jiwen/sites.toml (or $XDG_CONFIG_HOME/jiwen/sites.toml),
4. the examples shipped in crawler/sites.toml.

A site that needs nothing special needs only `name` and `start_urls`; the link shapes of the common
Chinese CMSes (crawler/link_patterns.toml) do the rest.
"""

from __future__ import annotations

import os
import re
import tomllib
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import msgspec
from croniter import croniter
from jiwen.extract.article.overrides import ExtractionOverrides

from jiwen.errors import ConfigError

SITE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
DURATION_UNITS = (86400, 3600, 60, 1)
DEFAULT_INTERVAL = "6h"
# Below this a crawler stops being polite to a provincial web server that updates a few times a day.
MINIMUM_INTERVAL_SECONDS = 600


class Pagination(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """How the spider pages through a list. Empty lists fall back to link_patterns.toml."""

    patterns: list[str] = []
    next_texts: list[str] = []
    # List pages followed from each start URL, the start page included: a crawl that runs every
    # few hours only needs the newest pages; raise it once to backfill.
    max_pages: int = 5
    # For lists whose pager is drawn by JavaScript (TRS createPageHTML): list pages to generate
    # from the start URL, e.g. "index_{n}.html" gives index_1.html .. index_{max_pages-1}.html.
    template: str | None = None


class SiteConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True, dict=True):
    name: str
    start_urls: list[str]
    title: str = ""
    allowed_domains: list[str] = []  # empty: the hosts of start_urls
    article_patterns: list[str] = []  # empty: the generic CMS shapes
    deny_patterns: list[str] = []
    # XPath of the page region holding the article list, to ignore sidebars and "related" boxes.
    list_area: str | None = None
    pagination: Pagination = Pagination()
    sitemaps: list[str] = []
    feeds: list[str] = []  # RSS or Atom
    # The encoding to decode this site's pages with when its headers and <meta> lie.
    encoding: str | None = None
    interval: str = DEFAULT_INTERVAL  # "6h", "1d", "90m", or a 5-field cron expression
    enabled: bool = True
    # Sent with every request to this site (crawler/blocked.py): a browser's User-Agent or Referer,
    # and cookies copied from a browser to get past a cookie challenge.
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    # Seconds between requests to this site, for sites that block a faster crawler.
    download_delay: float | None = None
    # `jiwen sites --health` marks a column stale when it has produced nothing new for this long
    # (and for two crawls in a row): "14d" for a daily column, longer for a monthly one.
    stale_after: str = "14d"
    # Where this site keeps its text, headline and date, for layouts the general rules get wrong
    # ([site.extract] content/title/date XPaths, noise XPaths); `jiwen reextract --site` re-applies.
    extract: ExtractionOverrides | None = None

    @cached_property
    def domains(self) -> list[str]:
        return self.allowed_domains or sorted({urlsplit(url).hostname or "" for url in self.start_urls} - {""})

    @cached_property
    def article_regexes(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.article_patterns or default_link_patterns()["article"]]

    @cached_property
    def deny_regexes(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.deny_patterns]

    @cached_property
    def pagination_regexes(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.pagination.patterns or default_link_patterns()["pagination"]]

    @cached_property
    def next_texts(self) -> frozenset[str]:
        return frozenset(self.pagination.next_texts or default_link_patterns()["next_texts"])

    def is_article_url(self, url: str) -> bool:
        return any(r.search(url) for r in self.article_regexes) and not any(r.search(url) for r in self.deny_regexes)

    @property
    def interval_seconds(self) -> int | None:
        """The interval as seconds, or None when it is a cron expression (see `cron`)."""
        match = DURATION.match(self.interval.replace(" ", ""))
        if not match or not any(match.groups()):
            return None
        return sum(int(value or 0) * unit for value, unit in zip(match.groups(), DURATION_UNITS))

    @property
    def cron(self) -> str | None:
        return None if self.interval_seconds is not None else self.interval


class _SitesFile(msgspec.Struct, forbid_unknown_fields=True):
    site: list[SiteConfig] = []


@lru_cache(maxsize=1)
def default_link_patterns() -> dict[str, list[str]]:
    raw = tomllib.loads(resources.files("jiwen.crawler").joinpath("link_patterns.toml").read_text("utf-8"))
    return {key: list(raw[key]) for key in ("article", "pagination", "next_texts")}


def sites_file(path: Path | str | None = None) -> Path:
    """The sites file in effect (see the module docstring for the order)."""
    if path is not None:
        return Path(path).expanduser()
    if os.environ.get("JIWEN_SITES"):
        return Path(os.environ["JIWEN_SITES"]).expanduser()
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    user_file = config_home / "jiwen" / "sites.toml"
    if user_file.is_file():
        return user_file
    return Path(str(resources.files("jiwen.crawler").joinpath("sites.toml")))


def load_sites(path: Path | str | None = None) -> list[SiteConfig]:
    """Every site in the sites file, validated. Raises ConfigError with a one-line message."""
    source = sites_file(path)
    try:
        text = source.read_text("utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read sites file {source}: {error.strerror}; check the path or $JIWEN_SITES") from None
    return parse_sites(text, source=str(source))


def parse_sites(text: str, *, source: str = "<sites>") -> list[SiteConfig]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source} is not valid TOML ({error}); fix the file") from None
    try:
        sites = msgspec.convert(raw, _SitesFile).site
    except msgspec.ValidationError as error:
        where = _site_label(raw, str(error))
        raise ConfigError(f"{source}: {where}{error}; see crawler/sites.toml for the format") from None
    seen: set[str] = set()
    for site in sites:
        problem = site_problem(site)
        if problem is None and site.name in seen:
            problem = "the name is used twice"
        if problem:
            raise ConfigError(f"{source}: site {site.name!r}: {problem}")
        seen.add(site.name)
    return sites


def _site_label(raw: dict, message: str) -> str:
    """Name the site an error is in: msgspec reports `$.site[3]`, people think in names."""
    match = re.search(r"\$\.site\[(\d+)\]", message)
    sites = raw.get("site") if isinstance(raw, dict) else None
    if match and isinstance(sites, list) and int(match.group(1)) < len(sites):
        name = sites[int(match.group(1))].get("name") if isinstance(sites[int(match.group(1))], dict) else None
        if name:
            return f"site {name!r}: "
    return ""


def site_problem(site: SiteConfig) -> str | None:
    """What is wrong with a site entry, as a one-line fix-it, or None."""
    if not SITE_NAME.match(site.name):
        return "name must be lowercase letters, digits, '.', '-' or '_' (it names the crawl's job folder)"
    if not site.start_urls:
        return "start_urls is empty; list at least one list page URL"
    for url in [*site.start_urls, *site.sitemaps, *site.feeds]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"{url!r} is not an http(s) URL"
    for domain in site.allowed_domains:
        if "/" in domain or ":" in domain:
            return f"allowed_domains entry {domain!r} must be a bare host name such as hrss.gd.gov.cn"
    for pattern in [*site.article_patterns, *site.deny_patterns, *site.pagination.patterns]:
        try:
            re.compile(pattern)
        except re.error as error:
            return f"pattern {pattern!r} is not a valid regular expression ({error})"
    if site.pagination.max_pages < 1:
        return "pagination.max_pages must be at least 1"
    if site.pagination.template is not None and "{n}" not in site.pagination.template:
        return "pagination.template must contain {n}, e.g. 'index_{n}.html'"
    if site.encoding is not None:
        try:
            "".encode(site.encoding)
        except LookupError:
            return f"encoding {site.encoding!r} is unknown; use e.g. gb18030 or utf-8"
    if site.extract is not None and site.extract.problem():
        return site.extract.problem()
    if duration_seconds(site.stale_after) is None:
        return f"stale_after {site.stale_after!r} is not a duration like '14d' or '36h'"
    if site.download_delay is not None and not 0 <= site.download_delay <= 300:
        return "download_delay must be between 0 and 300 seconds"
    for name, value in [*site.headers.items(), *site.cookies.items()]:
        if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name) or any(ch in value for ch in "\r\n"):
            return f"header or cookie {name!r} is not a valid name (or its value spans lines)"
    return interval_problem(site.interval)


def duration_seconds(text: str) -> int | None:
    """'6h', '1d12h', '90m', '2s' as seconds; None when it is not a duration."""
    match = DURATION.match(text.replace(" ", ""))
    if not match or not any(match.groups()):
        return None
    return sum(int(value or 0) * unit for value, unit in zip(match.groups(), DURATION_UNITS))


def interval_problem(interval: str) -> str | None:
    match = DURATION.match(interval.replace(" ", ""))
    if match and any(match.groups()):
        seconds = sum(int(value or 0) * unit for value, unit in zip(match.groups(), DURATION_UNITS))
        if seconds < MINIMUM_INTERVAL_SECONDS:
            return f"interval {interval!r} is shorter than 10m; crawl a provincial site less often"
        return None
    if len(interval.split()) == 5 and croniter.is_valid(interval):
        return None
    return f"interval {interval!r} is neither a duration like '6h' or '1d12h' nor a 5-field cron expression"


def site_for_url(url: str, *, name: str | None = None) -> SiteConfig:
    """A site entry for a bare `--url`: its host is the allowed domain, the generic link shapes apply."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{url!r} is not an http(s) URL; pass a list page such as https://hrss.example.gov.cn/news/")
    derived = re.sub(r"[^a-z0-9_.-]+", "-", parts.netloc.lower()).strip("-") or "site"
    return SiteConfig(name=name or derived, start_urls=[url], allowed_domains=[parts.hostname])


def find_site(sites: list[SiteConfig], name: str) -> SiteConfig:
    for site in sites:
        if site.name == name:
            return site
    known = ", ".join(site.name for site in sites) or "none"
    raise ConfigError(f"no site named {name!r} in {sites_file()} (known: {known}); check --site")
