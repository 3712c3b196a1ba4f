"""Programmes: named campaigns (“春风行动”), training brands (“黔菜师傅”), service platforms
(“贵州人办家乡事”平台) and order classes (“广港班”). Rules in extract/data/programs.toml.

News quotes many things that are not programmes (job titles, slogans, industries), so a quoted
name counts only through the lexicon, a name shape, a programme suffix, or a programme word right
after it; lists and slogans are refused first.
"""

from __future__ import annotations

import functools
import re

from jiwen.core.models import ProgramFact
from jiwen.extract.facts.nlp import Tokens, load_rules
from jiwen.extract.facts.sentences import sentence_at
from jiwen.extract.facts.spans import Spans
from jiwen.text.gazetteer import gazetteer
from jiwen.text.lexicon import programme_names
from jiwen.text.rules import load_text_data

QUOTED = re.compile(r"“([^“”\n]{1,30})”|「([^「」\n]{1,30})」|『([^『』\n]{1,30})』|\"([^\"\n]{1,30})\"")
# Between two quoted names of one run: nothing, or a list separator.
RUN_JOINER = re.compile(r"[、和及与,，]?")


@functools.cache
def _rules():
    rules = load_rules("programs.toml")
    alternation = "|".join(re.escape(w) for w in sorted(rules["followed_by"], key=len, reverse=True))
    strong = "|".join(re.escape(w) for w in sorted(rules["strong_followers"], key=len, reverse=True))
    return {
        "strong": re.compile(rf"[^“”「」，。；、\n]{{0,{rules['followed_by_gap']}}}?(?:{strong})"),
        "known": programme_names(),
        "suffixes": tuple(sorted(rules["suffixes"], key=len, reverse=True)),
        "followed_by": re.compile(rf"[^“”「」，。；、\n]{{0,{rules['followed_by_gap']}}}?(?:{alternation})"),
        "name_patterns": [re.compile(p) for p in rules["name_patterns"]],
        "traps": [re.compile(p) for p in rules["trap_patterns"]],
        "generic": [re.compile(p) for p in rules["generic_patterns"]],
        "min_length": rules["min_length"],
        "unquoted": [re.compile(p.replace("{ABBREVIATIONS}", _abbreviations())) for p in rules["unquoted_patterns"]],
        "trades": tuple(sorted(rules["brand_trades"], key=len, reverse=True)),
        "not_brand_after": tuple(rules["not_brand_after"]),
        "worker_endings": rules["brand_worker_endings"],
        "full_name_endings": tuple(rules["brand_place_not_ending"]),
        "preceded_by": tuple(rules["preceded_by"]),
        "ethnic": re.compile(
            "(?:"
            + "|".join(map(re.escape, sorted(rules["ethnic_brand_prefixes"], key=len, reverse=True)))
            + ")家(?:"
            + "|".join(map(re.escape, sorted(rules["brand_trades"], key=len, reverse=True)))
            + ")"
        ),
    }


def _place_and_worker(name: str, rules) -> bool:
    """“某县表嫂”, “某市车工”: a domestic place's name, then a worker's word of two or three
    characters ending in a worker's character."""
    by_form = gazetteer().by_form
    for length in range(2, len(name) - 1):
        rest = name[length:]
        if (
            2 <= len(rest) <= 3
            and rest[-1] in rules["worker_endings"]
            and any(p.level != "foreign" for p in by_form.get(name[:length], ()))
        ):
            return True
    return False


def _abbreviations() -> str:
    return re.escape("".join(load_text_data("places.toml")["abbreviations"]))


def _quoted_runs(text: str) -> list[list[tuple[int, int]]]:
    """Quoted names grouped into runs that stand next to each other (“A”“B”、“C”)."""
    runs: list[list[tuple[int, int]]] = []
    last_end = -1
    for match in QUOTED.finditer(text):
        group = next(i for i in range(1, 5) if match.group(i) is not None)
        span = match.span(group)
        joiner = text[last_end : match.start()] if last_end >= 0 else None
        if runs and joiner is not None and RUN_JOINER.fullmatch(joiner):
            runs[-1].append(span)
        else:
            runs.append([span])
        last_end = match.end()
    return runs


def _verdict(name: str, rules) -> str:
    """'yes', 'no', 'context' (a programme only if a programme word follows) or 'strong context'
    (only if a word that names a programme outright follows)."""
    if name in rules["known"] or any(p.match(name) for p in rules["name_patterns"]):
        return "yes"
    if len(name) < rules["min_length"] or any(p.search(name) for p in rules["traps"]):
        return "no"
    if name.endswith(rules["suffixes"]):
        return "yes"
    if any(p.search(name) for p in rules["generic"]):
        return "strong context"
    return "context"


def find_programs(tokens: Tokens) -> list[ProgramFact]:
    """Programme names in a segmented text."""
    rules = _rules()
    text = tokens.text
    spans: list[tuple[int, int]] = []
    for run in _quoted_runs(text):
        after_run = run[-1][1] + 1  # past the closing quote
        followed = rules["followed_by"].match(text, after_run) is not None
        strongly = followed and rules["strong"].match(text, after_run) is not None
        # 特色劳务品牌“某县表嫂”: a brand word right before the run names it.
        preceded = text[max(0, run[0][0] - 8) : run[0][0] - 1].endswith(rules["preceded_by"])
        for start, end in run:
            name = text[start:end]
            verdict = _verdict(name, rules)
            if verdict == "strong context" and _place_and_worker(name, rules):
                verdict = "yes"
            if (
                verdict == "yes"
                or (verdict != "no" and preceded)
                or (verdict == "context" and followed)
                or (verdict == "strong context" and strongly)
            ):
                spans.append((start, end))
    known = rules["known"]
    taken = Spans(spans)
    for word, start in zip(tokens.words, tokens.starts):
        if word in known:
            end = start + len(word)
            if not taken.holds(start, end):
                spans.append((start, end))
                taken.add(start, end)
    for pattern in [*rules["unquoted"], rules["ethnic"]]:  # 川字号, 苗家绣娘
        for match in pattern.finditer(text):
            span = match.span("name") if "name" in pattern.groupindex else match.span()
            if not taken.overlaps(*span):
                spans.append(span)
                taken.add(*span)
    from jiwen.extract.facts.places import places_of

    for place in places_of(tokens):  # 湘西绣娘: a place and a trade, unquoted
        trade = next((t for t in rules["trades"] if text.startswith(t, place.end)), None)
        # A brand takes the place's short name (潜江裁缝); 从江县电工 is a job before a name.
        if trade is None or place.level == "foreign" or place.text.endswith(rules["full_name_endings"]):
            continue
        end = place.end + len(trade)
        if text.startswith(rules["not_brand_after"], end) or taken.overlaps(place.start, end):
            continue
        spans.append((place.start, end))
        taken.add(place.start, end)
    spans.sort()
    return [ProgramFact(text=text[s:e], start=s, end=e, sentence=sentence_at(text, s), name=text[s:e]) for s, e in spans]
