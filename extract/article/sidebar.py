"""Headline lists (热点新闻, 相关阅读 ...) in a sequence of lines: runs of short bulleted or
time-stamped headlines, and the heading that opens them. A date inside such a run belongs to
another story and must never become the article's date, so callers look for dates only in
lines this module did not claim."""

from __future__ import annotations

import re

from jiwen.extract.article.boilerplate import is_sidebar_heading, looks_like_headline, rules, strip_bullet

# A headline line often ends with the other story's timestamp: ...京城2025-05-28 06:05:37
_TRAILING_STAMP = re.compile(r"[\[(（]?\s*(?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d\d(?::\d\d)?)?\s*[\])）]?$")


def _is_list_line(line: str) -> bool:
    item = strip_bullet(line)
    if item is not None:
        return looks_like_headline(_TRAILING_STAMP.sub("", item))
    return bool(_TRAILING_STAMP.search(line)) and looks_like_headline(_TRAILING_STAMP.sub("", line))


def find_sidebar_lines(lines: list[str]) -> set[int]:
    """Indexes of lines that belong to headline lists (and the headings that open them)."""
    claimed: set[int] = set()
    minimum = rules().list_min_lines
    index = 0
    while index < len(lines):
        end = index
        while end < len(lines) and _is_list_line(lines[end]):
            end += 1
        if end - index >= minimum:
            claimed.update(range(index, end))
            if index > 0 and is_sidebar_heading(lines[index - 1]):
                claimed.add(index - 1)
            index = end
        else:
            index += 1
    for index, line in enumerate(lines):
        if is_sidebar_heading(line) and index + 1 in claimed:
            claimed.add(index)
    return claimed
