"""The role of a figure: what kind of number a count, money or percent is — a result (`actual`), a
plan (`target`), a budget (`allocation`), a per-unit rate or cap (`standard`), a difference
(`change`) or something else (`other`). Trends compare like with like by it.

Read from cue words around the figure's number (extract/data/roles.toml, whose header says which
window each cue is looked for in and in what order the roles are tried) and from the date facts of
its sentence: a date after publication in the sentence makes a plan. A few regular-expression
searches over one sentence per figure; no model.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from datetime import date

from jiwen.core.models import CountFact, DateFact, FigureRole, MeasuredFact, MoneyFact, PercentFact
from jiwen.extract.facts.attribution.period import first_day, last_day
from jiwen.extract.facts.nlp import load_rules

SENTENCE_MARK = re.compile(r"[。！？!?；;\n]|\.(?!\d)")
CLAUSE_MARK = re.compile(r"[，,；;：:。！？!?\n]|\.(?!\d)")
DIGIT = re.compile(r"[0-9]")
NUMERAL = re.compile(r"[0-9〇零一二两三四五六七八九十百千]")
TAIL_LENGTH = 12
# How far back a figure's sentence is looked for: cues further away are not about it, and a bound
# keeps the stage linear in a body of one endless "sentence".
LOOKBACK = 400
# The word lists of roles.toml that are only asked whether one of them is in a text.
CONTAINS_ANY = {
    "actual": ("words",),
    "allocation": ("paid", "clause"),
    "change": ("level_words", "units"),
    "standard": ("per_unit", "not_per_unit", "policy_words", "income_words", "caps", "grant_words", "grant_total_words"),
}


@functools.cache
def _rules() -> dict:
    rules = load_rules("roles.toml")
    compiled = {key: dict(section) for key, section in rules.items()}
    for section in compiled.values():
        for key, value in list(section.items()):
            if key.endswith("patterns"):
                section[key] = [re.compile(pattern) for pattern in value]
    compiled["role"]["fillers"] = tuple(sorted(compiled["role"]["fillers"], key=len, reverse=True))
    compiled["change"]["anchored"] = tuple(compiled["change"]["anchored"])
    compiled["change"]["not_after"] = tuple(compiled["change"]["not_after"])
    # Word lists asked "is any of these in the text?": one search of an alternation, a quarter
    # of the time of testing the words one by one (the answer is the same).
    for section, keys in CONTAINS_ANY.items():
        for key in keys:
            compiled[section][f"{key}_any"] = _any_of(compiled[section][key])
    return compiled


def _any_of(words: list[str]) -> re.Pattern:
    """A pattern found in a text exactly when one of `words` is."""
    return re.compile("|".join(re.escape(word) for word in words) if words else "(?!)")


def _kind(fact: MeasuredFact) -> str:
    if isinstance(fact, MoneyFact):
        return "money"
    if isinstance(fact, PercentFact):
        return "percent"
    return "count"


@functools.lru_cache(maxsize=4)
def _mark_positions(pattern: re.Pattern, text: str) -> list[int]:
    """Where `pattern` (one character a match) matches in `text`, in order: found once a text,
    not again around each of its figures."""
    return [match.start() for match in pattern.finditer(text)]


def _last_mark_end(pattern: re.Pattern, text: str, end: int, floor: int = 0) -> int:
    """Where the text after the last `pattern` mark before `end` starts (at most LOOKBACK back)."""
    start = max(floor, end - LOOKBACK)
    # A "." right before `end` is a mark here even before a digit: the text is read up to `end`.
    if end - 1 >= start and text[end - 1] == ".":
        return end
    positions = _mark_positions(pattern, text)
    before = bisect_left(positions, end) - 1
    if before >= 0 and positions[before] >= start:
        return positions[before] + 1
    return start


def _without_fillers(lead: str, fillers: tuple[str, ...]) -> str:
    changed = lead.endswith(fillers)  # most leads end with none
    while changed and lead:
        changed = False
        for filler in fillers:
            if lead.endswith(filler):
                lead, changed = lead[: -len(filler)], True
                break
    return lead


def _date_bounds(fact: DateFact) -> tuple[date, date] | None:
    """(first day of the date, last day of its end), or None when it has no usable date."""
    if not fact.date:
        return None
    try:
        return first_day(fact.date), last_day(fact.date_end or fact.date)
    except (ValueError, IndexError):
        return None


class _Windows:
    """The text around one figure that the cues are looked for in."""

    def __init__(self, text: str, fact: MeasuredFact, fillers: tuple[str, ...]) -> None:
        own = fact.text or ""
        match = DIGIT.search(own) or NUMERAL.search(own)
        self.number = fact.start + (match.start() if match else 0)
        self.sentence_start = _last_mark_end(SENTENCE_MARK, text, self.number)
        clause_start = _last_mark_end(CLAUSE_MARK, text, self.number, self.sentence_start)
        self.sentence = text[self.sentence_start : self.number]
        self.clause = text[clause_start : self.number]
        self.lead = _without_fillers(text[max(clause_start, self.number - 20) : self.number], fillers)
        self.clause_start = clause_start
        tail_mark = CLAUSE_MARK.search(text, fact.end, fact.end + TAIL_LENGTH)
        self.tail = text[fact.end : tail_mark.start() if tail_mark else fact.end + TAIL_LENGTH]
        self.inside = text[self.number : fact.end]  # 8个百分点: the unit is in the figure's own text
        self.after = text[fact.end : fact.end + 10]


def figure_role(text: str, fact: MeasuredFact, dates: list[DateFact], published: date | None) -> FigureRole:
    """The role of one figure of `text` (before list continuation, see `assign_roles`)."""
    rules = _rules()
    kind = _kind(fact)
    window = _Windows(text, fact, rules["role"]["fillers"])
    if _is_other(window, rules["other"]):
        return "other"
    if _is_change(window, fact, rules["change"]):
        return "change"
    if _is_standard(text, window, kind, rules["standard"]):
        return "standard"
    actual = rules["actual"]
    reported = actual["words_any"].search(window.clause) is not None or any(
        pattern.search(window.clause + window.inside) for pattern in actual["patterns"]
    )
    allocation = rules["allocation"]
    if (
        kind in allocation["kinds"]
        and not reported
        and not allocation["paid_any"].search(window.clause)
        and allocation["clause_any"].search(window.clause)
    ):
        return "allocation"
    if not reported and not _counts_places(fact, actual["place_units"]) and _is_target(window, dates, published, rules):
        return "target"
    return "actual"


def assign_roles(text: str, measured: list[MeasuredFact], dates: list[DateFact], published: date | None) -> None:
    """Set `role` on every figure (in place). A figure that continues a list of figures of the same
    kind (分别增长12%、9%: the 9% too) takes the role of the list's first."""
    joiners = tuple(_rules()["role"]["list_joiners"])
    previous: tuple[MeasuredFact, FigureRole, bool] | None = None
    for fact in sorted(measured, key=lambda f: f.start):
        role = figure_role(text, fact, dates, published)
        continued = (
            previous is not None
            and role == "actual"
            and _kind(previous[0]) == _kind(fact)
            and 0 < fact.start - previous[0].end <= 1
            and text[previous[0].end : fact.start] in joiners
        )
        if continued and previous is not None:
            role = previous[1]
        fact.role = role
        previous = (fact, role, continued)


