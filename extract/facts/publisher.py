"""Whose province 我省/本省/全省 is: the publisher's, told by the article's own lines (datelines,
reporter lines, source lines and mastheads; attribution.toml) or, in a two-province partnership,
by the side that is not the partner acting on 我省."""

from __future__ import annotations

import functools
import re

from jiwen.core.models import PlaceFact
from jiwen.extract.facts.areas import LEVEL_RANK, Area, attribution_rules, is_destination, named_area
from jiwen.text.gazetteer import gazetteer


def publisher_province(text: str, places: list[PlaceFact]) -> Area | None:
    """The province of the article's publisher, from its own lines (attribution.toml: the story's
    datelines and reporter lines, then the site's source lines and mastheads, which count only
    when the body names a place of that province outside them); else None."""
    story, site = _publisher_patterns()
    site_spans = [m.span() for pattern in site for m in pattern.finditer(text)]
    named = {p.province for p in places if p.level in LEVEL_RANK and p.province and not any(s <= p.start < e for s, e in site_spans)}
    for pattern in story:
        for match in pattern.finditer(text):
            province = _province_in(match.group(0))
            if province is not None:
                return named_area(province, "province") or Area(province, None, "province", province)
    for start, end in site_spans:
        province = _province_in(text[start:end])
        if province is not None and province in named:
            return named_area(province, "province") or Area(province, None, "province", province)
    province = _partnership_side(text, places)
    if province is not None:
        return named_area(province, "province") or Area(province, None, "province", province)
    return None


def says_we(text: str, rules) -> bool:
    return any(word in text for word in rules["publisher_words"] if not word.startswith("全"))


def _partnership_side(text: str, places: list[PlaceFact]) -> str | None:
    """The side of a two-province partnership (苏陕协作, 闽宁两省) a text that says 我省/我区 is
    told from: the side that is not the partner. The partner is the province that acts on 我省
    in one clause (江苏省援建我省…, 福建企业来我区…) or that 我省 sends people to (我省选派干部到
    江苏省); None when no single pair is named or the text does not tell the sides apart."""
    rules = attribution_rules()
    if not says_we(text, rules):
        return None
    abbreviated = sorted((p for p in places if p.level == "province" and p.end - p.start == 1), key=lambda p: p.start)
    pairs = {frozenset((a.name, b.name)) for a, b in zip(abbreviated, abbreviated[1:]) if a.end == b.start and a.name != b.name}
    if len(pairs) != 1:
        return None
    sides = pairs.pop()
    we = [word for word in rules["publisher_words"] if not word.startswith("全")]
    toward = tuple(rules["toward_us_before"])
    partners: set[str] = set()
    for place in places:
        if (
            place.province not in sides
            or place.level not in LEVEL_RANK
            or place.text in rules["area_words"]
            or place.end - place.start == 1
        ):  # the pair's own 苏/陕 (苏陕两省帮助我省…) is both sides
            continue
        clause_end = min([i for i in (text.find(mark, place.end) for mark in "，,。；;\n") if i >= 0] or [len(text)])
        clause_start = max(text.rfind(mark, 0, place.start) for mark in "，,。；;\n") + 1
        after, before = text[place.end : clause_end], text[clause_start : place.start]
        # 某省向我省援建…, 某省在我省实施…: the province acts on us.
        if (
            any(text[: place.end + i].endswith(toward) for word in we for i in _finds(after, word))
            or any(word in before for word in we)
            and is_destination(text, place, rules)
        ):
            partners.add(place.province)
    ours = sides - partners
    return next(iter(ours)) if len(ours) == 1 and partners else None


def _finds(text: str, word: str) -> list[int]:
    """Offsets of `word` in `text`."""
    found, position = [], text.find(word)
    while position >= 0:
        found.append(position)
        position = text.find(word, position + 1)
    return found


def _province_in(line: str) -> str | None:
    """The province of the first domestic place named in `line` (longest form first), if its
    name is unambiguous at the highest level it names."""
    by_form = gazetteer().by_form
    for start in range(len(line) - 1):
        for length in range(min(12, len(line) - start), 1, -1):
            candidates = [p for p in by_form.get(line[start : start + length], ()) if p.level in LEVEL_RANK and p.province]
            if candidates:
                # 西安 is the prefecture, not 吉林's 西安区: the highest level named decides.
                top = min(LEVEL_RANK[p.level] for p in candidates)
                provinces = {p.province for p in candidates if LEVEL_RANK[p.level] == top}
                return provinces.pop() if len(provinces) == 1 else None
    return None


@functools.cache
def _publisher_patterns() -> tuple[tuple[re.Pattern, ...], tuple[re.Pattern, ...]]:
    rules = attribution_rules()
    return tuple(tuple(re.compile(p, re.MULTILINE) for p in rules[key]) for key in ("story_lines", "site_lines"))
