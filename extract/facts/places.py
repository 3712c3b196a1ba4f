"""Places in a text: gazetteer names on word boundaries (`jiwen.text.gazetteer`), provincial
abbreviations in context, townships where the text marks them, and 我省/本市 self-references.

Matching is on jieba tokens (the segmenter knows every name as a user word), so a name inside a
longer word (华江 in 华江鞋业) is not a place.
"""

from __future__ import annotations

import functools
import re
from collections import Counter

from jiwen.core.models import PlaceFact
from jiwen.extract.facts.areas import attribution_rules, is_destination, province_area
from jiwen.extract.facts.nlp import Tokens
from jiwen.extract.facts.publisher import publisher_province
from jiwen.extract.facts.sentences import sentence_at
from jiwen.extract.facts.spans import Spans
from jiwen.text.gazetteer import Gazetteer, Place, gazetteer
from jiwen.text.rules import load_text_data


def _resolve(candidates: list[Place], context_names: set[str], dominant_province: str | None) -> Place:
    """Pick one of several places sharing a name (鼓楼区 is in five cities): the one whose
    prefecture or province the article names, else the one in the article's main province,
    else the highest level, else the first."""
    if len(candidates) == 1:
        return candidates[0]
    # 长沙 names both 长沙市 and the 长沙县 inside it: the city is meant (the county is written in full).
    names = {p.name for p in candidates}
    candidates = [p for p in candidates if p.prefecture == p.name or p.prefecture not in names] or candidates
    if len(candidates) == 1:
        return candidates[0]
    for test in (
        lambda p: p.country in context_names,
        lambda p: p.prefecture in context_names and p.prefecture != p.name,
        lambda p: p.province in context_names and p.province != p.name,
        lambda p: p.province == dominant_province,
    ):
        chosen = [p for p in candidates if test(p)]
        if len(chosen) == 1:
            return chosen[0]
        if chosen:
            candidates = chosen
    rank = {"province": 0, "prefecture": 1, "region": 2, "county": 3, "foreign": 4}
    best = min(rank.get(p.level, 5) for p in candidates)
    top = [p for p in candidates if rank.get(p.level, 5) == best]
    if len(top) == 1:
        return top[0]
    provinces = {p.province for p in top}
    prefectures = {p.prefecture for p in top}
    return Place(
        top[0].name,
        top[0].level,
        None,
        top[0].province if len(provinces) == 1 else None,
        top[0].prefecture if len(prefectures) == 1 else None,
    )


def places_of(tokens: Tokens) -> list[PlaceFact]:
    """The places of a segmented text, found once and kept with it (orgs build on them)."""
    found = tokens.memo.get("places")
    if found is None:
        found = tokens.memo["places"] = find_places(tokens)
    return found


def find_places(tokens: Tokens) -> list[PlaceFact]:
    """Place mentions among the words of a segmented text."""
    table = gazetteer()
    text = tokens.text
    found = _without_company_names(_mentions(tokens, table), text)

    # Names that have a single reading set the context for those with several.
    certain = [c[0] for _, _, c in found if len(c) == 1]
    context_names = {p.name for p in certain} | {p.province for p in certain if p.province}
    context_names |= {p.prefecture for p in certain if p.prefecture}
    provinces = Counter(p.province for p in certain if p.province and p.level != "foreign")
    dominant = provinces.most_common(1)[0][0] if provinces else None

    facts: list[PlaceFact] = []
    previous: Place | None = None
    previous_end = -1
    for start, word, candidates in found:
        if len(candidates) > 1 and previous is not None and previous_end == start:
            # 惠州市惠东县: the name right before is the parent.
            nested = [p for p in candidates if previous.name in (p.prefecture, p.province)]
            place = nested[0] if len(nested) == 1 else _resolve(candidates, context_names, dominant)
        else:
            place = _resolve(candidates, context_names, dominant)
        end = start + len(word)
        facts.append(_fact(place, text, start, end))
        previous, previous_end = place, end
    taken = [(f.start, f.end) for f in facts]
    facts += _townships(text, facts, dominant)
    taken = [(f.start, f.end) for f in facts]
    facts += _abbreviations(table, text, taken)
    facts += _self_references(table, text, facts, taken, tokens.province)
    facts.sort(key=lambda f: f.start)
    return facts


def _mentions(tokens: Tokens, table: Gazetteer) -> list[tuple[int, str, list[Place]]]:
    """(start, written form, candidate places) for every word that names a place."""
    found: list[tuple[int, str, list[Place]]] = []
    by_form = table.by_form
    for word, start in zip(tokens.words, tokens.starts):
        candidates = by_form.get(word)
        if candidates is not None:
            found.append((start, word, candidates))
        elif len(word) >= 4 and word[:2] in table.openers:
            # jieba's own dictionary has words that begin with a place: 江西省人民政府.
            for length in range(len(word) - 2, 1, -1):
                candidates = by_form.get(word[:length])
                if candidates is not None:
                    found.append((start, word[:length], candidates))
                    break
    return found


def _without_company_names(found: list[tuple[int, str, list[Place]]], text: str):
    """Drop a county's short name everywhere in an article that uses it as a firm's (龙湖集团)."""
    company_words = "|".join(load_text_data("places.toml")["aliases"]["company_words"])
    companies = {
        word
        for _, word, candidates in found
        if all(p.level == "county" and p.name != word for p in candidates) and re.search(f"{re.escape(word)}(?:{company_words})", text)
    }
    return [item for item in found if item[1] not in companies] if companies else found


