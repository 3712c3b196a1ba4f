"""What a count counts: the noun phrase after its unit (626名农村劳动力), or, when nothing follows,
the one before its number (其中省级总站4个). Rules in extract/data/fact_patterns.toml.

Word lists rather than part-of-speech tags: jieba's tags are too noisy here (it tags 遵义 as a
verb), and tagging the whole text with jieba.posseg would cost more than segmenting it.
"""

from __future__ import annotations

import functools

from .nlp import Tokens, load_rules

QUOTES = {"“": "”", "‘": "’", "「": "」", "『": "』", '"': '"'}


@functools.cache
def _rules():
    rules = load_rules("fact_patterns.toml")["subject"]
    return rules["max_tokens"], rules["max_chars"], set(rules["break_words"]), set(rules["trailing_words"])


def _is_word(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" or ch.isalpha() for ch in word) and not any(
        ch in "零〇一二两三四五六七八九十百千" for ch in word[:1]
    )


def subject_after(tokens: Tokens, offset: int) -> tuple[str, int, int]:
    """(subject, start, end) of the phrase starting at `offset`, or ("", offset, offset)."""
    max_tokens, max_chars, breaks, trailing = _rules()
    text = tokens.text
    start = offset
    if offset < len(text) and text[offset] in QUOTES:
        # 129个“一县一企(多企)”农村劳动力稳岗就业基地: the quoted name modifies the subject.
        close = text.find(QUOTES[text[offset]], offset + 1, offset + 30)
        if close < 0:
            return "", offset, offset
        start = close + 1
    if start >= len(text) or not tokens.is_boundary(start):
        return "", offset, offset
    index = tokens.index_at(start)
    words: list[str] = []
    while index < len(tokens.words) and len(words) < max_tokens:
        word = tokens.words[index]
        if word in breaks or not _is_word(word) or sum(map(len, words)) + len(word) > max_chars:
            break
        words.append(word)
        index += 1
    subject = "".join(words)
    # On the string, not the words: with or without jieba's HMM, 稳岗 may come out as one word or two.
    trimmed = True
    while trimmed and subject:
        trimmed = False
        for word in trailing:
            if subject.endswith(word) and len(subject) > len(word):
                subject, trimmed = subject[: -len(word)], True
    if not subject:
        return "", offset, offset
    return subject, start, start + len(subject)


def subject_before(tokens: Tokens, offset: int) -> tuple[str, int, int]:
    """(subject, start, end) of the phrase ending at `offset` when no phrase follows the count."""
    max_tokens, _max_chars, breaks, _trailing = _rules()
    text = tokens.text
    if offset < 1 or not tokens.is_boundary(offset):
        return "", offset, offset
    index = tokens.index_at(offset - 1)
    words: list[str] = []
    while index >= 0 and len(words) < max_tokens - 2:
        word = tokens.words[index]
        if word in breaks or not _is_word(word):
            break
        words.insert(0, word)
        index -= 1
    if not words:
        return "", offset, offset
    subject = "".join(words)
    return subject, offset - len(subject), offset
