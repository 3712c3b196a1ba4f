"""What a count counts: the noun phrase after its unit (626名农村劳动力), or, when nothing follows,
the one before its number (其中省级总站4个). Rules in extract/data/fact_patterns.toml.

Word lists plus jieba's dictionary tags as hints: the tags are too noisy to trust alone (站 is
tagged a verb, 青年 a time word), and tagging the whole text with jieba.posseg would cost more
than segmenting it, so each word's tag is looked up in the dictionary instead.
"""

from __future__ import annotations

import functools

from .nlp import Tokens, load_rules, word_tags

QUOTES = {"“": "”", "‘": "’", "「": "」", "『": "』", '"': '"'}


@functools.cache
def _rules():
    rules = load_rules("fact_patterns.toml")["subject"]
    return {
        "max_tokens": rules["max_tokens"],
        "max_chars": rules["max_chars"],
        "breaks": set(rules["break_words"]),
        "trailing": tuple(rules["trailing_words"]),
        "stop_tags": tuple(rules["stop_tags"]),
        "noun_tags": tuple(rules["noun_tags"]),
        "noun_characters": set(rules["noun_characters"]),
        "tags": word_tags(),
    }


def _is_word(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" or ch.isalpha() for ch in word) and not any(
        ch in "零〇一二两三四五六七八九十百千" for ch in word[:1]
    )


def _tag(word: str, rules) -> str:
    if word in rules["noun_characters"]:
        return "n"
    tag = rules["tags"].get(word)
    if tag is None:
        return "x" if len(word) == 1 else "n"  # a longer word jieba does not know is most often a name
    return tag


def _is_noun(tag: str, rules) -> bool:
    return tag.startswith(rules["noun_tags"])


def subject_after(tokens: Tokens, offset: int) -> tuple[str, int, int]:
    """(subject, start, end) of the phrase starting at `offset`, or ("", offset, offset)."""
    rules = _rules()
    text = tokens.text
    start = offset
    quoted = ""
    if offset < len(text) and text[offset] in QUOTES:
        # 129个“一县一企(多企)”农村劳动力稳岗就业基地: the quoted name modifies the subject.
        close = text.find(QUOTES[text[offset]], offset + 1, offset + 30)
        if close < 0:
            return "", offset, offset
        quoted, start = text[offset + 1 : close], close + 1
    words = _phrase_after(tokens, start, rules) if start < len(text) and tokens.is_boundary(start) else []
    subject = "".join(words)
    trimmed = True
    while trimmed and subject:  # on the string: 稳岗 may be one word or two
        trimmed = False
        for word in rules["trailing"]:
            if subject.endswith(word) and len(subject) > len(word):
                subject, trimmed = subject[: -len(word)], True
    if not subject:
        if quoted:  # 四个“全球购海外站”: the quoted name is what is counted
            return quoted, offset, close + 1
        return "", offset, offset
    return subject, start, start + len(subject)


def _phrase_after(tokens: Tokens, start: int, rules) -> list[str]:
    index = tokens.index_at(start)
    words: list[str] = []
    tags: list[str] = []
    while index < len(tokens.words) and len(words) < rules["max_tokens"]:
        word = tokens.words[index]
        if word in rules["breaks"] or not _is_word(word) or sum(map(len, words)) + len(word) > rules["max_chars"]:
            break
        tag = _tag(word, rules)
        if tag.startswith(rules["stop_tags"]) or tag == "x":
            break
        # After a noun, one verb may join two nouns (乡村振兴重点县); two verbs start a clause
        # (企业带来适合…).
        if tags and not _is_noun(tag, rules) and not _is_noun(tags[-1], rules) and any(
            _is_noun(t, rules) for t in tags
        ):
            break
        words.append(word)
        tags.append(tag)
        index += 1
    while words and not _is_noun(tags[-1], rules):  # end on a noun
        words.pop()
        tags.pop()
    return words


def subject_before(tokens: Tokens, offset: int) -> tuple[str, int, int]:
    """(subject, start, end) of the phrase ending at `offset` when no phrase follows the count."""
    rules = _rules()
    if offset < 1 or not tokens.is_boundary(offset):
        return "", offset, offset
    index = tokens.index_at(offset - 1)
    words: list[str] = []
    while index >= 0 and len(words) < rules["max_tokens"] - 2:
        word = tokens.words[index]
        if word in rules["breaks"] or not _is_word(word):
            break
        tag = _tag(word, rules)
        # Before a count, a verb is the predicate (签订劳务协议235份), not part of the subject.
        if not _is_noun(tag, rules) or (not words and tag.startswith("t")):
            break
        words.insert(0, word)
        index -= 1
    if not words:
        return "", offset, offset
    subject = "".join(words)
    return subject, offset - len(subject), offset