@functools.cache
def _township_patterns():
    rules = load_text_data("places.toml")["townships"]
    suffix = "|".join(map(re.escape, sorted(rules["suffixes"], key=len, reverse=True)))
    name = rf"(?![{re.escape(rules['not_first'])}])[\u4e00-\u9fff]{{2,3}}?(?:{suffix})"
    listed = re.compile(rf"{name}(?:、{name})+")
    single = re.compile(name)
    return single, listed, set(rules["ordinary_names"]), tuple(rules["suffixes"]), tuple(rules["ordinary_endings"])


def _townships(text: str, facts: list[PlaceFact], dominant: str | None) -> list[PlaceFact]:
    """Townships the text marks as places: right after a county or prefecture, or listed."""
    single, listed, ordinary, suffixes, ordinary_endings = _township_patterns()
    found: dict[int, tuple[int, PlaceFact | None]] = {}
    parents = sorted((f for f in facts if f.level in ("county", "prefecture")), key=lambda f: f.start)
    for parent in parents:
        match = single.match(text, parent.end)
        if match:
            found[match.start()] = (match.end(), parent)
    for match in listed.finditer(text):
        position = match.start()
        for part in match.group().split("、"):
            found.setdefault(position, (position + len(part), None))
            position += len(part) + 1
    taken = Spans((f.start, f.end) for f in facts)
    townships: list[PlaceFact] = []
    for start, (end, parent) in sorted(found.items()):
        name = text[start:end]
        base = next((name[: -len(s)] for s in suffixes if name.endswith(s)), name)
        if base in ordinary or name.endswith(ordinary_endings) or taken.overlaps(start, end):
            continue
        if parent is None:  # listed: the nearest county before it, else the article's province
            before = [f for f in parents if f.end <= start]
            parent = before[-1] if before else None
        province = parent.province if parent else dominant
        prefecture = (parent.name if parent.level == "prefecture" else parent.prefecture) if parent else None
        townships.append(
            PlaceFact(
                text=name,
                start=start,
                end=end,
                sentence=sentence_at(text, start),
                name=name,
                level="township",
                adcode=None,
                province=province,
                prefecture=prefecture,
            )
        )
        taken.add(start, end)
    return townships


def _abbreviations(table: Gazetteer, text: str, taken: list[tuple[int, int]]) -> list[PlaceFact]:
    """One-character provincial names where their context makes them places (黔籍, 赴粤务工)."""
    facts: list[PlaceFact] = []
    for pattern in table.abbreviation_patterns:
        for match in pattern.finditer(text):
            for group in ("a", "b"):
                if group in pattern.groupindex and match.group(group):
                    start, end = match.span(group)
                    if not any(s < end and start < e for s, e in taken):  # 川渝 is already a region
                        taken.append((start, end))
                        facts.append(_fact(table.abbreviations[match.group(group)], text, start, end))
    return facts


def _self_references(
    table: Gazetteer, text: str, named: list[PlaceFact], taken: list[tuple[int, int]], province: str | None = None
) -> list[PlaceFact]:
    """我省, 本市, 我县 (places.toml [self_references]): the place of that level the article names
    most, counting a county for its prefecture and province (for 我省, the publisher's province
    first: the caller's `province`, else what the publisher's own lines tell); nothing when it
    names none."""
    levels: dict[str, str] = load_text_data("places.toml").get("self_references", {})
    domestic = [f for f in named if f.level in ("province", "prefecture", "county")]
    if not levels or not (domestic or province):
        return []
    most_named = {
        "province": Counter(f.province for f in domestic if f.province).most_common(1),
        "prefecture": Counter(f.prefecture for f in domestic if f.prefecture).most_common(1),
        "county": Counter(f.name for f in domestic if f.level == "county").most_common(1),
    }
    # A Shaanxi paper's 我省 is 陕西 even where its story names the partner 江苏 more; without the
    # publisher's lines, the province named most where it is not a destination (向江苏输送).
    publisher = province_area(province) if province else publisher_province(text, named)
    origins = Counter(f.province for f in domestic if f.province and not is_destination(text, f, attribution_rules()))
    if publisher is not None:
        most_named["province"] = [(publisher.name, 1)]
    elif origins:
        most_named["province"] = origins.most_common(1)
    facts: list[PlaceFact] = []
    for match in re.finditer("|".join(map(re.escape, levels)), text):
        level = levels[match.group()]
        start, end = match.span()
        if not most_named[level] or any(s < end and start < e for s, e in taken):
            continue
        name = most_named[level][0][0]
        place = next((p for p in table.by_form.get(name, ()) if p.level == level and p.name == name), None)
        if place is not None:
            facts.append(_fact(place, text, start, end))
    return facts


def _fact(place: Place, text: str, start: int, end: int) -> PlaceFact:
    return PlaceFact(
        text=text[start:end],
        start=start,
        end=end,
        sentence=sentence_at(text, start),
        name=place.name,
        level=place.level,
        adcode=place.adcode,
        province=place.province,
        prefecture=place.prefecture,
    )
