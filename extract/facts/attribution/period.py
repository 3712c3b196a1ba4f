"""The period a figure covers, from the nearest date before it in its sentence or paragraph and
the words around it (截至, 以来, plans and budgets, comparison bases), resolved against the
publication date."""

from __future__ import annotations

import calendar
import re
from bisect import bisect_right
from datetime import date

from jiwen.core.models import CountFact, DateFact, MeasuredFact
from jiwen.extract.facts.numbers import parse_number

_WITHIN_YEARS = re.compile(r"([1-9]|[一二两三四五六七八九十])年(?:内|之内|时间)")


def _counts_places(fact: MeasuredFact, rules) -> bool:
    """A count of places (四省, 30个重点帮扶县, 14个设区市): a stock, whatever a plan says."""
    if not isinstance(fact, CountFact):
        return False
    subject = (fact.subject or "").rstrip(")）(（")
    return fact.unit in rules["place_units"] or (fact.unit == "个" and subject.endswith(tuple(rules["place_units"])))


def day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def first_day(value: str) -> date:
    """The first day of `YYYY`, `YYYY-MM` or `YYYY-MM-DD`."""
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def last_day(value: str) -> date:
    """The last day of `YYYY`, `YYYY-MM` or `YYYY-MM-DD`."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return date(*parts)
    month = parts[1] if len(parts) > 1 else 12
    return date(parts[0], month, calendar.monthrange(parts[0], month)[1])


def period_of(
    text: str, fact: MeasuredFact, dates: list[DateFact], date_starts: list[int], paragraph: int, sentence: int, base: date | None, rules
) -> tuple[str | None, str | None]:
    clause = text[sentence : fact.start]
    # A plan or a budget covers the whole period it names (今年 + a plan = the calendar year), not
    # the part up to publication; so does a yearly figure (每年, 全年).
    planned = fact.role in ("target", "allocation") or any(word in clause for word in rules["yearly_words"])
    index = bisect_right(date_starts, fact.start - 1) - 1
    governing = None
    while index >= 0 and dates[index].start >= paragraph:
        # 比去年同期增长27%: the year compared with is not the figure's period.
        compared = text.startswith(tuple(rules["comparison_after"]), dates[index].end)
        if dates[index].end <= fact.start and dates[index].granularity != "recurring" and not compared:
            governing = dates[index]
            break
        index -= 1
    if governing is None:
        if base is None:
            return None, None
        if any(word in clause for word in rules["yearly_words"]):
            return f"{base.year:04d}-01-01", f"{base.year:04d}-12-31"
        return None, base.isoformat()
    if governing.date is None:
        return None, None
    try:
        first, last = first_day(governing.date), last_day(governing.date_end or governing.date)
    except ValueError:
        return None, None
    before = text[max(paragraph, governing.start - 3) : governing.start]
    after = text[governing.end : governing.end + 2]
    within = _WITHIN_YEARS.search(text, governing.end, fact.start)
    if within and governing.date_end is None and planned:
        # 自去年起……用2年时间帮助8万人就业: N years counted from the date's year.
        years = int(parse_number(within.group(1)))
        return first.isoformat(), f"{first.year + years - 1:04d}-12-31"
    since = tuple(rules["since_after"])
    if governing.text.endswith(since) or after.startswith(since) or (not planned and after.startswith(tuple(rules["start_after"]))):
        return first.isoformat(), base.isoformat() if base else None
    if before.endswith(tuple(rules["cutoff_before"])):
        return None, last.isoformat()
    if base is not None and last > base and _counts_places(fact, rules):
        # 2019-2021年规划，覆盖30个重点帮扶县: the places a plan takes on are today's, not the plan's.
        return None, base.isoformat()
    if within and governing.date_end is None:
        # 2017年初，提出3年内转移10万人: N years counted from the date's year.
        years = int(parse_number(within.group(1)))
        return first.isoformat(), f"{first.year + years - 1:04d}-12-31"
    if planned and text.startswith(tuple(rules["from_after"]), governing.end):
        # 今年7月投产后，需求量将超过2万人: from then on, to the end of that year.
        return first.isoformat(), f"{last.year:04d}-12-31"
    if governing.granularity == "relative" and base is not None:
        return base.isoformat(), base.isoformat()
    if base is not None and len(governing.date) == 4 and governing.date_end is None and first.year == base.year and not planned:
        return first.isoformat(), base.isoformat()  # 今年 + an achieved figure: up to publication
    return first.isoformat(), last.isoformat()
