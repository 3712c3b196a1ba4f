"""The normalized copy every downstream stage works on: simplified characters, half-width digits
and Latin letters, one space for any whitespace run, paragraphs joined by "\\n".

The raw bytes are archived elsewhere; nothing here is meant to be reversible.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

# Full-width digits and Latin letters (Ｕ+FF10..FF5A) fold to ASCII; full-width Chinese punctuation
# (，。：) is left alone because it is the normal punctuation of Chinese text. NFKC would also fold
# the punctuation and "…", which readers of the exported body do not expect.
_FULL_WIDTH_TABLE = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B) if chr(code - 0xFEE0).isalnum()}
# Zero-width characters, the private-use code points icon fonts draw their glyphs with, and the
# noncharacters U+FDD0..U+FDEF (html.py marks block breaks in the tree with one).
_INVISIBLE_TABLE = dict.fromkeys([*map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), *range(0xE000, 0xF900), *range(0xFDD0, 0xFDF0)], None)
_CHARACTER_TABLE = {**_FULL_WIDTH_TABLE, **_INVISIBLE_TABLE}
_SPACE_RUN = re.compile(r"[ \t\r\n\f\v\x85\u2028\u2029\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INLINE_SPACE_RUN = re.compile(r"[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_LINE_BREAK = re.compile(r"[\n\u2028\u2029\x85]+")

# A pinyin reading in brackets right after a character: the text form of a <ruby> annotation,
# e.g. 穩(wěn)崗. A tone mark is required so that "(记者 韦倩)" or "(GDP)" are never touched.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_PINYIN_ANNOTATION = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff])[(（]\s*[a-z]*[" + _TONED + r"][a-z" + _TONED + r"]*\s*[)）]")


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _variants() -> dict[int, str]:
    import tomllib
    from importlib import resources

    table = tomllib.loads(resources.files("jiwen.extract.data").joinpath("variants.toml").read_text("utf-8"))
    return {ord(variant): simplified for variant, simplified in table["characters"].items()}


def to_simplified(text: str) -> str:
    return _converter().convert(text).translate(_variants())


# The same reading orphaned by a lost character that a decoder replaced with "?": 崗?fù)崗.
_ORPHAN_PINYIN_ANNOTATION = re.compile(r"(?<=\?)[a-z]*[" + _TONED + r"][a-z" + _TONED + r"]*[)）]")


def strip_pinyin_annotations(text: str) -> str:
    """Drop ruby readings that survived as text: 穩(wěn)崗 -> 穩崗."""
    return _ORPHAN_PINYIN_ANNOTATION.sub("", _PINYIN_ANNOTATION.sub("", text))


def normalize_line(line: str) -> str:
    """One line of normalized text: no line breaks survive (they become spaces)."""
    return _SPACE_RUN.sub(" ", line.translate(_CHARACTER_TABLE)).strip()


def normalize_text(text: str) -> str:
    """The normalization the article body gets: t2s, half-width alphanumerics, whitespace runs
    collapsed, empty lines dropped, lines joined by "\\n". Safe on queries and titles too."""
    if not text:
        return ""
    # Whole-text passes rather than one per line: a page's chrome can run to tens of thousands of lines.
    text = _INLINE_SPACE_RUN.sub(" ", _LINE_BREAK.sub("\n", to_simplified(text).translate(_CHARACTER_TABLE)))
    return "\n".join(stripped for stripped in (line.strip() for line in text.split("\n")) if stripped)
