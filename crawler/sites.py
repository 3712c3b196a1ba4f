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
from typing import Literal
from urllib.parse import urljoin, urlsplit

import msgspec

from jiwen.core.durations import duration_problem, duration_seconds, interval_problem
from jiwen.core.errors import ConfigError
from jiwen.core.patterns import GuardedPattern, pattern_problem
from jiwen.crawler.names import name_problem
from jiwen.extract.article.overrides import ExtractionOverrides

# A host name as the crawl takes it: ASCII labels (IDNs in their xn-- form), or an IP address.
HOST_NAME = re.compile(r"^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|[0-9a-f:.]+)$")
# The only schemes jiwen ever fetches; file:, data:, ftp:, s3: would read from this machine or elsewhere.
FETCHED_SCHEMES = ("http", "https")
DEFAULT_INTERVAL = "6h"


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
    # Shapes added to those (article_patterns, or the generic ones): what discovery learned from
    # the site's dated lists (crawler/shapes.py) and wrote into the entry it printed.
    learned_patterns: list[str] = []
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
    # "auto": plain HTTP, through headless chromium after a JavaScript challenge; "browser": every
    # page rendered; "http": never rendered (crawler/browser.py).
    render: Literal["auto", "browser", "http"] = "auto"
    # Seconds between requests to this site, for sites that block a faster crawler.
    download_delay: float | None = None
    # `jiwen sites --health` marks a column stale when it has produced nothing new for this long
    # (and for two crawls in a row): "14d" for a daily column, longer for a monthly one.
    stale_after: str = "14d"
    # Where this site keeps its text, headline and date, for layouts the general rules get wrong
    # ([site.extract] content/title/date XPaths, noise XPaths), and the publisher's province
    # (`province`, for 我省/本省/全省); `jiwen reextract --site` re-applies.
    extract: ExtractionOverrides | None = None

    @cached_property
    def domains(self) -> list[str]:
        return self.allowed_domains or sorted({urlsplit(url).hostname or "" for url in self.start_urls} - {""})

    @cached_property
    def article_regexes(self) -> list[GuardedPattern]:
        return [path_pattern(p) for p in [*(self.article_patterns or default_link_patterns()["article"]), *self.learned_patterns]]

    @cached_property
    def deny_regexes(self) -> list[GuardedPattern]:
        return [path_pattern(p) for p in self.deny_patterns]

    @cached_property
    def pagination_regexes(self) -> list[GuardedPattern]:
        return [path_pattern(p) for p in self.pagination.patterns or default_link_patterns()["pagination"]]

    @cached_property
    def next_texts(self) -> frozenset[str]:
        return frozenset(self.pagination.next_texts or default_link_patterns()["next_texts"])

    def owns(self, url: str) -> bool:
        """The URL's host is one of the site's domains, or a subdomain of one."""
        host = urlsplit(url).hostname or ""
        return any(host == domain or host.endswith("." + domain) for domain in self.domains)

    def learning(self, pattern: str) -> SiteConfig:
        """This site with one more learned article shape (a new SiteConfig: they are frozen)."""
        return msgspec.structs.replace(self, learned_patterns=[*self.learned_patterns, pattern])

    def is_article_url(self, url: str) -> bool:
        if not is_fetchable(url):
            return False
        target = path_and_query(url)
        return any(r.match(target) for r in self.article_regexes) and not any(r.match(target) for r in self.deny_regexes)

    def is_pagination_url(self, url: str) -> bool:
        target = path_and_query(url)
        return is_fetchable(url) and any(r.match(target) for r in self.pagination_regexes)

    @property
    def interval_seconds(self) -> int | None:
        """The interval as seconds, or None when it is a cron expression (see `cron`)."""
        return duration_seconds(self.interval)

    @property
    def cron(self) -> str | None:
        return None if self.interval_seconds is not None else self.interval


