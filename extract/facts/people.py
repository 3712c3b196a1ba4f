"""People: names after a role word (外出务工人员韦发, 负责人李明说) or in a byline ((记者 韦倩)),
and every later mention of a name found so. Rules in extract/data/people.toml.

No Chinese person-name model ships with the packages here and jieba's HMM guesses at unknown
names (it cuts 韦发心里 anywhere), so names are anchored on role words and surnames instead.
"""

from __future__ import annotations

import functools
import re

from jiwen.core.models import PersonFact
from jiwen.extract.facts.nlp import Tokens, load_rules
from jiwen.extract.facts.sentences import sentence_at
from jiwen.extract.facts.spans import Spans
from jiwen.text.dictionary import word_tags


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.cache
def _rules():
    rules = load_rules("people.toml")
    surnames = "".join(rules["surnames"].split())
    surname = rf"(?:{_alternation(rules['compound_surnames'])}|[{surnames}])"
    role_name = re.compile(
        rf"(?P<role>{_alternation(rules['roles'])})[ 　]?(?P<name>{surname}[\u4e00-\u9fff]{{1,2}}?)"
        rf"(?={_alternation(rules['after_name'])})"
    )
    byline = re.compile(
        rf"[（(](?P<role>{_alternation(rules['byline_roles'])})[ 　:：]*"
        rf"(?P<names>{surname}[\u4e00-\u9fff]{{1,2}}(?:[ 　、]+{surname}[\u4e00-\u9fff]{{1,2}})*)[）)]"
    )
    speaker = re.compile(
        rf"(?<=[{rules['role_endings']}])(?P<name>{surname}[\u4e00-\u9fff]{{1,2}}?)"
        rf"(?={_alternation(rules['speech_verbs'])})"
    )
    titles = tuple(rules["title_words"])
    not_names = set(rules["not_names"])

    tags = word_tags()

    def is_name(text: str) -> bool:
        # A dictionary word that is not a person name is a word (严重, 关注, 左右), not a name.
        tag = tags.get(text)
        if tag is not None and not tag.startswith("nr"):
            return False
        return text not in not_names and not text[1:].endswith(titles)

    return role_name, byline, is_name, re.compile(surname), speaker


def find_people(tokens: Tokens) -> list[PersonFact]:
    """Person names in a segmented text."""
    role_name, byline, is_name, surname, speaker = _rules()
    text = tokens.text
    found: dict[tuple[int, int], str | None] = {}
    roles: dict[str, str | None] = {}
    for match in role_name.finditer(text):
        name = match.group("name")
        if is_name(name):
            found[match.span("name")] = match.group("role")
            roles.setdefault(name, match.group("role"))
    taken = Spans(found)
    for match in speaker.finditer(text):
        name = match.group("name")
        if not tokens.is_boundary(match.start("name")):
            continue  # 师范大学: the "role ending" is inside a word
        if is_name(name) and not taken.overlaps(match.start(), match.end()):
            found[match.span("name")] = None
            taken.add(*match.span("name"))
            roles.setdefault(name, None)
    for match in byline.finditer(text):
        offset = match.start("names")
        for part in re.split(r"([ 　、]+)", match.group("names")):
            if part.strip(" 　、") and surname.match(part) and is_name(part):
                found[(offset, offset + len(part))] = match.group("role")
                roles.setdefault(part, match.group("role"))
            offset += len(part)
    for name, role in roles.items():  # later mentions: 韦发心里充满感激
        start = text.find(name)
        while start >= 0:
            span = (start, start + len(name))
            if span not in found and not any(s < span[1] and span[0] < e for s, e in found):
                found[span] = role
            start = text.find(name, start + 1)
    return [
        PersonFact(text=text[s:e], start=s, end=e, sentence=sentence_at(text, s), name=text[s:e], role=role)
        for (s, e), role in sorted(found.items())
    ]
