"""Attribution of figures: what a count, money or percent measures, where and when.

Runs after the other finders, over their facts (a pure function of the text, the facts and the
publication date). The contract (README "Facts"):

- `measure`: the indicator (extract/data/indicators.toml) one of whose words stands closest
  before the figure in its clause or in its subject; null when none does.
- `place`: the place the figure is about. Looked for in this order: a place inside the figure's
  own text (680余名黔南州籍员工); the nearest place before it in its sentence, then in its
  paragraph, skipping destinations (前往金华, 赴粤, 在佛山等地) and reading 全省/该县/我市 as the
  article's place at that level; else the article's place (the first place of the title, else the
  place the body names most). 全国/我国 make it "全国".
- `period_start`/`period_end`: from the nearest date before the figure in its sentence, then its
  paragraph: 截至X = (null, end of X); X以来 = (start of X, publication); this year's 今年 for
  an achieved figure = (1 January, publication), for a plan or budget (计划, 将, 每年) the
  calendar year; a day = that day at both ends; any other date = its first and last day. With no
  date: 每年/全年 = the publication year, else (null, publication) — a stock or total at the
  time of writing. Without a publication date, relative dates stay unresolved and so do periods.
"""

from __future__ import annotations

import calendar
import functools
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from jiwen.models import CountFact, DateFact, Fact, MeasuredFact, PlaceFact

from .nlp import load_rules
from .numbers import parse_number
from .sentences import sentence_bounds

NATIONAL = "全国"
_WITHIN_YEARS = re.compile(r"([1-9]|[一二两三四五六七八九十])年(?:内|之内|时间)")


@dataclass(frozen=True)
class Area:
    """A place a figure can be attributed to."""

    name: str
    adcode: str | None
    level: str
    province: str | None = None
    prefecture: str | None = None


@functools.cache
def _rules():
    rules = load_rules("attribution.toml")
    indicators = load_rules("indicators.toml")["indicator"]
    return {
        **rules["place"],
        **rules["period"],
        "indicators": indicators,
    }


def _area(fact: PlaceFact) -> Area:
    return Area(fact.name, fact.adcode, fact.level, fact.province, fact.prefecture)


def _lift(area: Area | None, level: str) -> Area | None:
    """The article's place at `level` (its province for 全省, …), or None when it has none."""
    if area is None or area.level == level:
        return area
    if level == "province" and area.province:
        return _named(area.province, "province") or Area(area.province, None, "province", area.province)
    if level == "prefecture" and area.level == "county" and area.prefecture:
        return _named(area.prefecture, "prefecture") or Area(area.prefecture, None, "prefecture", area.province)
    return area if _LEVEL_RANK.get(area.level, 9) > _LEVEL_RANK[level] else None


_LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2, "township": 3}


@functools.cache
def _named(name: str, level: str) -> Area | None:
    from .places import gazetteer

    for place in gazetteer().by_form.get(name, ()):
        if place.level == level and place.name == name:
            return Area(place.name, place.adcode, place.level, place.province, place.prefecture)
    return None


def article_place(title: str | None, places: list[PlaceFact], text: str = "") -> Area | None:
    """The place an article is about: among the domestic places of its title that are not
    destinations (…赴江苏务工), the one its body names most; else the domestic place its body
    names most outside destinations; the earliest among equals."""
    rules = _rules()
    domestic = [p for p in places if p.level in _LEVEL_RANK and not _is_destination(text, p, rules)]
    counts: dict[str, int] = {}
    first: dict[str, PlaceFact] = {}
    for place in domestic:
        counts[place.name] = counts.get(place.name, 0) + 1
        first.setdefault(place.name, place)
    if title:
        from .nlp import Tokens, segment
        from .places import places_of

        in_title = [p for p in places_of(Tokens(title, segment(title)))
                    if p.level in _LEVEL_RANK and not _is_destination(title, p, rules)]
        if in_title:
            best = max(in_title, key=lambda p: (counts.get(p.name, 0), -p.start))
            return _area(best)
    if not domestic:
        return None
    best = max(counts, key=lambda name: (counts[name], -first[name].start))
    return _area(first[best])


def _is_destination(text: str, place: PlaceFact, rules) -> bool:
    before = text[max(0, place.start - 4) : place.start]
    after = text[place.end : place.end + 3]
    return before.endswith(tuple(rules["destination_before"])) or after.startswith(tuple(rules["not_alone_after"]))


