"""When a crawl runs next: the scheduler's triggers for a site's interval, and the first run of a
site given the crawls the archive remembers. Read by `jiwen schedule` and by site health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from croniter import croniter

from jiwen.core.durations import duration_seconds, interval_problem
from jiwen.core.errors import ArchiveError, ConfigError
from jiwen.store import Archive


@dataclass(frozen=True)
class CrawlTarget:
    """One scheduled crawl: a site from sites.toml or a bare URL, and how often."""

    name: str
    crawl_arguments: tuple[str, ...]  # ("--site", name) or ("--url", url)
    interval: str


class CronExpressionTrigger(BaseTrigger):
    """A 5-field cron expression with cron's meaning, via croniter.

    APScheduler 3's CronTrigger.from_crontab reads the day-of-week field with 0 = Monday, so
    "0 7 * * 0" would crawl on Mondays instead of Sundays; croniter keeps cron's 0 = Sunday."""

    __slots__ = ("expression",)

    def __init__(self, expression: str) -> None:
        self.expression = expression

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime:
        fire_time: datetime = croniter(self.expression, previous_fire_time or now).get_next(datetime)
        return fire_time

    def __str__(self) -> str:
        return f"cron {self.expression!r}"


def trigger_for(interval: str) -> BaseTrigger:
    """The scheduler's trigger for a duration or a cron expression. Short durations are allowed
    here (`jiwen schedule --every 2s` against your own server); sites.toml refuses them."""
    # The one parser (jiwen.core.durations) says what is wrong, with a minimum of one second.
    if problem := interval_problem(interval, minimum=1):
        raise ConfigError(problem)
    seconds = duration_seconds(interval)
    return IntervalTrigger(seconds=seconds) if seconds is not None else CronExpressionTrigger(interval)


def last_crawl_started(archive_dir: Path, site_name: str) -> datetime | None:
    """When the newest recorded crawl of this site started, so a restarted scheduler waits out
    the rest of the interval instead of crawling everything again at once."""
    try:
        with Archive(archive_dir, create=False) as archive:
            for run in archive.runs(500):
                if run["kind"] == "crawl" and run["site"] == site_name:
                    return datetime.fromisoformat(run["started_at"])
    except ArchiveError:
        pass
    return None


def first_run_time(archive_dir: Path, target: CrawlTarget, trigger: BaseTrigger) -> datetime:
    now = datetime.now(UTC)
    if isinstance(trigger, CronExpressionTrigger):
        return trigger.get_next_fire_time(None, now.astimezone())
    seconds = duration_seconds(target.interval) or 0
    started = last_crawl_started(archive_dir, target.name)
    if started is None:
        return now
    return max(now, started + timedelta(seconds=seconds))