def is_fetchable(url: str) -> bool:
    """An http(s) URL with a host: the only kind of URL a crawl ever requests."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in FETCHED_SCHEMES and bool(parts.hostname)


def path_and_query(url: str) -> str:
    """What URL patterns are matched against: '/news/202401/t20240101_1.html?x=1'."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def path_pattern(pattern: str) -> GuardedPattern:
    """A URL pattern anchored to the path: it is matched against path?query, and its match must
    begin in the path. So '/t\\d{8}_\\d+\\.html' cannot be satisfied by a query string such as
    'file://host/etc/passwd?/news/202401/t20240101_1.html' carries, while a pattern for dynamic
    pages ('/detail\\.jsp\\?id=\\d+', '\\?(?:.*&)?page=\\d+') still sees the query after the path.
    Matched under a time bound (jiwen.core.patterns): the pattern is the user's."""
    return GuardedPattern(pattern, rf"^[^?#]*?(?:{pattern})")


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
    """Every site in the sites file, validated. Raises ConfigError whose message has one line per
    problem found (all of them, not just the first)."""
    source = sites_file(path)
    try:
        data = source.read_bytes()
    except OSError as error:
        raise ConfigError(f"cannot read sites file {source}: {error.strerror}; check the path or $JIWEN_SITES") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{source} is not UTF-8 (byte {error.start}: {data[error.start : error.start + 1]!r}); save it as UTF-8"
        ) from None
    return parse_sites(text, source=str(source))


SITE_KEYS = frozenset(SiteConfig.__struct_fields__)
PAGINATION_KEYS = frozenset(Pagination.__struct_fields__)


def parse_sites(text: str, *, source: str = "<sites>") -> list[SiteConfig]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source} is not valid TOML ({error}); fix the file") from None
    problems: list[str] = []
    for key in sorted(set(raw) - {"site"}):
        problems.append(f"{source}: unknown key {key!r}; the file holds only [[site]] entries")
    entries = raw.get("site", [])
    if not isinstance(entries, list):
        entries = []
        problems.append(f"{source}: 'site' must be a list of [[site]] tables")
    sites: list[SiteConfig] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        label = f"site {entry.get('name')!r}" if isinstance(entry, dict) and isinstance(entry.get("name"), str) else f"site #{number}"
        found = _entry_problems(entry)
        if isinstance(entry, dict):
            try:
                # Without the unknown keys, so what is wrong with the known ones is said too.
                site = msgspec.convert(_known_keys(entry), SiteConfig)
            except msgspec.ValidationError as error:
                found.append(f"{error}; see crawler/sites.toml for the format")
            else:
                found += site_problems(site)
                if site.name in seen:
                    found.append("the name is used twice")
                seen.add(site.name)
                sites.append(site)
        problems += [f"{source}: {label}: {problem}" for problem in found]
    if problems:
        raise ConfigError("\n".join(problems))
    return sites


def _entry_problems(entry) -> list[str]:
    """Unknown keys, all of them (msgspec stops at the first)."""
    if not isinstance(entry, dict):
        return ["must be a table with name and start_urls"]
    problems = [f"unknown field `{key}`" for key in entry if key not in SITE_KEYS]
    pagination = entry.get("pagination")
    if isinstance(pagination, dict):
        problems += [f"unknown field `pagination.{key}`" for key in pagination if key not in PAGINATION_KEYS]
    return problems


def _known_keys(entry: dict) -> dict:
    known = {key: value for key, value in entry.items() if key in SITE_KEYS}
    if isinstance(known.get("pagination"), dict):
        known["pagination"] = {key: value for key, value in known["pagination"].items() if key in PAGINATION_KEYS}
    return known


def site_problem(site: SiteConfig) -> str | None:
    """The first thing wrong with a site entry, as a one-line fix-it, or None."""
    problems = site_problems(site)
    return problems[0] if problems else None


