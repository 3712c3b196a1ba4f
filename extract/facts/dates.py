"""Dates in a body: absolute (截至2023年11月3日), partial (2023年初, 11月), ranges (1至10月),
recurring seasons (每年11月到次年4月) and relative words (近日, 今年, 上月) resolved against the
article's publication date when it is known; unresolved ones keep their text with date null.

Patterns and word lists live in extract/data/dates.toml. Hand-written rather than JioNLP's
`extract_time`: that one needs `import jionlp` (0.6 s), resolves relative words against the
machine clock when no base time is given, and bench/facts_quality.py measures it missing parts of
ranges and seasons that employment news uses all the time.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from jiwen.core.models import DateFact
from jiwen.extract.facts.nlp import Tokens, load_rules
from jiwen.extract.facts.numbers import FULL_WIDTH_DIGITS, parse_number
from jiwen.extract.facts.sentences import sentence_at


@dataclass
class Point:
    """One date expression before ranges are formed."""

    start: int
    end: int
    date: str | None
    granularity: str
    date_end: str | None = None
    year: int | None = None  # known year, for a range end that omits it
    explicit_year: bool = False
    tail: str = ""  # "-MM" or "-MM-DD" of a date that may borrow its year from a range's start


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.cache
def _rules():
    rules = load_rules("dates.toml")
    words = rules["words"]
    seasons = [p for p, (_first, _last, granularity) in rules["parts"].items() if granularity == "season"]
    pattern = rules["patterns"]["point"]
    for placeholder, values in {
        "RELATIVE_YEARS": rules["relative_years"],
        "PARTS": rules["parts"],
        "MONTH_PARTS": rules["month_parts"],
        "SEASONS": seasons,
        "RELATIVE_WORDS": rules["relative_words"],
        "SEPARATORS": words["separators"],
    }.items():
        pattern = pattern.replace("{" + placeholder + "}", _alternation(values))
    # Fail fast where no date can start (see numbers.py): digits, numerals, the first characters
    # of the words.
    words_used = [*rules["relative_years"], *rules["relative_words"], *seasons]
    openers = set("0123456789〇零一二三四五六七八九十") | {w[0] for w in words_used}
    pattern = f"(?=[{re.escape(''.join(sorted(openers)))}])" + pattern.replace("(?x)", "", 1)
    return {
        "point": re.compile(pattern, re.VERBOSE),
        "separators": set(words["separators"]),
        "recurring": tuple(words["recurring_prefixes"]),
        **{key: rules[key] for key in ("relative_years", "relative_words", "parts", "month_parts", "anaphoric_years")},
    }


def _published(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _month_shift(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _number(written: str | None) -> int | None:
    return int(parse_number(written)) if written else None


def _point(match: re.Match, rules, base: date | None, previous_year: int | None) -> Point | None:
    start, end = match.span()
    group = match.groupdict()
    if group["rel"]:
        unit, offset, granularity = rules["relative_words"][group["rel"]]
        if base is None:
            return Point(start, end, None, granularity)
        if unit == "day":
            return Point(start, end, (base + timedelta(days=offset)).isoformat(), granularity, year=base.year)
        if unit == "month":
            year, month = _month_shift(base, offset)
            return Point(start, end, f"{year:04d}-{month:02d}", granularity, year=year)
        return Point(start, end, f"{base.year + offset:04d}", granularity, year=base.year + offset)
    if group["yr1"]:  # 2018-2020年: a range of whole years
        first_year, last_year = int(group["yr1"]), int(group["yr2"])
        if last_year <= first_year:
            return None
        return Point(start, end, f"{first_year:04d}", "year", f"{last_year:04d}", year=last_year, explicit_year=True)
    if group["iso"]:
        day = date(int(group["iso"]), int(group["isom"]), int(group["isod"]))
        return Point(start, end, day.isoformat(), "day", year=day.year, explicit_year=True)
    if group["firstmonths"]:
        last = _number(group["firstmonths"])
        year = base.year if base else None
        if year is None:
            return Point(start, end, None, "month")
        return Point(start, end, f"{year:04d}-01", "month", f"{year:04d}-{last:02d}", year=year, tail="-01")
    if group["season"]:
        first, last, granularity = rules["parts"][group["season"]]
        year = base.year if base else None
        if year is None:
            return Point(start, end, None, granularity)
        return Point(start, end, f"{year:04d}-{first:02d}", granularity, f"{year:04d}-{last:02d}", year=year)
    if group["bare"] or group["dayonly"]:
        # Completed by the range it opens or closes; alone it is not a date.
        return Point(start, end, group["bare"] or group["dayonly"], "bare" if group["bare"] else "dayonly")

    year: int | None
    explicit = bool(group["y"])
    if group["y"]:
        year = _number(group["y"])
    elif group["ry"]:
        offset = rules["relative_years"][group["ry"]]
        if group["ry"] in rules["anaphoric_years"] and previous_year is not None:
            year = previous_year + rules["anaphoric_years"][group["ry"]]  # 2017年初…当年, 次年
        else:
            year = base.year + offset if base else None
    else:
        year = None
    month = _number(group["m"] or group["m2"])
    day = _number(group["d"] or group["d2"])
    part = group["part"] or group["part2"]
    if month is None and not (group["y"] or group["ry"]):
        return None
    if year is None and month is not None and base is not None and not group["ry"]:
        year = base.year  # 11月 in an article published in 2023
    if month is not None and day is not None:
        try:
            date(year or 2000, month, day)  # 2月30日 is no date
        except ValueError:
            return None
        tail = f"-{month:02d}-{day:02d}"
        return Point(start, end, f"{year:04d}{tail}" if year else None, "day", year=year, explicit_year=explicit, tail=tail)
    if month is not None:
        tail = f"-{month:02d}"
        return Point(start, end, f"{year:04d}{tail}" if year else None, "month", year=year, explicit_year=explicit, tail=tail)
    if part and part in rules["parts"]:
        first, last, granularity = rules["parts"][part]
        if first and year is not None:
            return Point(start, end, f"{year:04d}-{first:02d}", granularity, f"{year:04d}-{last:02d}", year=year)
        return Point(start, end, f"{year:04d}" if year else None, granularity, year=year, explicit_year=explicit)
    return Point(start, end, f"{year:04d}" if year else None, "year", year=year, explicit_year=explicit)


def _join(first: Point, second: Point) -> Point:
    """A range from two points; a bare month (1至10月) or day (3日至5日) borrows from the other end."""
    start_date, date_end = first.date, second.date_end or second.date
    granularity = first.granularity
    if first.granularity == "bare":
        granularity = second.granularity
        start_date = f"{second.date[:4]}-{int(first.date):02d}" if second.date else None
    if second.granularity == "dayonly":
        date_end = f"{first.date[:8]}{int(second.date):02d}" if first.date and first.granularity == "day" else None
    return Point(first.start, second.end, start_date, granularity, date_end, second.year)


def _with_year(value: str | None, year: str | None) -> str | None:
    if value is None or year is None:
        return value if year is not None else None
    return year + value[4:]


def find_dates(tokens: Tokens) -> list[DateFact]:
    """Date expressions in a segmented text; `tokens.published` resolves relative ones."""
    rules = _rules()
    text = tokens.text
    # Full-width digits read as half-width; one character for one, so offsets stay the same.
    searched = text.translate(FULL_WIDTH_DIGITS)
    base = _published(tokens.published)
    points: list[Point] = []
    previous_year = None
    for match in rules["point"].finditer(searched):
        # 今日头条 is not today, 上年度 is fine: a relative word must stand as a word of its own.
        if (match.group("rel") or match.group("ry")) and not tokens.is_boundary(match.start()):
            continue
        point = _point(match, rules, base, previous_year)
        if point is None:
            continue
        if point.tail and not point.explicit_year and match.group("ry") is None and points:
            last = points[-1]
            if last.year is not None and text[last.end : point.start] in rules["separators"]:
                point.year, point.date = last.year, f"{last.year:04d}{point.tail}"  # 2023年1月至10月
        points.append(point)
        if point.year is not None:
            previous_year = point.year

    ranges: list[Point] = []
    index = 0
    while index < len(points):
        point = points[index]
        if index + 1 < len(points) and searched[point.end : points[index + 1].start] in rules["separators"]:
            point = _join(point, points[index + 1])
            index += 1
        index += 1
        previous = ranges[-1] if ranges else None
        if (
            previous is not None
            and previous.end == point.start
            and previous.granularity == "year"
            and previous.date_end is None
            and point.granularity not in ("bare", "dayonly")
            and not point.explicit_year
        ):
            # 今年1至10月, 今年前三季度: the year word and what follows are one date.
            year = previous.date
            point = Point(
                previous.start, point.end, _with_year(point.date, year), point.granularity, _with_year(point.date_end, year), previous.year
            )
            ranges[-1] = point
            continue
        ranges.append(point)

    facts: list[DateFact] = []
    for point in ranges:
        if point.granularity in ("bare", "dayonly"):
            continue
        start = point.start
        before = searched[max(0, start - 2) : start]
        if before in rules["recurring"]:
            start -= 2
            point.granularity, point.date, point.date_end = "recurring", None, None
        facts.append(
            DateFact(
                text=text[start : point.end],
                start=start,
                end=point.end,
                sentence=sentence_at(text, start),
                date=point.date,
                granularity=point.granularity,
                date_end=point.date_end,
            )
        )
    return facts
