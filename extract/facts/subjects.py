"""What a count counts: the noun phrase after its unit (626名农村劳动力), or, when nothing follows,
the one before its number (其中省级总站4个). Rules in extract/data/fact_patterns.toml.

Word lists plus jieba's dictionary tags as hints: the tags are too noisy to trust alone (站 is
tagged a verb, 青年 a time word), and tagging the whole text with jieba.posseg would cost more
than segmenting it, so each word's tag is looked up in the dictionary instead.
"""

from __future__ import annotations

import functools

from jiwen.extract.facts.nlp import Tokens, load_rules
from jiwen.text.dictionary import word_tags

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
        "linking": tuple(sorted(rules["linking_words"], key=len, reverse=True)),
        "leading": set(rules["leading_words"]),
        "leading_tags": tuple(rules["leading_tags"]),
        "clause_marks": set(rules["clause_marks"]),
        "noun_after": set(rules["noun_after_classifiers"]),
        "heads": tuple(sorted(rules["head_nouns"], key=len, reverse=True)),
        "openers": set(rules["compound_openers"]),
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
    words = _phrase_after(tokens, start, rules) if start < len(text) else []
    subject = "".join(words)
    untrimmed = subject
    trimmed = True
    while trimmed and subject:  # on the string: 稳岗 may be one word or two
        trimmed = False
        for word in rules["trailing"]:
            if subject.endswith(word) and len(subject) > len(word):
                subject, trimmed = subject[: -len(word)], True
    if not subject and untrimmed and not quoted:
        # 带动3.2万人就业创业: what the people do is all the text says about them.
        subject = untrimmed
    if not subject:
        if quoted:  # 四个“全球购海外站”: the quoted name is what is counted
            return quoted, offset, close + 1
        return "", offset, offset
    return subject, start, start + len(subject)


def _phrase_after(tokens: Tokens, start: int, rules) -> list[str]:
    index = tokens.index_at(start)
    words: list[str] = []
    tags: list[str] = []
    if not tokens.is_boundary(start):
        # jieba joins the unit with the noun (315名选手 -> 名选手, 100名青年 -> 名青年): the
        # rest of that word opens the phrase.
        rest = tokens.words[index][start - tokens.starts[index] :]
        tag = _tag(rest, rules)
        if rest in rules["breaks"] or not _is_word(rest) or tag.startswith(rules["stop_tags"]) or tag == "x":
            return []
        words.append(rest)
        tags.append(tag)
        index += 1
    while index < len(tokens.words) and len(words) < rules["max_tokens"]:
        word = tokens.words[index]
        if word in rules["breaks"] and (words or word in rules["openers"]) and _head_follows(tokens, index + 1, rules):
            # 稳岗就业基地, 就业岗位: the break word is inside a compound noun whose head follows.
            words.append(word)
            tags.append("n")
            index += 1
            continue
        if word in rules["breaks"] or not _is_word(word) or sum(map(len, words)) + len(word) > rules["max_chars"]:
            break
        tag = _tag(word, rules)
        if not words and tokens.text[start - 1 : start] in rules["noun_after"] and tag[:1] in ("v", "t"):
            tag = "n"  # a person classifier is followed by a noun: 315名选手, 100名青年 (jieba: v, t)
        if tag.startswith(rules["stop_tags"]) or tag == "x":
            break
        # After a noun, one verb may join two nouns (乡村振兴重点县); two verbs start a clause
        # (企业带来适合…).
        if tags and not _is_noun(tag, rules) and not _is_noun(tags[-1], rules) and any(_is_noun(t, rules) for t in tags):
            break
        words.append(word)
        tags.append(tag)
        index += 1
    while words and not _is_noun(tags[-1], rules):  # end on a noun
        words.pop()
        tags.pop()
    return words


def _head_follows(tokens: Tokens, index: int, rules) -> bool:
    return index < len(tokens.words) and tokens.words[index].startswith(rules["heads"])


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


def clause_subject(tokens: Tokens, offset: int) -> str:
    """What a figure with no noun phrase beside it measures: the rest of its clause before it,
    without the linking words next to the figure (达, 累计, 共) and the time, place and linking
    words that open the clause (今年上半年, 其中, 全省). 规模达1038.4万人 after a clause naming
    the subject (云南省农村劳动力转移就业规模不断扩大，今年上半年达…) takes that clause's
    leading noun phrase instead. "" when nothing is left."""
    rules = _rules()
    text = tokens.text
    clause_start = offset
    # Back to the clause mark, or to the figure before it (补贴200万元惠及300人: the 300人 is not
    # what the 200万元 counts).
    while (
        clause_start > 0
        and text[clause_start - 1] not in rules["clause_marks"]
        and not text[clause_start - 1].isdigit()
        and offset - clause_start < 40
    ):
        clause_start -= 1
    subject = _clause_words(tokens, clause_start, offset, rules)
    if subject or clause_start == 0 or text[clause_start - 1] not in "，,":
        return subject
    previous_start = clause_start - 1
    while previous_start > 0 and text[previous_start - 1] not in rules["clause_marks"] and clause_start - previous_start < 40:
        previous_start -= 1
    return _clause_words(tokens, previous_start, clause_start - 1, rules, leading_only=True)


def _clause_words(tokens: Tokens, start: int, end: int, rules, leading_only: bool = False) -> str:
    if end - start < 2:
        return ""
    first, last = tokens.index_at(start), tokens.index_at(end - 1)
    words = [tokens.words[i] for i in range(first, last + 1)]
    if words and tokens.starts[first] < start:
        words[0] = words[0][start - tokens.starts[first] :]
    if words and tokens.starts[last] + len(tokens.words[last]) > end:
        words[-1] = words[-1][: end - tokens.starts[last]]
    words = [w for w in words if w.strip()]

    def leading(word: str) -> bool:
        tag = _tag(word, rules)
        return (
            word in rules["leading"]
            or not _is_word(word)
            and word[:1] not in QUOTES
            and word[:1] not in "”’"
            or tag.startswith(rules["leading_tags"])
        )

    while words and leading(words[0]):
        words.pop(0)
    if leading_only:
        kept = []
        for word in words:  # up to the first adverb or particle: 农村劳动力转移就业规模 | 不断扩大
            if _tag(word, rules).startswith(rules["stop_tags"]) or word in rules["breaks"] and kept:
                break
            kept.append(word)
        words = kept
    subject = "".join(words)
    stripped = True
    while stripped and subject:
        stripped = False
        for word in rules["linking"]:
            if subject.endswith(word):
                subject, stripped = subject[: -len(word)], True
    subject = subject[-rules["max_chars"] :].strip()
    if len(subject) < 2 or not any("\u4e00" <= ch <= "\u9fff" for ch in subject):
        return ""
    return subject
