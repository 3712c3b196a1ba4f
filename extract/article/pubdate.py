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
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991
_EARLIEST_YEAR = 1990


@lru_cache(maxsize=1)
def _rules() -> dict:
    rules = tomllib.loads(resources.files("jiwen.extract.data").joinpath("pubdate.toml").read_text("utf-8"))
    rules["absolute_compiled"] = [re.compile(rule["pattern"]) for rule in rules["absolute"]]
    rules["url_compiled"] = [re.compile(rule["pattern"]) for rule in rules["url"]]
    rules["labelled_compiled"] = [re.compile(rule["pattern"]) for rule in rules["labelled"]]
    rules["script_value"] = re.compile(rules["script"]["value"])
    relative = rules["relative"]
    rules["relative_compiled"] = {key: re.compile(relative[key]) for key in ("units_ago", "just_now", "named_day")}
    labels = "|".join(map(re.escape, rules["labels"]))
    rules["label_compiled"] = re.compile(rf"(?:{labels})\s*[:：]?\s*")
    return rules


@lru_cache(maxsize=1)
def text_dump_rules() -> dict:
    """Where a plain-text dump may state its date (pubdate.toml [text_dump]), compiled."""
    rules = dict(_rules()["text_dump"])
    for key in ("unix_line", "tail_line", "dateline"):
        rules[key] = re.compile(rules[key])
    return rules


def looks_like_date(text: str) -> bool:
    """A date, a relative date, or a date label (发布时间：…): not a name."""
    now = datetime.now(SHANGHAI)
    return bool(find_absolute_date(text, now) or find_relative_date(text, now) or _rules()["label_compiled"].match(text))


def meta_names() -> list[str]:
    return _rules()["meta"]["names"]


def _render(moment: datetime, with_time: bool, with_seconds: bool) -> str:
    if not with_time:
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds" if with_seconds else "minutes")


def _from_match(match: re.Match, now: datetime | None) -> str | None:
    return _from_fields(match.groupdict(), now)


_NUMERAL_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def _number(value: str) -> int:
    """An int from ASCII digits or Chinese numerals (二〇二三 digit by digit, 二十八 by cn2an)."""
    if value.isascii():
        return int(value)
    digits = value.translate(_NUMERAL_DIGITS)
    if digits.isdigit():
        return int(digits)
    import cn2an  # only dates in Chinese numerals need it; importing it costs ~0.2 s

    return int(cn2an.cn2an(value, "smart"))


def _from_fields(groups: dict, now: datetime | None) -> str | None:
    if any(isinstance(groups.get(key), str) and not groups[key].isascii() for key in ("year", "month", "day")):
        groups = {**groups, **{key: _number(groups[key]) for key in ("year", "month", "day")}}
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
    zone = SHANGHAI if not offset else UTC if offset == "Z" else _parse_offset(offset)
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
    """ "3小时前", "昨天 10:30", "刚刚" resolved against the fetch time (None without one)."""
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


def labelled_date(text: str, fetched_at: datetime | None = None, known_dates: list[str] = ()) -> str | None:
    """A date announced by a label such as 发布时间：, else None. `known_dates` (from <meta>)
    supply the year of a label that shows only month and day."""
    for label in _rules()["label_compiled"].finditer(text):
        following = text[label.end() : label.end() + 40]
        found = find_absolute_date(following, fetched_at)
        if found is not None and found[1] <= 2:
            return found[0]
        value = _short_labelled_date(following, fetched_at, known_dates)
        if value is None:
            value = find_relative_date(following[:12], fetched_at)
        if value is not None:
            return value
    return None


def _short_labelled_date(text: str, fetched_at: datetime | None, known_dates: list[str]) -> str | None:
    for pattern in _rules()["labelled_compiled"]:
        match = pattern.match(text)
        if not match:
            continue
        groups = match.groupdict()
        month, day = int(groups["month"]), int(groups["day"])
        if groups.get("year2"):
            year = 2000 + int(groups["year2"])
        else:
            year = _year_for(month, day, fetched_at, known_dates)
            if year is None:
                continue
        fields = {"year": year, "month": month, "day": day, "hour": groups.get("hour"), "minute": groups.get("minute")}
        value = _from_fields(fields, fetched_at)
        if value is not None:
            return value
    return None


def _year_for(month: int, day: int, fetched_at: datetime | None, known_dates: list[str]) -> int | None:
    for known in known_dates:
        if known[5:10] == f"{month:02d}-{day:02d}":
            return int(known[:4])
    if fetched_at is None:
        return None
    # The most recent such day not after the fetch.
    year = fetched_at.year
    return year if (month, day) <= (fetched_at.month, fetched_at.day) else year - 1


def script_date(text: str | None) -> str | None:
    """The first publication date held in the page's script data (JSON or JS variables)."""
    if not text:
        return None
    rules = _rules()
    value_pattern = rules["script_value"]
    found: list[tuple[int, str]] = []
    for key in rules["script"]["keys"]:
        position = text.find(key)
        while position != -1:
            before = text[position - 1 : position] if position else ""
            end = position + len(key)
            if not (before.isalnum() or before == "_"):
                match = value_pattern.match(text, end)
                if match:
                    found.append((position, match.group("value")))
                    break
            position = text.find(key, end)
    for _, value in sorted(found):
        if value.isdigit():
            return _render(datetime.fromtimestamp(int(value), SHANGHAI), True, True)
        parsed = parse_date(value)
        if parsed:
            return parsed
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