def _is_other(window: _Windows, rules: dict) -> bool:
    return any(p.search(window.lead) for p in rules["lead_patterns"]) or any(p.search(window.tail) for p in rules["tail_patterns"])


def _is_change(window: _Windows, fact: MeasuredFact, rules: dict) -> bool:
    clause, lead = window.clause, window.lead
    flow = rules["not_after"]
    if not (clause.rstrip().endswith(flow) or lead.endswith(flow)):
        if lead.endswith(rules["anchored"]):
            return True
        if any(p.search(lead) for p in rules["comparison_patterns"]):
            return True
        for verb in rules["verb_object"]:
            position = clause.rfind(verb)
            if position < 0:
                continue
            gap = clause[position + len(verb) :]
            if (
                len(gap) <= rules["verb_object_max_gap"]
                and not rules["level_words_any"].search(gap)
                and not DIGIT.search(gap)
                and not clause[:position].endswith("新")
            ):
                return True
    unit = fact.unit if isinstance(fact, CountFact) else ""
    return (
        rules["units_any"].search(unit) is not None
        or any(p.search(window.tail) for p in rules["tail_patterns"])
        or "百分点" in window.inside
    )


def _is_standard(text: str, window: _Windows, kind: str, rules: dict) -> bool:
    number, clause = window.number, window.clause
    near_lead = text[max(window.clause_start, number - rules["per_unit_gap"]) : number]
    nearby = clause + window.inside + window.tail
    if (
        rules["per_unit_any"].search(near_lead)
        and not rules["not_per_unit_any"].search(near_lead)
        and rules["policy_words_any"].search(nearby)
        and not rules["income_words_any"].search(clause)
    ):
        return True
    if kind in rules["cap_kinds"] and rules["caps_any"].search(text[max(window.clause_start, number - rules["cap_gap"]) : number]):
        return True
    if kind in rules["rule_kinds"] and any(p.search(clause) for p in rules["rule_patterns"]):
        return True
    if any(p.search(window.after) for p in rules["tail_patterns"]):
        return True
    if kind == "money" and not re.search("[万亿]", window.inside):
        grant_lead = text[max(window.clause_start, number - rules["grant_gap"]) : number]
        if rules["grant_words_any"].search(grant_lead) and not rules["grant_total_words_any"].search(clause):
            return True
    return False


