"""Facts and search terms marked in text, as data for the templates (which escape every piece).

One colour and label per fact kind, the same on /article pages and in `jiwen extract --view`
files (both render templates/_fact_view.html); the server sends them as a stylesheet (/facts.css)
because its Content-Security-Policy allows no inline style, the standalone file inlines it.
"""

from __future__ import annotations

import re

import msgspec

from jiwen.core.models import Fact, fact_kind
from jiwen.web.i18n import translate

LABELS = {
    "count": "COUNT",
    "money": "MONEY",
    "percent": "PERCENT",
    "place": "PLACE",
    "program": "PROGRAM",
    "date": "DATE",
    "org": "ORG",
    "person": "PERSON",
}
COLORS = {
    "COUNT": "#fde68a",
    "MONEY": "#bbf7d0",
    "PERCENT": "#a7f3d0",
    "PLACE": "#bfdbfe",
    "PROGRAM": "#f5d0fe",
    "DATE": "#fecaca",
    "ORG": "#ddd6fe",
    "PERSON": "#fed7aa",
}

# The fields whose values are jiwen's own words (shown in the page's language), not the text's.
WORD_FIELDS = ("role", "level", "granularity", "qualifier")

# The index marks matched terms in snippets with these (jiwen.index's default marks).
_MARKED = re.compile(r"【(.+?)】")
_POSITION_FIELDS = ("kind", "text", "start", "end", "sentence")


def body_segments(body: str, facts: list[Fact], seqs: dict[int, int] | None = None) -> list[dict]:
    """The body cut into plain runs and fact runs. Where facts nest (剑河县 inside 剑河县人社局)
    the outer one is drawn; every fact is still listed in the table. `seqs`: each fact's
    position in the article's facts (by id()), for the anchor `#f<seq>` that /facts links to."""
    segments: list[dict] = []
    position = 0
    for fact in _outermost(facts, len(body)):
        if fact.start > position:
            segments.append({"text": body[position : fact.start], "kind": None})
        kind = fact_kind(fact)
        anchor = f"f{seqs[id(fact)]}" if seqs is not None and id(fact) in seqs else None
        segments.append(
            {"text": body[fact.start : fact.end], "kind": kind, "label": LABELS[kind], "title": describe(fact), "anchor": anchor}
        )
        position = fact.end
    if position < len(body):
        segments.append({"text": body[position:], "kind": None})
    return segments


def _outermost(facts: list[Fact], length: int) -> list[Fact]:
    drawn: list[Fact] = []
    for fact in sorted(facts, key=lambda f: (f.start, -(f.end - f.start))):
        if not 0 <= fact.start < fact.end <= length or (drawn and fact.start < drawn[-1].end):
            continue
        drawn.append(fact)
    return drawn


def fact_fields(fact: Fact) -> dict:
    """A fact's own fields (value, unit, place, measure …) without its text and offsets, nulls left out."""
    fields = msgspec.to_builtins(fact)
    return {key: value for key, value in fields.items() if key not in _POSITION_FIELDS and value is not None}


def describe(fact: Fact) -> str:
    """The mark's tooltip, in the page's language (field names are the export's columns)."""
    return f"{translate(LABELS[fact_kind(fact)])}: " + ", ".join(
        f"{translate(key)}={translate(value) if key in WORD_FIELDS else value}" for key, value in fact_fields(fact).items()
    )


def legend(facts: list[Fact]) -> list[dict]:
    counts: dict[str, int] = {}
    for fact in facts:
        counts[fact_kind(fact)] = counts.get(fact_kind(fact), 0) + 1
    return [{"kind": kind, "label": LABELS[kind], "count": counts[kind]} for kind in LABELS if kind in counts]


def facts_stylesheet() -> str:
    return "\n".join(f".fact-{kind}, .legend-{kind} {{ background: {COLORS[label]}; }}" for kind, label in LABELS.items()) + "\n"


def snippet_segments(snippet: str) -> list[tuple[str, bool]]:
    """A search snippet as (text, is a matched term) pieces."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _MARKED.finditer(snippet):
        if match.start() > position:
            pieces.append((snippet[position : match.start()], False))
        pieces.append((match.group(1), True))
        position = match.end()
    if position < len(snippet):
        pieces.append((snippet[position:], False))
    return pieces


def fact_view(article_body: str, facts: list[Fact]) -> dict:
    """What templates/_fact_view.html shows: marked segments, the legend and the table rows."""
    seqs = {id(fact): seq for seq, fact in enumerate(facts)}
    ordered = sorted(facts, key=lambda fact: (fact.start, fact.end))
    segments = body_segments(article_body, ordered, seqs)
    drawn = {segment["anchor"] for segment in segments if segment.get("anchor")}
    return {
        "segments": segments,
        "legend": legend(ordered),
        "word_fields": WORD_FIELDS,
        # A fact not drawn in the body (inside another one) takes its anchor on its table row.
        "facts": [
            (fact_kind(fact), fact, fact_fields(fact), None if f"f{seqs[id(fact)]}" in drawn else f"f{seqs[id(fact)]}") for fact in ordered
        ],
    }