def site_problems(site: SiteConfig) -> list[str]:
    """Everything wrong with a site entry, each a one-line fix-it."""
    problems: list[str] = []
    if problem := name_problem(site.name):
        problems.append(problem)
    if not site.start_urls:
        problems.append("start_urls is empty; list at least one list page URL")
    for url in [*site.start_urls, *site.sitemaps, *site.feeds]:
        if not is_fetchable(url):
            problems.append(f"{url!r} is not an http(s) URL")
    for domain in site.allowed_domains:
        if "/" in domain or ":" in domain:
            problems.append(f"allowed_domains entry {domain!r} must be a bare host name such as hrss.gd.gov.cn")
    for pattern in [*site.article_patterns, *site.learned_patterns, *site.deny_patterns, *site.pagination.patterns]:
        # Invalid, or backtracking without end ('(a+)+$'): refused here, before any crawl.
        if problem := pattern_problem(pattern):
            problems.append(problem)
    if site.list_area is not None and (problem := xpath_problem(site.list_area)):
        problems.append(problem)
    if site.pagination.max_pages < 1:
        problems.append("pagination.max_pages must be at least 1")
    if site.pagination.template is not None and (problem := template_problem(site.pagination.template, site)):
        problems.append(problem)
    if site.encoding is not None:
        try:
            "".encode(site.encoding)
        except LookupError:
            problems.append(f"encoding {site.encoding!r} is unknown; use e.g. gb18030 or utf-8")
    if site.extract is not None and site.extract.problem():
        problems.append(site.extract.problem())
    if problem := duration_problem(site.stale_after, "stale_after"):
        problems.append(problem)
    if site.download_delay is not None and not 0 <= site.download_delay <= 300:
        problems.append("download_delay must be between 0 and 300 seconds")
    for name, value in [*site.headers.items(), *site.cookies.items()]:
        if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name) or any(ch in value for ch in "\r\n"):
            problems.append(f"header or cookie {name!r} is not a valid name (or its value spans lines)")
    if problem := interval_problem(site.interval):
        problems.append(problem)
    return problems


def xpath_problem(expression: str) -> str | None:
    """A list_area must compile and select elements (the link extractor looks for links in them)."""
    from lxml import etree

    try:
        result = etree.XPath(expression)(etree.fromstring("<html><body><div/></body></html>"))
    except etree.XPathError as error:
        return f"list_area {expression!r} is not a valid XPath ({error}); e.g. //div[@class='list']"
    if not isinstance(result, list):
        return f"list_area {expression!r} gives a {type(result).__name__}, not page elements; e.g. //div[@class='list']"
    return None


def template_problem(template: str, site: SiteConfig) -> str | None:
    if "{n}" not in template:
        return "pagination.template must contain {n}, e.g. 'index_{n}.html'"
    try:
        page = template.format(n=1)
    except (KeyError, IndexError, ValueError, AttributeError) as error:
        return f"pagination.template {template!r} is not a valid template ({type(error).__name__}: {error}); use {{n}} only, e.g. 'index_{{n}}.html'"
    for start in site.start_urls:
        if is_fetchable(start) and not is_fetchable(urljoin(start, page)):
            return f"pagination.template {template!r} makes {urljoin(start, page)!r}, not an http(s) URL"
    return None


def site_for_url(url: str, *, name: str | None = None) -> SiteConfig:
    """A site entry for a bare `--url`: its host is the allowed domain, the generic link shapes apply."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in FETCHED_SCHEMES or not parts.hostname:
        raise ConfigError(f"{url!r} is not an http(s) URL; pass a list page such as https://hrss.example.gov.cn/news/")
    host = parts.hostname.removesuffix(".")
    try:
        host = host.encode("idna").decode("ascii")  # 人社.中国 -> xn--...; the name must be ASCII
    except UnicodeError:
        host = ""
    if not host or not HOST_NAME.match(host) or "" in host.split(".") or host.startswith("-"):
        raise ConfigError(f"{url!r} has no valid host name; pass a list page such as https://hrss.example.gov.cn/news/")
    if name is None:
        # The folder name <archive>/jobs/<name>: the host (and port) as a slug; validated like a
        # sites.toml name below, so it can never be '.', '..' or climb out of jobs/.
        name = re.sub(r"[^a-z0-9_.-]+", "-", f"{host}-{parts.port}" if parts.port else host).strip("-._")
    if problem := name_problem(name):
        raise ConfigError(f"cannot name a crawl of {url!r} ({name!r}): {problem}")
    return SiteConfig(name=name, start_urls=[url], allowed_domains=[parts.hostname])


def find_site(sites: list[SiteConfig], name: str) -> SiteConfig:
    for site in sites:
        if site.name == name:
            return site
    known = ", ".join(site.name for site in sites) or "none"
    raise ConfigError(f"no site named {name!r} in {sites_file()} (known: {known}); check --site")
