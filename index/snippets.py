"""Snippets: a passage of the body around the query's words, each word wrapped in marks.

Only the hits of the page shown are highlighted (the body is re-analysed for character offsets,
a few milliseconds an article). Marks are plain text (【】 by default) so the CLI can colour them
and a pipe stays readable.
"""

from __future__ import annotations

from whoosh import highlight

DEFAULT_MARKS = ("【", "】")
SNIPPET_CHARS = 160
SURROUND_CHARS = 40
WINDOW_CHARS = 3 * SNIPPET_CHARS


class MarkFormatter(highlight.Formatter):
    between = " … "

    def __init__(self, marks: tuple[str, str]) -> None:
        self.opening, self.closing = marks

    def format_token(self, text, token, replace=False):
        return f"{self.opening}{highlight.get_text(text, token, replace)}{self.closing}"


def _flatten(text: str) -> str:
    return " ".join(text.split())


def _window(body: str, terms: frozenset[str]) -> str:
    """The stretch of the body around the first place where the query's words occur, so only a
    few hundred characters are segmented again instead of the whole article."""
    lowered = body.lower()
    found = sorted(index for index in (lowered.find(term) for term in terms) if index >= 0)
    if not found:
        return body
    # Start at the occurrence that has the most other occurrences within one snippet after it.
    best = max(found, key=lambda start: sum(start <= other < start + SNIPPET_CHARS for other in found))
    start = max(0, best - SURROUND_CHARS)
    return body[start : start + WINDOW_CHARS]


def make_snippet(body: str, terms: frozenset[str], analyzer, marks: tuple[str, str]) -> str:
    if terms:
        fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SURROUND_CHARS)
        snippet = highlight.highlight(
            _window(body, terms), terms, analyzer, fragmenter, MarkFormatter(marks), top=1, mode="index"
        )
        if snippet:
            # A word cut into several tokens (高校|毕业生) reads better marked once.
            opening, closing = marks
            return _flatten(snippet).replace(closing + opening, "")
    lead = _flatten(body[: SNIPPET_CHARS * 2])
    return lead[:SNIPPET_CHARS] + ("…" if len(lead) > SNIPPET_CHARS else "")
