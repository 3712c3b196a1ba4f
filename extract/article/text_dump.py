"""Plain-text dumps (a page saved as text, like the seed): title lines at the top, body
paragraphs, a closing credit, then whatever the page carried beside the article (headline lists
with their own timestamps). Lines arrive normalized; damage repair happened before."""

from __future__ import annotations

import re
from datetime import datetime

from jiwen.core.models import Article, Discarded
from jiwen.extract.article.boilerplate import boilerplate_reason, is_sidebar_heading, looks_like_headline, strip_bullet
from jiwen.extract.article.boilerplate import rules as boilerplate_rules
from jiwen.extract.article.byline import find_author, find_source, split_closing_credit
from jiwen.extract.article.pubdate import SHANGHAI, labelled_date, parse_date, text_dump_rules
from jiwen.extract.article.sidebar import find_sidebar_lines

_HEADER_MAX_LINES = 6
# Header lines that are never the headline: a masthead or source line with its timestamp
# (某某日报 2021-04-06 09:12 字号) and a breadcrumb (首页> 要闻> 正文).
_NOT_HEADLINE = re.compile(r"(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}|\b\d{1,2}:\d\d\b|\S\s*[>＞»]\s*\S")
_DATELINE = re.compile(r"(?:来源|发布|时间|日期|作者|记者)\s*[:：]")


def _header_end(lines: list[str], claimed: set[int]) -> int:
    """Index of the first body line: the header is the short, stop-free lines at the top."""
    for index, line in enumerate(lines[:_HEADER_MAX_LINES]):
        if index in claimed or not looks_like_headline(line) or re.search(r"[。！？!?]$", line):
            return index
    return min(len(lines), _HEADER_MAX_LINES)


def _choose_title(candidates: list[str]) -> tuple[str | None, str | None]:
    """Headline and sub-headline among the header lines. A line made of other header lines
    joined by a space ("稳岗拓岗促就业 贵州多措并举…") is the page-title variant, not the headline;
    of the rest, the longest is the headline and the next the subtitle."""
    distinct = list(dict.fromkeys(candidates))
    distinct = [line for line in distinct if not _NOT_HEADLINE.search(line)] or distinct
    plain = [line for line in distinct if not any(part in distinct and part != line for part in line.split(" "))] or distinct
    ranked = sorted(plain, key=len, reverse=True)
    title = ranked[0] if ranked else None
    subtitle = ranked[1] if len(ranked) > 1 else None
    return title, subtitle


def extract_text_dump(normalized: str, *, fetched_at: datetime | None = None) -> Article:
    lines = [line for line in normalized.split("\n") if line.strip()]
    article = Article()
    claimed = find_sidebar_lines(lines)
    discarded = [Discarded(text=strip_bullet(lines[index]) or lines[index], reason="sidebar") for index in sorted(claimed)]
    header_end = _header_end(lines, claimed)
    title_lines = []
    for line in lines[:header_end]:
        if _DATELINE.search(line):
            article.published = article.published or labelled_date(line, fetched_at) or parse_date(line, fetched_at)
            article.source = article.source or find_source(line)
            article.author = article.author or find_author(line)
        else:
            title_lines.append(line)
    title_lines = [line for line in title_lines if not text_dump_rules()["unix_line"].match(line)]
    article.title, article.subtitle = _choose_title(title_lines)
    body: list[str] = []
    tail_after = boilerplate_rules().dump_tail_heading_after_chars
    for index in range(header_end, len(lines)):
        if index in claimed:
            continue
        line = lines[index]
        if is_sidebar_heading(line) and sum(map(len, body)) >= tail_after:
            # 新闻推荐 after the story: the rest of the dump is other stories' headlines and text.
            discarded += [Discarded(text=rest, reason="sidebar") for rest in lines[index:]]
            break
        reason = boilerplate_reason(line)
        if reason is None and _DATELINE.search(line) and len(line) < 60 and not body:
            article.published = article.published or labelled_date(line, fetched_at)
            article.source = article.source or find_source(line)
            reason = "byline"
        if reason is not None:
            article.author = article.author or (find_author(line) if reason in ("credit", "byline") else None)
            discarded.append(Discarded(text=line, reason=reason))
            continue
        body.append(line)
    if body:
        last, credit = split_closing_credit(body[-1])
        if credit:
            article.author = article.author or find_author(credit)
            discarded.append(Discarded(text=credit, reason="credit"))
            body[-1] = last
            if not last:
                body.pop()
    article.published = _publication_date(lines, claimed, body, article.published, fetched_at)
    article.body = "\n".join(body)
    article.discarded = discarded
    return article


def _publication_date(
    lines: list[str], claimed: set[int], body: list[str], labelled: str | None, fetched_at: datetime | None
) -> str | None:
    """The dump's publication date. Candidates, in order: the labelled header date, then dates on
    short lines at the top (a header timestamp, a Unix time, a masthead with its weekday) and
    labelled or edition lines at the bottom (时间：…, 《某某日报》(…NN版)). A dateline opening the
    text (新华社兰州3月6日电, (记者 某某) 2月15日) picks the candidate of its day; a first
    candidate up to a month later is a copy's date, and the dateline's day (in its year) wins.
    Alone, without a year anywhere, a dateline fixes nothing."""
    rules = text_dump_rules()
    candidates = [labelled] if labelled else []
    unclaimed = [line for index, line in enumerate(lines) if index not in claimed]
    head, tail = unclaimed[: rules["head_lines"]], unclaimed[-rules["tail_lines"] :]
    for position, line in [(0, line) for line in head] + [(1, line) for line in tail]:
        if len(line) > rules["max_chars"] or "。" in line:
            continue
        unix = rules["unix_line"].match(line)
        if unix and position == 0:
            moment = datetime.fromtimestamp(int(unix.group("seconds")), SHANGHAI)
            if fetched_at is None or moment.date() <= fetched_at.date():
                candidates.append(moment.isoformat(timespec="minutes"))
            continue
        if position == 1 and not rules["tail_line"].search(line):
            continue
        value = labelled_date(line, fetched_at) or parse_date(line, fetched_at)
        if value and len(value) >= 10:
            candidates.append(value)
    dateline = next((m for m in (rules["dateline"].search(line) for line in body[:8]) if m), None)
    if dateline is None or not candidates:
        return candidates[0] if candidates else None
    month = int(dateline.group("month") or dateline.group("month2"))
    day = int(dateline.group("day") or dateline.group("day2"))
    for value in candidates:
        if value[5:10] == f"{month:02d}-{day:02d}":
            return value
    # No page date of the dateline's day: a date up to a month after it is a copy's (a mirror
    # dated 2021-03-12 of a 3月8日电 story), and the story's own day is the dateline's, in the
    # year that puts it before the copy.
    first = datetime.fromisoformat(candidates[0][:10]).date()
    for year in (first.year, first.year - 1):
        try:
            story = first.replace(year=year, month=month, day=day)
        except ValueError:
            continue
        if 0 < (first - story).days <= 31:
            return story.isoformat()
    return candidates[0]