def _counts_places(fact: MeasuredFact, place_units: list[str]) -> bool:
    if not isinstance(fact, CountFact):
        return False
    subject = (fact.subject or "").rstrip(")）")
    return fact.unit in place_units or (fact.unit == "个" and subject.endswith(tuple(place_units)))


def _is_target(window: _Windows, dates: list[DateFact], published: date | None, rules: dict) -> bool:
    target, actual = rules["target"], rules["actual"]
    sentence = window.sentence
    cue_end, weak = -1, False
    for word in target["sentence"]:
        position = sentence.rfind(word)
        if position >= 0 and position + len(word) > cue_end:
            cue_end, weak = position + len(word), False
    for pattern in target["weak_patterns"]:
        for match in pattern.finditer(sentence):
            if match.end() > cue_end:
                cue_end, weak = match.end(), True
    reported_end = max(
        [sentence.rfind(word) + len(word) for word in actual["words"] if word in sentence]
        + [match.end() for pattern in actual["patterns"] for match in pattern.finditer(sentence)]
        + [-1]
    )
    if cue_end >= 0 and cue_end > reported_end:
        cue_position = window.sentence_start + cue_end
        if not (weak and _past_date_between(dates, cue_position, window.number, published)):
            return True
    if any(p.search(window.tail) for p in target["tail_patterns"]):
        return True
    # A date in the sentence, before the figure, that begins after publication (到2030年): a plan.
    if published is not None:
        for fact in dates:
            if window.sentence_start <= fact.start and fact.end <= window.number:
                # the first day of its last part: 2024-2030年 is a plan when 2030 is still to come
                if _date_bounds(fact) is not None and first_day(fact.date_end or fact.date or "") > published:
                    return True
    return False


def _past_date_between(dates: list[DateFact], start: int, end: int, published: date | None) -> bool:
    """A date between `start` and `end` whose period ended before publication."""
    if published is None:
        return False
    for fact in dates:
        if start <= fact.start and fact.end <= end:
            bounds = _date_bounds(fact)
            if bounds is not None and bounds[1] < published:
                return True
    return False
