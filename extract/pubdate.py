"""Publication dates: find a date in a string (header text, a <meta> value, a URL) and render it as
ISO 8601 in Asia/Shanghai. Which string to look at is the caller's business (metadata.py picks
the article header, never a sidebar). Patterns live in data/pubdate.toml.

htmldate was measured as the date finder of the readability peer; it reads the whole tree
again (~10 ms a page) and ranks dates by frequency, which lets a sidebar's repeated date win, so
jiwen reads dates only from the places an editor would.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991
_EARLIEST_YEAR = 1990


@lru_cache(maxsize=1)
def _rules() -> dict:
    rules = tomllib.loads(resources.files("jiwen.extract.data").joinpath("pubdate.toml").read_text("utf-8"))
    rules["absolute_compiled"] = [re.compile(rule["pattern"]) for rule in rules["absolute"]]
    rules["url_compiled"] = [re.compile(rule["pattern"]) for rule in rules["url"]]
    relative = rules["relative"]
    rules["relative_compiled"] = {key: re.compile(relative[key]) for key in ("units_ago", "just_now", "named_day")}
    labels = "|".join(map(re.escape, rules["labels"]))
    rules["label_compiled"] = re.compile(rf"(?:{labels})\s*[:：]?\s*")
    return rules


def meta_names() -> list[str]:
    return _rules()["meta"]["names"]


def _render(moment: datetime, with_time: bool, with_seconds: bool) -> str:
    if not with_time:
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds" if with_seconds else "minutes")


def _from_match(match: re.Match, now: datetime | None) -> str | None:
    groups = match.groupdict()
    try:
        day = date(int(groups["year"]), int(groups["month"]), int(groups["day"]))
    except ValueError:
        return None
    latest_year = (now or datetime.now(SHANGHAI)).year + 1
    if not _EARLIEST_YEAR <= day.year <= latest_year:
        return None
    if groups.get("hour") is None:
        return day.isoformat()
    hour, minute, second = int(groups["hour"]), int(groups["minute"]), int(groups.get("second") or 0)
    if hour > 23:
        return day.isoformat()
    offset = groups.get("offset")
    zone = SHANGHAI if not offset else timezone.utc if offset == "Z" else _parse_offset(offset)
    moment = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone).astimezone(SHANGHAI)
    return _render(moment, True, groups.get("second") is not None)


def _parse_offset(offset: str) -> timezone:
    sign = -1 if offset.startswith("-") else 1
    digits = offset[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def find_absolute_date(text: str, now: datetime | None = None) -> tuple[str, int] | None:
    """The earliest-placed date in the text, and where it starts."""
    found: tuple[str, int] | None = None
    for pattern in _rules()["absolute_compiled"]:
        for match in pattern.finditer(text):
            if found is not None and match.start() >= found[1]:
                break
            value = _from_match(match, now)
            if value is not None:
                found = (value, match.start())
                break
    return found


def find_relative_date(text: str, fetched_at: datetime | None) -> str | None:
    """"3小时前", "昨天 10:30", "刚刚" resolved against the fetch time (None without one)."""
    if fetched_at is None:
        return None
    now = (fetched_at if fetched_at.tzinfo else fetched_at.replace(tzinfo=SHANGHAI)).astimezone(SHANGHAI)
    rules = _rules()
    patterns = rules["relative_compiled"]
    match = patterns["units_ago"].search(text)
    if match:
        seconds = int(match.group("amount")) * rules["relative"]["unit_seconds"][match.group("unit")]
        moment = now - timedelta(seconds=seconds)
        return _render(moment, seconds < 86400, False)
    if patterns["just_now"].search(text):
        return _render(now, True, False)
    match = patterns["named_day"].search(text)
    if match:
        moment = now - timedelta(days=rules["relative"]["day_offsets"][match.group("day")])
        if match.group("hour") is not None and int(match.group("hour")) < 24:
            moment = moment.replace(hour=int(match.group("hour")), minute=int(match.group("minute")), second=0)
            return _render(moment, True, False)
        return moment.date().isoformat()
    return None


def parse_date(text: str, fetched_at: datetime | None = None) -> str | None:
    """The first date in a short string (a byline, a meta value), absolute or relative."""
    if not text:
        return None
    found = find_absolute_date(text, fetched_at)
    return found[0] if found else find_relative_date(text, fetched_at)


def labelled_date(text: str, fetched_at: datetime | None = None) -> str | None:
    """A date announced by a label such as 发布时间：, else None."""
    for label in _rules()["label_compiled"].finditer(text):
        following = text[label.end(): label.end() + 40]
        found = find_absolute_date(following, fetched_at)
        if found is not None and found[1] <= 2:
            return found[0]
        relative = find_relative_date(following[:12], fetched_at)
        if relative is not None:
            return relative
    return None


def date_from_url(url: str | None) -> str | None:
    if not url:
        return None
    for pattern in _rules()["url_compiled"]:
        match = pattern.search(url)
        if match:
            value = _from_match(match, None)
            if value:
                return value
    return None
