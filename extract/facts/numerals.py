"""Chinese numerals as news writes them most often (三, 两千, 一百零八, 三百二十万), read without cn2an.

cn2an reads every form (一万二, 十一万三, 1万2千, 三点五) and stays the reader of everything not
listed here, but importing it costs about a fifth of a second of CPU (it compiles its patterns for
every mode and imports `proces`, which builds a pattern of every Chinese city), which was a tenth
of a one-shot `jiwen extract`. The forms read here are the plain readings of 1 to 9,999 (with 两
or 二 for each 2), alone or before 万 or 亿: a form is read only when it is exactly the reading
`_plain_reading` writes for its value, and tests/extract/facts/test_numerals.py checks every such
form against cn2an, so the values are cn2an's own.
"""

from __future__ import annotations

DIGITS = "一二三四五六七八九"
DIGIT_VALUES = {**{digit: value for value, digit in enumerate(DIGITS, 1)}, "两": 2}
UNITS = {"十": 10, "百": 100, "千": 1000}
MAGNITUDES = {"万": 10_000, "亿": 100_000_000}


def _plain_reading(value: int) -> str:
    """The plain reading of 1 <= value <= 9999: 十二, 一百零八, 一千零一十, 三千二百."""
    thousands, hundreds, tens, ones = value // 1000, value // 100 % 10, value // 10 % 10, value % 10
    if value < 10:
        return DIGITS[value - 1]
    if value < 20:
        return "十" + (DIGITS[ones - 1] if ones else "")
    parts = []
    if thousands:
        parts.append(DIGITS[thousands - 1] + "千")
    if hundreds:
        parts.append(DIGITS[hundreds - 1] + "百")
    elif thousands and (tens or ones):
        parts.append("零")
    if tens:
        parts.append(DIGITS[tens - 1] + "十")
    elif hundreds and ones:
        parts.append("零")
    if ones:
        parts.append(DIGITS[ones - 1])
    return "".join(parts)


def _value(written: str) -> int | None:
    """The value `written` would have as a plain reading below 10,000, or None."""
    total, digit = 0, None
    for character in written:
        if character in DIGIT_VALUES:
            if digit is not None:
                return None
            digit = DIGIT_VALUES[character]
        elif character in UNITS:
            total += (1 if digit is None else digit) * UNITS[character]
            digit = None
        elif character != "零":
            return None
    return total + (digit or 0)


def plain_numeral_value(written: str) -> int | None:
    """The value of a plain Chinese numeral (alone or before one 万 or 亿), else None: a form left
    for cn2an. A form is taken only when it is exactly the plain reading of its value."""
    magnitude = MAGNITUDES.get(written[-1:])
    if magnitude is not None:
        written = written[:-1]
    value = _value(written)
    if value is None or not 1 <= value <= 9999 or _plain_reading(value) != written.replace("两", "二"):
        return None
    return value * (magnitude or 1)
