"""Snippets: a passage of the body around the query's words, each occurrence wrapped in marks.

Only the hits of the page shown get a snippet. The words to mark are the index terms the query
matched (sub-words and wildcard expansions included), so the passage is found and marked by plain
string search. Whoosh's highlighter did not serve here: it re-segments the text with jieba to find
token offsets, 5 to 20 ms a hit, for the same marks. Marks are plain text (【】 by default) so the
CLI can colour them and a pipe stays readable.
"""

from __future__ import annotations

import re

DEFAULT_MARKS = ("【", "】")
SNIPPET_CHARS = 160
LEAD_CHARS = 40  # context kept before the first marked word
ELLIPSIS = "…"


def _flatten(text: str) -> str:
    return " ".join(text.split())


def _pattern(terms: frozenset[str]) -> re.Pattern | None:
    if not terms:
        return None
    # Longest first, so 高校毕业生 is marked whole rather than as 高校 + 毕业生.
    alternatives = sorted(terms, key=len, reverse=True)
    return re.compile("|".join(re.escape(term) for term in alternatives), re.IGNORECASE)


def _best_start(body: str, pattern: re.Pattern) -> int | None:
    """Where the densest run of matches starts (most matches within one snippet's length)."""
    starts = [match.start() for match in pattern.finditer(body)]
    if not starts:
        return None
    best, best_count, last = starts[0], 0, 0
    for index, start in enumerate(starts):
        while starts[last] < start - SNIPPET_CHARS:
            last += 1
        count = index - last + 1
        if count > best_count:
            best, best_count = starts[last], count
    return best


def make_snippet(body: str, terms: frozenset[str], marks: tuple[str, str]) -> str:
    text = _flatten(body)
    pattern = _pattern(terms)
    first = _best_start(text, pattern) if pattern else None
    if first is None:
        return text[:SNIPPET_CHARS] + (ELLIPSIS if len(text) > SNIPPET_CHARS else "")
    start = max(0, first - LEAD_CHARS)
    end = start + SNIPPET_CHARS
    opening, closing = marks
    passage = pattern.sub(lambda match: f"{opening}{match.group(0)}{closing}", text[start:end])
    # Adjacent words (高校|毕业生 from two terms) read better marked once.
    passage = passage.replace(closing + opening, "")
    return (ELLIPSIS if start else "") + passage + (ELLIPSIS if end < len(text) else "")


def split_marks(snippet: str, marks: tuple[str, str]) -> tuple[str, list[list[int]]]:
    """A marked snippet as its plain text and the [start, end) spans the marks enclosed, so a
    program can highlight without parsing marks that the page's own text might contain."""
    opening, closing = marks
    plain: list[str] = []
    spans: list[list[int]] = []
    length = 0
    position = 0
    while True:
        start = snippet.find(opening, position)
        end = snippet.find(closing, start + len(opening)) if start >= 0 else -1
        if start < 0 or end < 0:
            plain.append(snippet[position:])
            break
        before = snippet[position:start]
        marked = snippet[start + len(opening) : end]
        plain.append(before)
        plain.append(marked)
        spans.append([length + len(before), length + len(before) + len(marked)])
        length += len(before) + len(marked)
        position = end + len(closing)
    return "".join(plain), spans
