"""Counts, money and percents: a number with its unit, qualifier and (for counts) subject.

One regular expression, built from extract/data/units.toml and qualifiers.toml, runs over the
whole text; only numbers followed by a unit word become facts, so years (2023年), dates, phone
numbers and IDs stay out without special cases. Chinese numerals go through cn2an (the plain
readings news uses most, 三 or 一百零八, through `numerals.py`, which spares cn2an's import); Arabic digits
(half- or full-width) and the 万/亿 multipliers are read here because cn2an does not take
mixtures such as "81836.46万" with a decimal and a multiplier.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from jiwen.core.models import CountFact, MoneyFact, PercentFact
from jiwen.extract.facts.nlp import Tokens, load_rules
from jiwen.extract.facts.numerals import plain_numeral_value
from jiwen.extract.facts.sentences import sentence_at

FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")
# Bounded runs: a number is never longer than this, and an unbounded run made a body of a million
# numerals quadratic (every position of the run started a match that scanned the rest of it).
ARABIC = r"[0-9０-９]{1,15}(?:[.．][0-9０-９]{1,8})?"
# Digits and Chinese magnitudes mixed: 1万2千人, 2亿3千万元 (read by cn2an's "smart" mode).
MIXED = r"[0-9０-９]{1,8}(?:[亿万千百][0-9０-９]{1,8}){1,4}[亿万千百]{1,3}"
CHINESE = r"[零〇一二两三四五六七八九十百千万亿]{1,16}(?:点[零〇一二三四五六七八九]{1,8})?"
CHINESE_DIGITS = set("零〇一二两三四五六七八九")
# A Chinese numeral alone that is really a word: 一 in 一个缩影 / 一张网, 百 in 百家号, 千 in 千家万户,
# 二 in 二次 (a count of two is written 两).
IDIOMATIC_NUMERALS = {"一", "二", "百", "千", "万", "亿", "百万", "千万", "万亿"}


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.cache
def _rules():
    units = load_rules("units.toml")
    qualifiers = load_rules("qualifiers.toml")
    multipliers = units["multipliers"]
    before = {w: q for q, words in qualifiers["before"].items() for w in words}
    inside = {w: q for q, words in qualifiers["inside"].items() for w in words}
    after = {w: q for q, words in qualifiers["after"].items() for w in words}
    currencies = units["money"]["currencies"]
    count_units = units["count"]["units"]
    percent_signs = units["percent"]["signs"]
    number = rf"(?:{MIXED}|{ARABIC}|{CHINESE})"
    separators = _alternation(qualifiers["range"]["separators"])

    def part(i):
        return (
            # 10多万元, 30余万人次: the qualifier may also stand before the multiplier.
            rf"(?P<n{i}>{number})(?:(?P<j{i}>{_alternation(inside)})(?={_alternation(multipliers)}))?"
            rf"(?P<m{i}>{_alternation(multipliers)})?(?P<i{i}>{_alternation(inside)})?"
        )

    blocked = _alternation(units["count"]["blocked_followers"])
    # Fails fast at characters that cannot open a number: Python's re tries every branch at
    # every position otherwise, which made this scan the slowest step after segmentation.
    openers = "".join(sorted({w[0] for w in before} | set("0123456789０１２３４５６７８９零〇一二两三四五六七八九十百千万亿")))
    pattern = (
        rf"(?=[{re.escape(openers)}])"
        rf"(?P<before>{_alternation(before)})?"
        rf"(?<![0-9０-９.．A-Za-z第])"
        + part(1)
        # 30%至40%, 4500元至6000元: the first end may repeat the unit.
        + rf"(?:(?P<s1>{_alternation([*percent_signs, *currencies])})(?=(?:{separators})[0-9０-９零〇一二两三四五六七八九十]))?"
        + rf"(?:(?P<sep>{separators}){part(2)})?"
        + rf"(?!{blocked})"
        + rf"(?:(?P<percent>{_alternation(percent_signs)})|(?P<tenths>{_alternation(units['percent']['tenths'])})"
        + rf"|(?P<money>{_alternation(currencies)})"
        + rf"|(?P<count>{_alternation(count_units)})"
        + rf"|(?P<noun>{_alternation(units['count']['counted_nouns'])}))"
        + rf"(?P<after>{_alternation(after)})?"
    )
    # A denominator starts where a run of digits starts and is short (百分之, 3分之1): without the
    # lookbehind a run of a million digits was tried from each of its positions, quadratic.
    spelled = re.compile(
        rf"(?P<before>{_alternation(before)})?(?P<denominator>{CHINESE}|(?<![0-9])[0-9]{{1,6}}){units['percent']['fraction_word']}"
        rf"(?P<n1>{CHINESE}(?:点[零〇一二三四五六七八九]+)?)(?P<after>{_alternation(after)})?"
    )
    return {
        "pattern": re.compile(pattern),
        "spelled": spelled,
        "multipliers": {k: Decimal(v) for k, v in multipliers.items()},
        "before": before,
        "inside": inside,
        "after": after,
        "currencies": currencies,
        "chinese_only": set(units["count"]["chinese_numeral_only"]),
        "small_numeral_only": units["count"]["small_numeral_only"],
        "self_counting": set(units["count"]["self_counting"]),
        "aliases": units["count"].get("aliases", {}),
        "reference_before": tuple(units["count"]["reference_before"]),
        "counted_nouns": units["count"]["counted_nouns"],
    }


def parse_number(written: str) -> Decimal:
    """The value of an Arabic (half- or full-width) or Chinese numeral: "9.92", "１２", "十二万"."""
    if written[0] in "0123456789０１２３４５６７８９":
        if written[-1] in "亿万千百":  # a mixture such as 1万2千
            import cn2an

            return Decimal(str(cn2an.cn2an(written.translate(FULL_WIDTH_DIGITS), "smart")))
        return Decimal(written.translate(FULL_WIDTH_DIGITS))
    if written in _rules()["multipliers"]:  # 近千人: a magnitude alone means one of it
        return _rules()["multipliers"][written]
    plain = plain_numeral_value(written)
    if plain is not None:
        return Decimal(plain)
    import cn2an  # imported on first use: it costs a fifth of a second

    return Decimal(str(cn2an.cn2an(written, "normal")))


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _is_chinese(written: str) -> bool:
    return written[0] not in "0123456789０１２３４５６７８９"


def find_numbers(tokens: Tokens) -> list[CountFact | MoneyFact | PercentFact]:
    """Counts, money and percents in a segmented text."""
    rules = _rules()
    text = tokens.text
    facts: list[CountFact | MoneyFact | PercentFact] = []
    for match in rules["pattern"].finditer(text):
        try:
            fact = _number_fact(match, tokens, rules)
        except ValueError:  # a run of numeral characters cn2an cannot read (十十) is not a number
            continue
        if fact is not None:
            facts.append(fact)
    for match in rules["spelled"].finditer(text):  # 百分之六十以上, 四分之一左右
        before = match.group("before")
        start = match.start() if not before or tokens.is_boundary(match.start()) else match.start() + len(before)
        try:
            denominator = parse_number(match.group("denominator").replace("百", "一百").replace("千", "一千"))
            value = _plain(parse_number(match.group("n1")) * 100 / denominator)
        except (ValueError, ArithmeticError):
            continue
        qualifier = _qualifier(match, rules, start)
        facts.append(_make(PercentFact, text, start, match.end(), value=value, qualifier=qualifier))
    facts.sort(key=lambda f: f.start)
    return facts


def _qualifier(match: re.Match, rules, start: int) -> str:
    after = match.group("after")
    if after:
        return rules["after"][after]
    for group in ("i2", "j2", "i1", "j1"):
        inside = match.groupdict().get(group)
        if inside:
            return rules["inside"][inside]
    before = match.group("before")
    if before and start == match.start():
        return rules["before"][before]
    return "exact"


def _number_fact(match: re.Match, tokens: Tokens, rules):
    text = tokens.text
    first, second = match.group("n1"), match.group("n2")
    qualified = bool(match.group("before"))
    for written in (first, second):
        if (
            written
            and _is_chinese(written)
            and (
                # 近千人 is about 1000, 约一成 about 10%; alone, 一 and 千 are words (一个缩影, 千家万户)
                (written in IDIOMATIC_NUMERALS and not (qualified and (written != "一" or match.group("tenths"))))
                or not (CHINESE_DIGITS & set(written) or written[0] == "十" or written in IDIOMATIC_NUMERALS)
            )
        ):
            return None
    number_start = match.start("n1")
    if (
        _is_chinese(first)
        and not match.group("before")
        and text[max(0, number_start - 2) : number_start].endswith(rules["reference_before"])
    ):
        return None  # 这两趟专列: the two already told of
    # A Chinese numeral must start a word (统一 + 个 is not "一个"), or its qualifier must (近千人).
    if _is_chinese(first) and not tokens.is_boundary(number_start) and not (qualified and tokens.is_boundary(match.start())):
        return None
    noun = match.group("noun")
    if noun and not (match.group("m1") or match.group("m2")):
        return None  # 逾30万农村劳动力 is a count; 30农村劳动力 is not how a count is written
    tenths = match.group("tenths")
    unit_kind = "percent" if match.group("percent") or tenths else "money" if match.group("money") else "count"
    unit = match.group("tenths" if tenths else unit_kind)
    if unit_kind == "count":
        unit = rules["aliases"].get(unit, unit)
    if unit_kind == "count" and unit in rules["chinese_only"] and not _is_chinese(first):
        return None
    if (
        unit_kind == "count"
        and unit in rules["small_numeral_only"]
        and (second or first not in rules["small_numeral_only"][unit] or match.group("m1"))
    ):
        return None
    before = match.group("before")
    start = match.start() if before and tokens.is_boundary(match.start()) else number_start
    end = match.end()
    unit_group = "tenths" if tenths else "noun" if noun else unit_kind
    # 千家万户, 一张网: the numeral and unit sit inside a longer word.
    if (
        _is_chinese(first)
        and not tokens.is_boundary(match.end(unit_group))
        and not match.group("after")
        and tokens.words[tokens.index_at(match.end(unit_group) - 1)] not in (unit, first + unit)
    ):
        return None

    multiplier_2 = rules["multipliers"].get(match.group("m2") or "", Decimal(1))
    multiplier_1 = rules["multipliers"].get(match.group("m1") or "", None)
    if multiplier_1 is None:
        multiplier_1 = multiplier_2 if second else Decimal(1)  # 3至5万人: both ends in 万
    value = _plain(parse_number(first) * multiplier_1)
    value_end = _plain(parse_number(second) * multiplier_2) if second else None
    qualifier = _qualifier(match, rules, start)
    first_unit = match.group("s1")
    if first_unit and (first_unit in rules["currencies"]) != (unit_kind == "money"):
        # 由35.7%至35.9亿元: the two ends are different kinds of number, so only the first is one.
        kind = MoneyFact if first_unit in rules["currencies"] else PercentFact
        fields = {"currency": rules["currencies"][first_unit]} if kind is MoneyFact else {}
        alone = _plain(parse_number(first) * rules["multipliers"].get(match.group("m1") or "", Decimal(1)))
        return _make(kind, text, start, match.end("s1"), value=alone, qualifier=qualifier, **fields)
    if tenths:
        value = _plain(Decimal(str(value)) * 10)
        value_end = _plain(Decimal(str(value_end)) * 10) if value_end is not None else None
    if unit_kind == "percent":
        return _make(PercentFact, text, start, end, value=value, value_end=value_end, qualifier=qualifier)
    if unit_kind == "money":
        return _make(MoneyFact, text, start, end, value=value, value_end=value_end, qualifier=qualifier, currency=rules["currencies"][unit])
    from jiwen.extract.facts.subjects import clause_subject, subject_after, subject_before

    if noun:
        return _make(
            CountFact,
            text,
            start,
            end,
            value=value,
            value_end=value_end,
            qualifier=qualifier,
            unit=rules["counted_nouns"][noun],
            subject=noun,
        )
    if unit in rules["self_counting"]:
        return _make(CountFact, text, start, end, value=value, value_end=value_end, qualifier=qualifier, unit=unit)
    subject, subject_start, subject_end = subject_after(tokens, match.end())
    if subject:
        end = max(end, subject_end)
    else:
        subject, subject_start, _ = subject_before(tokens, start)
        if subject:
            start = subject_start
        else:  # the figure's text stays the figure: the clause is not part of it
            subject = clause_subject(tokens, start)
    return _make(CountFact, text, start, end, value=value, value_end=value_end, qualifier=qualifier, unit=unit, subject=subject or None)


def _make(kind, text: str, start: int, end: int, **fields):
    return kind(text=text[start:end], start=start, end=end, sentence=sentence_at(text, start), **fields)