def attribute(text: str, facts: list[Fact], published: str | None, title: str | None = None,
              province: str | None = None) -> None:
    """Fill the attribution fields of the measured facts in `facts` (in place). `province`: the
    publisher's province when the caller knows it (sites.toml, `jiwen extract --province`); it
    decides 我省/本省/全省 before anything the text says."""
    measured = [f for f in facts if isinstance(f, MeasuredFact)]
    if not measured:
        return
    rules = _rules()
    places = [f for f in facts if isinstance(f, PlaceFact)]
    dates = [f for f in facts if isinstance(f, DateFact)]
    home = article_place(title, places, text)
    publisher = province_area(province) if province else publisher_province(text, places)
    if publisher is not None and (home is None or home.level == "province") and _says_we(text, rules):
        # A paper that writes 我省 tells its story from its own province, even where it names its
        # partner more (苏陕协作 in a Shaanxi paper): figures with no place of their own are its.
        home = publisher
    anchors = _place_anchors(text, places, rules, home, publisher)
    anchor_starts = [a[0] for a in anchors]
    date_starts = [d.start for d in dates]
    paragraphs = _paragraph_starts(text)
    sentence_starts, _ends = sentence_bounds(text)
    base = _day(published)
    for fact in measured:
        paragraph = paragraphs[bisect_right(paragraphs, fact.start) - 1] if paragraphs else 0
        sentence = sentence_starts[bisect_right(sentence_starts, fact.start) - 1] if sentence_starts else 0
        area = _place_for(text, fact, anchors, anchor_starts, paragraph, sentence, sentence_starts, home)
        if area is not None:
            fact.place, fact.place_adcode = area.name, area.adcode
        fact.measure = _measure(text, fact, sentence, rules)
        fact.period_start, fact.period_end = _period(text, fact, dates, date_starts, paragraph, sentence, base, rules)


