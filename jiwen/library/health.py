"""Site health: per configured site, how its crawls went and whether its columns still produce.

Government sites move their columns without notice: the old list page stays up with its last
articles, or turns into a soft-404, and a crawl of it just finds nothing new. site_health()
reads the archive's run history (each crawl report holds, per site, the new articles of each
start URL: crawler/diagnosis.py) and its pages, and marks a column `stale` when it produced new
articles in an earlier crawl but none in its last STALE_RUNS crawls, and its last new article is
older than the site's `stale_after` (sites.toml, default 14d). `jiwen sites --health` formats
it; `jiwen serve` shows the same structs.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from jiwen.core.durations import duration_seconds
from jiwen.crawler.sites import SiteConfig
from jiwen.library.timetable import CrawlTarget, first_run_time, trigger_for
from jiwen.store import Archive

DAYS = 30
STALE_RUNS = 2  # crawls in a row without a new article, at the least, before a column is stale


class ColumnHealth(msgspec.Struct, kw_only=True):
    url: str
    new_articles: int  # in the crawls looked at
    last_new_run: str | None  # when the last crawl that found a new article here started
    crawls_since_new: int
    stale: bool


class SiteHealth(msgspec.Struct, kw_only=True):
    name: str
    title: str
    enabled: bool
    interval: str
    last_run: str | None  # when the last crawl of the site started (UTC)
    last_outcome: str | None  # finished, interrupted, blocked, failed, killed, running
    crawls_30_days: int
    last_new_article: str | None  # when the newest article was first fetched
    new_per_day: list[int]  # 30 counts, oldest first; the last is today (UTC)
    new_30_days: int
    blocked: dict[str, int]  # by kind, over the last 30 days' crawls
    not_found: int
    errors: dict[str, int]  # by kind, over the last 30 days' crawls
    next_run: str | None  # when `jiwen schedule`, started now, would crawl it next; None if disabled
    stale: bool
    columns: list[ColumnHealth]


def site_health(archive: Archive, sites: list[SiteConfig], *, now: datetime | None = None) -> list[SiteHealth]:
    now = now or datetime.now(UTC)
    return [_health_of(archive, site, now) for site in sites]


def _health_of(archive: Archive, site: SiteConfig, now: datetime) -> SiteHealth:
    runs = archive.crawl_runs_of(site.name)
    since = now - timedelta(days=DAYS)
    recent = [run for run in runs if _time(run["started_at"]) >= since]
    blocked: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    not_found = 0
    for run in recent:
        part = _site_part(run, site.name)
        blocked.update(part.get("blocked") or {})
        errors.update(part.get("errors") or {})
        not_found += part.get("not_found") or 0
    first_fetches = archive.first_fetch_times(site.name)
    per_day = [0] * DAYS
    today = now.date()
    for moment in first_fetches:
        age = (today - _time(moment).date()).days
        if 0 <= age < DAYS:
            per_day[DAYS - 1 - age] += 1
    columns = [_column_health(site, url, runs, now) for url in site.start_urls]
    return SiteHealth(
        name=site.name,
        title=site.title,
        enabled=site.enabled,
        interval=site.interval,
        last_run=runs[0]["started_at"] if runs else None,
        last_outcome=runs[0]["outcome"] if runs else None,
        crawls_30_days=len(recent),
        last_new_article=first_fetches[-1] if first_fetches else None,
        new_per_day=per_day,
        new_30_days=sum(per_day),
        blocked=dict(sorted(blocked.items())),
        not_found=not_found,
        errors=dict(sorted(errors.items())),
        next_run=_next_run(archive, site) if site.enabled else None,
        stale=any(column.stale for column in columns),
        columns=columns,
    )


def _column_health(site: SiteConfig, url: str, runs: list[dict[str, Any]], now: datetime) -> ColumnHealth:
    total, since_new, last_new = 0, 0, None
    for run in runs:  # newest first
        columns = _site_part(run, site.name).get("columns")
        if columns is None or run["outcome"] == "running":
            continue  # a crawl from before per-column counts, or one still going
        new = (columns.get(url) or {}).get("new", 0)
        total += new
        if new and last_new is None:
            last_new = run["started_at"]
        if last_new is None:
            since_new += 1
    stale_after = timedelta(seconds=duration_seconds(site.stale_after) or 0)
    stale = last_new is not None and since_new >= STALE_RUNS and now - _time(last_new) >= stale_after
    return ColumnHealth(url=url, new_articles=total, last_new_run=last_new, crawls_since_new=since_new, stale=stale)


def _site_part(run: dict[str, Any], name: str) -> dict[str, Any]:
    """This site's counts in a crawl report: its `by_site` entry, or the whole report of a crawl
    of this site alone made before reports were split by site."""
    report = run.get("report") or {}
    by_site = report.get("by_site")
    if isinstance(by_site, dict):
        return by_site.get(name) or {}
    return report if run.get("site") == name else {}


def _next_run(archive: Archive, site: SiteConfig) -> str:
    target = CrawlTarget(site.name, ("--site", site.name), site.interval)
    return first_run_time(archive.directory, target, trigger_for(site.interval)).astimezone(UTC).isoformat(timespec="seconds")


def _time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
