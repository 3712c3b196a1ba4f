"""The plain Chinese numerals read without cn2an give cn2an's own values, and only those are read."""

from __future__ import annotations

import itertools

import cn2an

from jiwen.extract.facts.numerals import _plain_reading, plain_numeral_value


def plain_forms():
    """Every plain reading of 1..9999, with each 二 also written 两."""
    for value in range(1, 10_000):
        choices = [("二", "两") if character == "二" else (character,) for character in _plain_reading(value)]
        for form in itertools.product(*choices):
            yield "".join(form), value


def test_every_plain_reading_has_cn2ans_value_alone_and_before_wan_and_yi():
    forms = list(plain_forms())
    assert len(forms) > 10_000
    for written, value in forms:
        assert plain_numeral_value(written) == value == cn2an.cn2an(written, "normal"), written
    for written, value in forms[::7]:  # a seventh of them before each magnitude: the same rule
        for magnitude, factor in (("万", 10_000), ("亿", 100_000_000)):
            assert plain_numeral_value(written + magnitude) == value * factor == cn2an.cn2an(written + magnitude, "normal")


def test_forms_other_than_a_plain_reading_are_left_to_cn2an():
    # Spoken shortenings, a unit alone, digits read one by one, decimals and nonsense.
    for written in ("一万二", "两千三", "一十二", "百", "万", "十十", "一二三", "二〇二三", "三点五", "零", "一百十", "万万", "一千零十"):
        assert plain_numeral_value(written) is None, written


def test_every_short_string_of_numeral_characters_is_read_as_cn2an_reads_it_or_left_to_it():
    alphabet = "零一二两三四五六七八九十百千万"
    for length in range(1, 4):
        for characters in itertools.product(alphabet, repeat=length):
            written = "".join(characters)
            value = plain_numeral_value(written)
            if value is not None:
                assert cn2an.cn2an(written, "normal") == value, written