def _paragraph_starts(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position >= 0:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts


def province_area(name: str | None) -> Area | None:
    """The province (or autonomous region, municipality) a user's `name` means (陕西, 陕西省,
    广西, 新疆维吾尔自治区), or None when it names none."""
    from .places import gazetteer

    if not name:
        return None
    found = {p.name for p in gazetteer().by_form.get(name.strip(), ()) if p.level == "province"}
    return _named(found.pop(), "province") if len(found) == 1 else None


def publisher_province(text: str, places: list[PlaceFact]) -> Area | None:
    """The province of the article's publisher, from its own lines (attribution.toml: the story's
    datelines and reporter lines, then the site's source lines and mastheads, which count only
    when the body names a place of that province outside them); else None."""
    story, site = _publisher_patterns()
    site_spans = [m.span() for pattern in site for m in pattern.finditer(text)]
    named = {p.province for p in places if p.level in _LEVEL_RANK and p.province
             and not any(s <= p.start < e for s, e in site_spans)}
    for pattern in story:
        for match in pattern.finditer(text):
            province = _province_in(match.group(0))
            if province is not None:
                return _named(province, "province") or Area(province, None, "province", province)
    for start, end in site_spans:
        province = _province_in(text[start:end])
        if province is not None and province in named:
            return _named(province, "province") or Area(province, None, "province", province)
    province = _partnership_side(text, places)
    if province is not None:
        return _named(province, "province") or Area(province, None, "province", province)
    return None


def _says_we(text: str, rules) -> bool:
    return any(word in text for word in rules["publisher_words"] if not word.startswith("全"))


def _partnership_side(text: str, places: list[PlaceFact]) -> str | None:
    """The side of a two-province partnership (苏陕协作, 闽宁两省) a text that says 我省/我区 is
    told from: the side that is not the partner. The partner is the province that acts on 我省
    in one clause (江苏省援建我省…, 福建企业来我区…) or that 我省 sends people to (我省选派干部到
    江苏省); None when no single pair is named or the text does not tell the sides apart."""
    rules = _rules()
    if not _says_we(text, rules):
        return None
    abbreviated = sorted((p for p in places if p.level == "province" and p.end - p.start == 1), key=lambda p: p.start)
    pairs = {frozenset((a.name, b.name)) for a, b in zip(abbreviated, abbreviated[1:])
             if a.end == b.start and a.name != b.name}
    if len(pairs) != 1:
        return None
    sides = pairs.pop()
    we = [word for word in rules["publisher_words"] if not word.startswith("全")]
    toward = tuple(rules["toward_us_before"])
    partners: set[str] = set()
    for place in places:
        if (place.province not in sides or place.level not in _LEVEL_RANK or place.text in rules["area_words"]
                or place.end - place.start == 1):  # the pair's own 苏/陕 (苏陕两省帮助我省…) is both sides
            continue
        clause_end = min([i for i in (text.find(mark, place.end) for mark in "，,。；;\n") if i >= 0] or [len(text)])
        clause_start = max(text.rfind(mark, 0, place.start) for mark in "，,。；;\n") + 1
        after, before = text[place.end : clause_end], text[clause_start : place.start]
        # 某省向我省援建…, 某省在我省实施…: the province acts on us.
        if any(text[: place.end + i].endswith(toward) for word in we for i in _finds(after, word)):
            partners.add(place.province)
        # 我省选派一批干部到某省挂职: where we send people.
        elif any(word in before for word in we) and _is_destination(text, place, rules):
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
    from .places import gazetteer

    by_form = gazetteer().by_form
    for start in range(len(line) - 1):
        for length in range(min(12, len(line) - start), 1, -1):
            candidates = [p for p in by_form.get(line[start : start + length], ()) if p.level in _LEVEL_RANK and p.province]
            if candidates:
                # 西安 is the prefecture, not 吉林's 西安区: the highest level named decides.
                top = min(_LEVEL_RANK[p.level] for p in candidates)
                provinces = {p.province for p in candidates if _LEVEL_RANK[p.level] == top}
                return provinces.pop() if len(provinces) == 1 else None
    return None


@functools.cache
def _publisher_patterns() -> tuple[tuple[re.Pattern, ...], tuple[re.Pattern, ...]]:
    rules = _rules()
    return tuple(tuple(re.compile(p, re.MULTILINE) for p in rules[key]) for key in ("story_lines", "site_lines"))


def _place_anchors(text: str, places: list[PlaceFact], rules, home: Area | None,
                   publisher: Area | None = None) -> list[tuple[int, int, Area | None]]:
    """(start, end, area) of every place a figure may take, in text order: place facts that are not
    destinations, and the area words (全省, 该县 → the article's place at that level, 我省/全省 the
    publisher's province when its lines tell it; 全国)."""
    anchors: list[tuple[int, int, Area | None]] = []
    destination = tuple(rules["destination_before"])
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
        if before.endswith(destination) or listed:
            previous_destination_end = place.end
            listing = []
            continue
        listing = [*listing, place] if joined else [place]
        if after.startswith(tuple(rules["list_end"])) and len(listing) > 1:
            # 来自遵义、安顺、毕节等地的300名务工人员: the list's figure is their province's, when
            # they share one, not the last city's.
            del anchors[len(anchors) - (len(listing) - 1) :]
            provinces = {p.province for p in listing}
            province = _named(provinces.pop(), "province") if len(provinces) == 1 and None not in provinces else None
            if province is not None:
                anchors.append((listing[0].start, place.end, province))
            listing = []
            continue
        if after.startswith(not_alone):
            if after.startswith(("两地", "双方", "三地")):
                anchors.append((place.start, place.end, home))
            continue
        anchors.append((place.start, place.end, _area(place)))
    for word, level in rules["area_words"].items():
        position = text.find(word)
        while position >= 0:
            lifted = publisher if publisher is not None and word in rules["publisher_words"] else _lift(home, level)
            if lifted is not None:
                anchors.append((position, position + len(word), lifted))
            position = text.find(word, position + len(word))
    for word in rules["national"]:
        position = text.find(word)
        while position >= 0:
            anchors.append((position, position + len(word), Area(NATIONAL, None, "country")))
            position = text.find(word, position + len(word))
    anchors.sort(key=lambda a: (a[0], -a[1]))
    return anchors


@functools.cache
def _dateline_pattern():
    return re.compile(_rules()["dateline"], re.MULTILINE)


def _place_for(text: str, fact: MeasuredFact, anchors, anchor_starts, paragraph: int, sentence: int, sentence_starts: list[int],
               home: Area | None) -> Area | None:
    # Anchors inside the figure's own text first (680余名黔南州籍员工), then the nearest before it
    # in its paragraph.
    # in its sentence; from an earlier sentence of the paragraph, that sentence's first place
    # (its topic: 株洲市…招聘会在荷塘区文化广场开幕。共有200余家企业参会 is 株洲's).
    if any(word in text[sentence : fact.start] for word in _rules()["joint_words"]):
        return home  # 两地举办招聘会500余场: the partnership's figure, told from the article's side
    index = bisect_right(anchor_starts, fact.end - 1) - 1
    while index >= 0 and anchors[index][0] >= paragraph:
        start, end, area = anchors[index]
        if end <= fact.end and area is not None:
            if start >= sentence:
                return area
            topic_sentence = sentence_starts[bisect_right(sentence_starts, start) - 1]
            first = bisect_right(anchor_starts, topic_sentence - 1)
            for candidate_start, candidate_end, candidate in anchors[first : index + 1]:
                if candidate is not None and candidate_start >= max(topic_sentence, paragraph):
                    return candidate
            return area
        index -= 1
    return home


def _measure(text: str, fact: MeasuredFact, sentence: int, rules) -> str | None:
    kind = type(fact).__struct_config__.tag
    unit = fact.unit if isinstance(fact, CountFact) else None
    # Its clause only (a word of the clause before belongs to that clause's figure).
    window_start = max(sentence, fact.start - 30)
    clause_start = max(text.rfind(mark, window_start, fact.start) for mark in "，,；;：:")
    window = text[max(window_start, clause_start + 1) : fact.end] + (fact.subject or "")
    best: tuple[int, int, str] | None = None
    for order, indicator in enumerate(rules["indicators"]):
        if kind not in indicator["kinds"] or (indicator.get("units") and unit not in indicator["units"]):
            continue
        for word in indicator["words"]:
            position = window.rfind(word)
            if position >= 0:
                key = (position + len(word), -order, indicator["name"])
                if best is None or key[:2] > best[:2]:
                    best = key
    return best[2] if best else None


def _counts_places(fact: MeasuredFact, rules) -> bool:
    """A count of places (四省, 30个重点帮扶县, 14个设区市): a stock, whatever a plan says."""
    if not isinstance(fact, CountFact):
        return False
    subject = (fact.subject or "").rstrip(")）(（")
    return fact.unit in rules["place_units"] or (
        fact.unit == "个" and subject.endswith(tuple(rules["place_units"]))
    )


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _first_day(value: str) -> date:
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _last_day(value: str) -> date:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return date(*parts)
    month = parts[1] if len(parts) > 1 else 12
    return date(parts[0], month, calendar.monthrange(parts[0], month)[1])


def _period(text: str, fact: MeasuredFact, dates: list[DateFact], date_starts: list[int], paragraph: int,
            sentence: int, base: date | None, rules) -> tuple[str | None, str | None]:
    clause = text[sentence : fact.start]
    planned = any(word in clause for word in rules["plan_words"]) or (
        not isinstance(fact, CountFact) and any(word in clause for word in rules["budget_words"])
    )
    index = bisect_right(date_starts, fact.start - 1) - 1
    governing = None
    while index >= 0 and dates[index].start >= paragraph:
        # 比去年同期增长27%: the year compared with is not the figure's period.
        compared = text.startswith(tuple(rules["comparison_after"]), dates[index].end)
        if dates[index].end <= fact.start and dates[index].granularity != "recurring" and not compared:
            governing = dates[index]
            break
        index -= 1
    if governing is None:
        if base is None:
            return None, None
        if any(word in clause for word in rules["yearly_words"]):
            return f"{base.year:04d}-01-01", f"{base.year:04d}-12-31"
        return None, base.isoformat()
    if governing.date is None:
        return None, None
    try:
        first, last = _first_day(governing.date), _last_day(governing.date_end or governing.date)
    except ValueError:
        return None, None
    before = text[max(paragraph, governing.start - 3) : governing.start]
    after = text[governing.end : governing.end + 2]
    within = _WITHIN_YEARS.search(text, governing.end, fact.start)
    if within and governing.date_end is None and planned:
        # 自去年起……用2年时间帮助8万人就业: N years counted from the date's year.
        years = int(parse_number(within.group(1)))
        return first.isoformat(), f"{first.year + years - 1:04d}-12-31"
    since = tuple(rules["since_after"])
    if (governing.text.endswith(since) or after.startswith(since)
            or (not planned and after.startswith(tuple(rules["start_after"])))):
        return first.isoformat(), base.isoformat() if base else None
    if before.endswith(tuple(rules["cutoff_before"])):
        return None, last.isoformat()
    if base is not None and last > base and _counts_places(fact, rules):
        # 2019-2021年规划，覆盖30个重点帮扶县: the places a plan takes on are today's, not the plan's.
        return None, base.isoformat()
    if within and governing.date_end is None:
        # 2017年初，提出3年内转移10万人: N years counted from the date's year.
        years = int(parse_number(within.group(1)))
        return first.isoformat(), f"{first.year + years - 1:04d}-12-31"
    if planned and text.startswith(tuple(rules["from_after"]), governing.end):
        # 今年7月投产后，需求量将超过2万人: from then on, to the end of that year.
        return first.isoformat(), f"{last.year:04d}-12-31"
    if governing.granularity == "relative" and base is not None:
        return base.isoformat(), base.isoformat()
    if (
        base is not None
        and len(governing.date) == 4
        and governing.date_end is None
        and first.year == base.year
        and not planned
    ):
        return first.isoformat(), base.isoformat()  # 今年 + an achieved figure: up to publication
    return first.isoformat(), last.isoformat()
