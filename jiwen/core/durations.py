"""Durations and crawl intervals, parsed in one place: sites.toml (`interval`, `stale_after`),
`jiwen schedule --every`, site health and the scheduler all read them through here.

A duration is written '30m', '6h', '1d12h', '90s'; an interval is a duration or a 5-field cron
expression (croniter reads it with cron's own meaning: 0 = Sunday).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

# Up to 30 digits a unit: '99999999999999d' still reads as a duration (and is refused as longer
# than a year, not as "not a duration"), while the arithmetic stays small.
DURATION = re.compile(r"^(?:(\d{1,30})d)?(?:(\d{1,30})h)?(?:(\d{1,30})m)?(?:(\d{1,30})s)?$")
UNIT_SECONDS = (86400, 3600, 60, 1)
# Longer than any sensible crawl interval, short enough for every datetime and timer API
# (a timedelta of 99999999999999 days overflows): a year.
MAXIMUM_SECONDS = 366 * 86400
# Provincial sites are small government servers: no site is crawled more often than this.
MINIMUM_INTERVAL_SECONDS = 600
# How many firing times of a cron expression are looked at for its shortest gap: enough to see
# every minute of an hour and the hours of two days.
CRON_LOOKAHEAD = 2 * 24 * 60


def duration_seconds(text: str) -> int | None:
    """'6h', '1d12h', '90m', '2s' as seconds; None when it is not a duration, is zero or is longer
    than a year. Bounded, so no caller's timedelta or timer can overflow on what it returns."""
    seconds = _unbounded_seconds(text)
    return seconds if seconds is not None and seconds <= MAXIMUM_SECONDS else None


def _unbounded_seconds(text: str) -> int | None:
    match = DURATION.match(text.replace(" ", ""))
    if not match or not any(match.groups()):
        return None
    seconds = sum(int(value or 0) * unit for value, unit in zip(match.groups(), UNIT_SECONDS, strict=True))
    return seconds or None


def is_cron(text: str) -> bool:
    if len(text.split()) != 5:
        return False
    # croniter is imported where a cron expression is read: every one-shot command reads
    # sites.toml, whose intervals are durations, and `jiwen extract` starts 3 % faster without it.
    from croniter import croniter

    return bool(croniter.is_valid(text))


def cron_shortest_gap(expression: str) -> int:
    """The shortest time, in seconds, between two firings of a cron expression, found on its real
    firing times (`*/5 * * * *` and `0,3 * * * *` both fire closer together than their fields
    suggest at a glance)."""
    from croniter import croniter  # as in `is_cron`

    start = datetime(2025, 1, 1, tzinfo=UTC)
    times = croniter(expression, start)
    previous = times.get_next(datetime)
    shortest = MAXIMUM_SECONDS
    deadline = start + timedelta(days=8)
    for _ in range(CRON_LOOKAHEAD):
        moment = times.get_next(datetime)
        shortest = min(shortest, int((moment - previous).total_seconds()))
        previous = moment
        if moment > deadline or shortest < MINIMUM_INTERVAL_SECONDS:
            break
    return shortest


def interval_problem(interval: str, minimum: int = MINIMUM_INTERVAL_SECONDS) -> str | None:
    """Why `interval` cannot schedule a crawl, in one line; None when it can."""
    seconds = _unbounded_seconds(interval)
    if seconds is not None:
        if seconds < minimum:
            return f"interval {interval!r} is shorter than {minimum // 60}m; crawl a provincial site less often"
        if seconds > MAXIMUM_SECONDS:
            return f"interval {interval!r} is longer than a year; use at most '366d'"
        return None
    if is_cron(interval):
        if cron_shortest_gap(interval) < minimum:
            return f"cron interval {interval!r} fires more often than every {minimum // 60}m; crawl a provincial site less often"
        return None
    return f"interval {interval!r} is neither a duration like '30m', '6h', '1d12h' nor a 5-field cron expression such as '0 */6 * * *'"


def duration_problem(text: str, what: str = "duration") -> str | None:
    """Why `text` is not a bounded duration, in one line; None when it is."""
    seconds = _unbounded_seconds(text)
    if seconds is None:
        return f"{what} {text!r} is not a duration like '30m', '6h' or '1d12h'"
    if seconds > MAXIMUM_SECONDS:
        return f"{what} {text!r} is longer than a year; use at most '366d'"
    return None
