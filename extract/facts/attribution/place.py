"""The place of a figure: the place of what it counts. Anchors are the places a figure may take
(place facts that are not destinations, area words such as 全省/该县, lists ending in 等, 全国);
a figure takes the one inside its own text, else the nearest before it in its sentence, else the
topic place of an earlier sentence of its paragraph, else the article's place."""

from __future__ import annotations

import functools
import re
from bisect import bisect_right

from jiwen.core.models import MeasuredFact, PlaceFact
from jiwen.extract.facts.areas import (
    LEVEL_RANK,
    NATIONAL,
    Area,
    area_of,
    attribution_rules,
    is_destination,
    lift,
    named_area,
)
from jiwen.extract.facts.nlp import Tokens
from jiwen.extract.facts.places import places_of
from jiwen.text.segmenter import segment


def article_place(title: str | None, places: list[PlaceFact], text: str = "") -> Area | None:
    """The place an article is about: among the domestic places of its title that are not
    destinations (…赴江苏务工), the one its body names most; else the domestic place its body
    names most outside destinations; the earliest among equals."""
    rules = attribution_rules()
    domestic = [p for p in places if p.level in LEVEL_RANK and not is_destination(text, p, rules)]
    counts: dict[str, int] = {}
    first: dict[str, PlaceFact] = {}
    for place in domestic:
        counts[place.name] = counts.get(place.name, 0) + 1
        first.setdefault(place.name, place)
    if title:
        in_title = [p for p in places_of(Tokens(title, segment(title))) if p.level in LEVEL_RANK and not is_destination(title, p, rules)]
        if in_title:
            best = max(in_title, key=lambda p: (counts.get(p.name, 0), -p.start))
            return area_of(best)
    if not domestic:
        return None
    best = max(counts, key=lambda name: (counts[name], -first[name].start))
    return area_of(first[best])


def place_anchors(
    text: str, places: list[PlaceFact], rules, home: Area | None, publisher: Area | None = None
) -> list[tuple[int, int, Area | None]]:
    """(start, end, area) of every place a figure may take, in text order: place facts that are not
    destinations, and the area words (全省, 该县 → the article's place at that level, 我省/全省 the
    publisher's province when its lines tell it; 全国)."""
    anchors: list[tuple[int, int, Area | None]] = []
    destination = tuple(rules["destination_before"])
    partner = tuple(rules["partner_before"])
    owner = tuple(rules["owner_after"])
    not_alone = tuple(rules["not_alone_after"])
    previous_destination_end = -10
    # 中新网四川新闻3月8日电: the wire's place, not the story's.
    datelines = [m.span() for m in _dateline_pattern().finditer(text)]
    listing: list[PlaceFact] = []  # places of one list so far (遵义、安顺、毕节…), anchored one by one
    for place in places:
        if any(s <= place.start < e for s, e in datelines):
            continue
        before = text[max(0, place.start - 4) : place.start]
        after = text[place.end : place.end + 3]
        joined = bool(listing) and place.start - listing[-1].end == 1 and text[place.start - 1] in "、和与及"
        # 赴广东、浙江务工: a place listed right after a destination is one too.
        listed = place.start - previous_destination_end <= 1 and text[place.start - 1 : place.start] in "、和与及"
        if before.endswith(destination) or listed or (before.endswith(partner) and _makes_partnership(text, place.end, rules)):
            previous_destination_end = place.end
            listing = []
            continue
        listing = [*listing, place] if joined else [place]
        if after.startswith(tuple(rules["list_end"])) and len(listing) > 1:
            # 来自遵义、安顺、毕节等地的300名务工人员: the list's figure is their province's, when
            # they share one, not the last city's.
            del anchors[len(anchors) - (len(listing) - 1) :]
            provinces = {p.province for p in listing}
            province = named_area(provinces.pop(), "province") if len(provinces) == 1 and None not in provinces else None
            if province is not None:
                anchors.append((listing[0].start, place.end, province))
            listing = []
            continue
        if after.startswith(owner) and (home is None or place.province != home.province):
            continue  # 某省财政资金: whose money, not where the figure is counted
        if after.startswith(not_alone):
            if after.startswith(("两地", "双方", "三地")):
                anchors.append((place.start, place.end, home))
            continue
        anchors.append((place.start, place.end, area_of(place)))
    for word, level in rules["area_words"].items():
        position = text.find(word)
        while position >= 0:
            lifted = publisher if publisher is not None and word in rules["publisher_words"] else lift(home, level)
            if lifted is not None:
                anchors.append((position, position + len(word), lifted))
            position = text.find(word, position + len(word))
    scope = tuple(rules["scope_before"])
    for word in rules["national"]:
        position = text.find(word)
        while position >= 0:
            if not text[max(0, position - 3) : position].endswith(scope):
                anchors.append((position, position + len(word), Area(NATIONAL, None, "country")))
            position = text.find(word, position + len(word))
    anchors.sort(key=lambda a: (a[0], -a[1]))
    return anchors


@functools.cache
def _dateline_pattern():
    return re.compile(attribution_rules()["dateline"], re.MULTILINE)


def place_for(
    text: str, fact: MeasuredFact, anchors, anchor_starts, paragraph: int, sentence: int, sentence_starts: list[int], home: Area | None
) -> Area | None:
    # Anchors inside the figure's own text first (680余名黔南州籍员工), then the nearest before it
    # in its paragraph.
    # in its sentence; from an earlier sentence of the paragraph, that sentence's first place
    # (its topic: 株洲市…招聘会在荷塘区文化广场开幕。共有200余家企业参会 is 株洲's).
    if any(word in text[sentence : fact.start] for word in attribution_rules()["joint_words"]):
        return home  # 两地举办招聘会500余场: the partnership's figure, told from the article's side
    index = bisect_right(anchor_starts, fact.end - 1) - 1
    while index >= 0 and anchors[index][0] >= paragraph:
        start, end, area = anchors[index]
        if end <= fact.end and area is not None:
            if start >= sentence:
                return area
            topic_sentence = sentence_starts[bisect_right(sentence_starts, start) - 1]
            first = bisect_right(anchor_starts, topic_sentence - 1)
            for candidate_start, _candidate_end, candidate in anchors[first : index + 1]:
                if candidate is not None and candidate_start >= max(topic_sentence, paragraph):
                    return candidate
            return area
        index -= 1
    return home


def _makes_partnership(text: str, position: int, rules) -> bool:
    """Whether the clause from `position` on makes an agreement or a partnership (签订, 共建…)."""
    ends = [index for index in (text.find(mark, position) for mark in "，,。；;\n") if index >= 0]
    clause = text[position : min(ends) if ends else len(text)]
    return any(verb in clause for verb in rules["partner_verbs"])
