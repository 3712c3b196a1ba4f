"""Sentences of a body: the text between sentence-final marks (。！？；…), paragraph breaks included.

A fact's `sentence` is the sentence its start falls in. Hand-written rather than spaCy's
sentencizer: the Doc's sentence boundaries would need per-token Python work, while one regular
expression over the text, cached per text, finds them all at C speed.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right

SENTENCE_END = re.compile(r"[。！？!?；;…]+[”’」』\"]?|\n+")


@functools.lru_cache(maxsize=8)
def sentence_bounds(text: str) -> tuple[list[int], list[int]]:
    """Start and end offsets of every sentence of `text` (ends exclude the paragraph break)."""
    starts, ends = [], []
    position = 0
    for match in SENTENCE_END.finditer(text):
        end = match.start() if match.group().startswith("\n") else match.end()
        if end > position:
            starts.append(position)
            ends.append(end)
        position = match.end()
    if position < len(text):
        starts.append(position)
        ends.append(len(text))
    return starts, ends


@functools.lru_cache(maxsize=8)
def _sentences(text: str) -> tuple[list[int], list[str]]:
    starts, ends = sentence_bounds(text)
    return starts, [text[start:end].strip() for start, end in zip(starts, ends)]


def sentence_at(text: str, offset: int) -> str:
    """The sentence of `text` that holds character `offset`, stripped of surrounding spaces.
    The same string object for every offset in one sentence: the facts of a sentence share it,
    in memory and in the pickle that carries them from an extraction process (pickle writes an
    object once however often it occurs; a third of a figure-dense article's pickle was copies)."""
    starts, sentences = _sentences(text)
    index = bisect_right(starts, offset) - 1
    if index < 0:
        return ""
    return sentences[index]
