"""The places figures are attributed to (`Area`), the province a user's name means, the rules
of attribution.toml, and the destination test every place rule shares (前往/赴/到 X)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from jiwen.core.models import PlaceFact
from jiwen.extract.facts.nlp import load_rules
from jiwen.text.gazetteer import gazetteer, province_named

NATIONAL = "全国"
LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2, "township": 3}


@dataclass(frozen=True)
class Area:
    """A place a figure can be attributed to."""

    name: str
    adcode: str | None
    level: str
    province: str | None = None
    prefecture: str | None = None


@functools.cache
def attribution_rules():
    rules = load_rules("attribution.toml")
    indicators = load_rules("indicators.toml")
    # Each indicator word under its first character, with the indicator's rank in the file: a
    # figure's window (a clause, some 30 characters) holds few of those characters, so only
    # their words are looked for (measure.py).
    words_by_first: dict[str, list[tuple[int, str, dict]]] = {}
    for order, indicator in enumerate(indicators["indicator"]):
        for word in indicator["words"]:
            words_by_first.setdefault(word[0], []).append((order, word, indicator))
    return {
        **rules["place"],
        **rules["period"],
        "indicators": indicators["indicator"],
        "indicator_words_by_first": words_by_first,
        "unmeasured_before": tuple(indicators["measure"]["unmeasured_before"]),
        "single_entity": tuple(indicators["measure"]["single_entity"]),
    }


def area_of(fact: PlaceFact) -> Area:
    return Area(fact.name, fact.adcode, fact.level, fact.province, fact.prefecture)


def lift(area: Area | None, level: str) -> Area | None:
    """The article's place at `level` (its province for 全省, …), or None when it has none."""
    if area is None or area.level == level:
        return area
    if level == "province" and area.province:
        return named_area(area.province, "province") or Area(area.province, None, "province", area.province)
    if level == "prefecture" and area.level == "county" and area.prefecture:
        return named_area(area.prefecture, "prefecture") or Area(area.prefecture, None, "prefecture", area.province)
    return area if LEVEL_RANK.get(area.level, 9) > LEVEL_RANK[level] else None


@functools.cache
def named_area(name: str, level: str) -> Area | None:
    for place in gazetteer().by_form.get(name, ()):
        if place.level == level and place.name == name:
            return Area(place.name, place.adcode, place.level, place.province, place.prefecture)
    return None


def province_area(name: str | None) -> Area | None:
    """The province (or autonomous region, municipality) a user's `name` means (陕西, 陕西省,
    广西, 新疆维吾尔自治区), or None when it names none."""
    place = province_named(name)
    return named_area(place.name, "province") if place is not None else None


def is_destination(text: str, place: PlaceFact, rules) -> bool:
    before = text[max(0, place.start - 4) : place.start]
    after = text[place.end : place.end + 3]
    return before.endswith(tuple(rules["destination_before"])) or after.startswith(tuple(rules["not_alone_after"]))
