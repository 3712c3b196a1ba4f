"""The Chinese analyzer shared by the title and body fields, at index and at query time.

jieba's stock `jieba.analyse.ChineseAnalyzer` did not serve: it runs `jieba.tokenize(mode="search")`
with the HMM on, gives every token its *character* offset as its position (so Whoosh phrase
queries, which need consecutive positions, never match), and pushes each token through a Porter
stemmer meant for English. Here:

- words come from jieba's dictionary cut (HMM off) with the project's user words (gazetteer and
  programme names, as in `jiwen.text.segmenter.segmenter()`), so index terms agree with the facts the
  extractor found; the HMM only guesses unknown words, and guesses differ between a sentence and a
  query, which costs phrase matches and time;
- at index time a long word also yields its dictionary sub-words (the 2- and 3-character pieces
  `jieba.cut_for_search` adds) at the *same* position, so `毕业生` finds `高校毕业生`; at query time
  only the main words are produced, so a phrase is a plain sequence of consecutive positions;
- what to emit for each distinct word is computed once and cached: news vocabulary is small and
  repetitive, and this is where most of the time went.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from whoosh.analysis import Token, Tokenizer

from jiwen.text import segmenter as text_segmenter

if TYPE_CHECKING:
    from jieba import Tokenizer

SUBWORD_CACHE_LIMIT = 500_000


def segmenter() -> Tokenizer:
    """The extractor's segmenter (`jiwen.text.segmenter.segmenter()`: jieba's dictionary and
    algorithm, in C++ through jieba_fast_dat, with the project's place and programme words), so
    index terms agree with the facts the extractor found and the dictionary loads once a process."""
    return text_segmenter.segmenter()


def word_frequency(word: str) -> int:
    # A search-only process has the query segmenter alone: the same dictionary and words.
    if _query_segmenter is not None and not text_segmenter.segmenter.cache_info().currsize:
        pending = _query_words.get(word)
        return pending if pending is not None else text_segmenter.dictionary_frequency(word, _query_segmenter)
    return text_segmenter.dictionary_frequency(word)


# The user words (places, programmes) an index was built with, saved in its folder. A process that
# only searches cuts its queries with jieba's dictionary plus these words, the same cut as the
# extractor's segmenter, without deriving them again from the gazetteer and jieba's dictionary
# (which took most of a one-shot `jiwen search`). Not a Whoosh file name: Whoosh leaves it alone.
WORDS_FILE = "jw_user_words.tsv"
_query_segmenter = None
# The saved words not given to the query segmenter yet, and the dictionary total it cuts with.
# A word can change the cut of a text only if it occurs in the text, so each query gives the
# segmenter just the saved words it contains (jieba's add_word, a Python call a word, took a
# quarter of a one-shot search for all of them); the total, which weighs every route, is set to
# what it is with every word added, so the cut is the same as with all of them.
_query_words: dict[str, int] = {}
_query_total = 0


def _user_words_text() -> str:
    words = sorted(text_segmenter.user_words())
    return "".join(f"{word}\t{word_frequency(word)}\n" for word in words)


def save_user_words(directory) -> None:
    """Write the index's user words beside it (when they differ from what is there)."""
    import os
    from pathlib import Path

    path = Path(directory) / WORDS_FILE
    text = _user_words_text()
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    partial = path.with_name(f".{WORDS_FILE}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def use_index_words(directory) -> None:
    """Cut queries with the words saved beside the index in `directory`, unless this process has
    the extractor's segmenter already (then that one serves, as before)."""
    global _query_segmenter
    from pathlib import Path

    if _query_segmenter is not None or text_segmenter.segmenter.cache_info().currsize:
        return
    path = Path(directory) / WORDS_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return
    import logging

    try:
        import jieba_fast_dat as jieba_module
    except ImportError:  # pragma: no cover - the dependency is declared; kept for odd platforms
        import jieba as jieba_module
    jieba_module.setLogLevel(logging.WARNING)
    global _query_total
    tokenizer = jieba_module.Tokenizer()
    tokenizer.initialize()
    words: dict[str, int] = {}
    for line in lines:
        word, _, frequency = line.partition("\t")
        if word:
            words[word] = int(frequency or 0) or text_segmenter.USER_WORD_FREQUENCY
    # As adding every word would leave it: jieba's add_word adds the word's frequency to the
    # total (even for a word the dictionary had).
    _query_total = tokenizer.total + sum(words.values())
    _query_words.clear()
    _query_words.update(words)
    tokenizer.total = _query_total
    _query_segmenter = tokenizer


def _give_query_words(text: str) -> None:
    found = [word for word in _query_words if word in text]
    for word in found:
        _query_segmenter.add_word(word, freq=_query_words.pop(word))
    if found:
        _query_segmenter.total = _query_total


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    text = resources.files("jiwen.index").joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


# word -> (term or None when the word is punctuation/space/stop word, ((sub-word, offset), ...))
_word_cache: dict[str, tuple[str | None, tuple[tuple[str, int], ...]]] = {}


def _analyze_word(word: str) -> tuple[str | None, tuple[tuple[str, int], ...]]:
    cached = _word_cache.get(word)
    if cached is not None:
        return cached
    term: str | None = word.lower()
    if not any(character.isalnum() for character in word) or term in stop_words():
        term = None
    subwords: list[tuple[str, int]] = []
    if term is not None and len(word) > 2:
        # Same rule as jieba.cut_for_search: dictionary 2-grams for words longer than 2,
        # dictionary 3-grams for words longer than 3.
        for size in (2, 3):
            if len(word) > size:
                for offset in range(len(word) - size + 1):
                    piece = word[offset : offset + size]
                    if word_frequency(piece):
                        subwords.append((piece, offset))
    if len(_word_cache) >= SUBWORD_CACHE_LIMIT:
        _word_cache.clear()
    result = (term, tuple(subwords))
    _word_cache[word] = result
    return result


def _query_cut(text: str) -> list[str]:
    if _query_segmenter is not None:
        _give_query_words(text)
        return [word for word in _query_segmenter.cut(text, HMM=False) if word]
    return _cut(text)


def _cut(text: str) -> list[str]:
    # The extractor remembers its recent cuts: a body whose facts were just extracted (and each
    # text indexed twice, with and without positions) is segmented only once.
    return text_segmenter.segment(text)


class JiebaTokenizer(Tokenizer):
    """Whoosh tokenizer over jieba. Holds no state, because Whoosh pickles the schema (and so the
    analyzer) into every commit's table of contents; the segmenter is looked up on use."""

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        with_subwords = mode != "query"
        position = start_pos
        character = start_char
        for word in _cut(value) if with_subwords else _query_cut(value):
            term, subwords = _analyze_word(word)
            if term is None:
                character += len(word)
                continue
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = position
            if chars:
                token.startchar = character
                token.endchar = character + len(word)
            yield token
            if with_subwords:
                for piece, offset in subwords:
                    token.text = piece
                    if keeporiginal:
                        token.original = piece
                    if positions:
                        token.pos = position
                    if chars:
                        token.startchar = character + offset
                        token.endchar = character + offset + len(piece)
                    yield token
            position += 1
            character += len(word)


def term_positions(text: str) -> dict[str, list[int]]:
    """Each index term of `text` and its positions: what `JiebaTokenizer` yields at index time
    (with positions), collected straight from the cut without a Whoosh `Token` per word, which
    was a fifth of a bulk build's time."""
    positions: dict[str, list[int]] = {}
    position = 0
    cache = _word_cache
    for word in _cut(text):
        term, subwords = cache.get(word) or _analyze_word(word)
        if term is None:
            continue
        found = positions.get(term)
        if found is None:
            positions[term] = [position]
        else:
            found.append(position)
        for piece, _offset in subwords:
            found = positions.get(piece)
            if found is None:
                positions[piece] = [position]
            else:  # a piece twice in one word stands twice at its position, as Whoosh counts it
                found.append(position)
        position += 1
    return positions


def chinese_analyzer() -> JiebaTokenizer:
    return JiebaTokenizer()
