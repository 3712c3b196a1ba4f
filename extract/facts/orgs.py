"""Organisations: a place (or a bare level word 省/市/县 meaning the article's own) followed by an
organisation word (剑河县人社局, 省就业局), and known national bodies. Rules in
extract/data/orgs.toml. The places are the ones `jiwen.extract.facts.places` found in the same text.
"""

from __future__ import annotations

import functools
import re

from jiwen.core.models import OrgFact
from jiwen.extract.facts.nlp import Tokens, load_rules
from jiwen.extract.facts.places import places_of
from jiwen.extract.facts.sentences import sentence_at
from jiwen.extract.facts.spans import Spans


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.cache
def _rules():
    rules = load_rules("orgs.toml")
    stop = re.escape(rules["stop_characters"])
    middle = rf"(?:(?![{stop}])[\u4e00-\u9fff]){{0,{rules['max_middle']}}}?"
    tail = rf"{middle}(?:{_alternation(rules['suffixes'])})"
    after_place = re.compile(tail)
    after_level = re.compile(rf"(?:{_alternation(rules['level_prefixes'])}){tail}")  # one-character prefixes: fast
    openers = re.escape("".join(sorted({w[0] for w in rules["known"]})))
    known = re.compile(rf"(?=[{openers}])(?:{_alternation(rules['known'])})")
    extension = re.compile(rf"{middle.replace(str(rules['max_middle']), str(rules['max_extension']))}(?:{_alternation(rules['suffixes'])})")
    return after_place, after_level, known, extension


def _extend(text: str, end: int, extension: re.Pattern) -> int:
    """End of the organisation including a named part right after it (人民政府新闻办公室)."""
    match = extension.match(text, end)
    return match.end() if match else end


def find_orgs(tokens: Tokens) -> list[OrgFact]:
    """Organisation names in a segmented text."""
    after_place, after_level, known, extension = _rules()
    text = tokens.text
    spans: list[tuple[int, int]] = []
    taken = Spans()
    # Last place first, so that in 惠州市惠东县华江鞋业厂 the company is 惠东县华江鞋业厂, not the
    # whole run: a place's organisation may not swallow one already found after it.
    for place in reversed(places_of(tokens)):
        if place.level == "region":
            continue
        match = after_place.match(text, place.end)
        if match and not taken.starts_inside(place.start, match.end()):
            spans.append((place.start, _extend(text, match.end(), extension)))
            taken.add(*spans[-1])
    for match in after_level.finditer(text):
        if tokens.is_boundary(match.start()) and not taken.holds(match.start(), match.start() + 1):
            spans.append((match.start(), _extend(text, match.end(), extension)))
            taken.add(*spans[-1])
    for match in known.finditer(text):
        if not tokens.is_boundary(match.end()):
            continue  # 人社部门 is "the labour departments", not 人社部
        if not taken.holds(match.start(), match.start() + 1):
            spans.append(match.span())
            taken.add(*match.span())
    spans.sort()
    return [OrgFact(text=text[s:e], start=s, end=e, sentence=sentence_at(text, s), name=text[s:e]) for s, e in spans]
