"""The language resources fact extraction shares: one jieba segmenter, one spaCy pipeline, the rule files.

Segmentation is jieba with user words generated from the gazetteer and the programme lexicon, so
that 黔东南州, 惠东县 and 春风行动 come out as single tokens. The words go into a *dedicated*
`jieba.Tokenizer`, never into jieba's global dictionary, so other users of jieba in the same process
are not changed behind their back. `segmenter()` returns that tokenizer: the search index reuses it
so that the index and the facts cut text the same way.

The document is carried by spaCy: a *blank* ``zh`` pipeline (no trained Chinese model exists
here, and nothing is downloaded at run time) whose tokenizer is our jieba segmenter and whose
components are rule-based (`jiwen.extract.facts` adds them). We do not use spaCy's own
``segmenter = "jieba"`` setting: it calls the global jieba module, which loads jieba's dictionary a
second time (about a second) and knows none of our user words. The Doc is built straight from the
jieba words (`Doc(vocab, words=..., spaces=...)`), so segmentation happens once per text.
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
from importlib import resources
from itertools import accumulate
from pathlib import Path
from typing import Any

# Frequency given to generated user words: high enough that jieba keeps 黔东南州 whole rather
# than cutting 黔东/南州, low enough not to swallow ordinary two-character words around them.
USER_WORD_FREQUENCY = 2000
# Fact rules need word boundaries only around dictionary words (places, programmes, units), so
# they segment without jieba's HMM guesses at unknown words (names are found from the text
# itself): a fifth less time, and no guessed word swallowing a boundary (韦发心 / 里).
FACTS_USE_HMM = False


@functools.cache
def load_rules(name: str) -> dict[str, Any]:
    """One TOML rule file from jiwen/extract/data, parsed once per process."""
    text = resources.files("jiwen.extract.data").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@functools.cache
def _jieba_dictionary() -> str:
    import jieba

    return (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8")


@functools.cache
def word_tags() -> dict[str, str]:
    """jieba's dictionary: word -> part-of-speech tag. Read once (one regular expression over
    the file, twice as fast as splitting its 350,000 lines); the tags are noisy (遵义 is tagged
    a verb) so rules use them only as hints."""
    return dict(re.findall(r"^(\S+) \d+ (\S+)$", _jieba_dictionary(), re.MULTILINE))


def frequent_words(min_frequency: int) -> list[tuple[str, int, str]]:
    """(word, frequency, tag) of the two- and three-character words of jieba's dictionary seen at
    least `min_frequency` times (at least 100)."""
    found = re.findall(r"^(\S{2,3}) (\d{3,}) (\S+)$", _jieba_dictionary(), re.MULTILINE)
    return [(word, int(frequency), tag) for word, frequency, tag in found if int(frequency) >= min_frequency]


@functools.cache
def segmenter():
    """The jieba tokenizer with jiwen's user words (places, programmes). Shared by the facts and
    the search index, so both cut text the same way. Shared: do not add words.

    jieba_fast_dat when installed: jieba's dictionary and dynamic programme in C++, giving the same
    words (tests/extract/test_nlp.py compares them) about ten times faster, and loading in a
    tenth of the time, because it does not build pure-Python jieba's prefix dictionary."""
    from . import places, programs

    try:
        import jieba_fast_dat as jieba_module
    except ImportError:  # pragma: no cover - the dependency is declared; kept for odd platforms
        import jieba as jieba_module
    jieba_module.setLogLevel(logging.WARNING)  # its "Building prefix dict" lines would land in every CLI run
    tokenizer = jieba_module.Tokenizer()
    tokenizer.initialize()
    for word in places.user_words() | programs.user_words():
        tokenizer.add_word(word, freq=max(USER_WORD_FREQUENCY, dictionary_frequency(word, tokenizer)))
    return tokenizer


def dictionary_frequency(word: str, tokenizer=None) -> int:
    """How often jieba's dictionary (with jiwen's user words) counts `word`; 0 when absent."""
    tokenizer = tokenizer or segmenter()
    frequencies = getattr(tokenizer, "FREQ", None)
    return (frequencies.get(word) if frequencies is not None else tokenizer.get_freq(word)) or 0


# The last texts segmented without HMM: the pipeline extracts facts from a body and, a batch
# later, indexes the same body; the index reuses the cut instead of segmenting it again.
RECENT_CUTS_LIMIT = 512
_recent_cuts: dict[str, list[str]] = {}


def forget_recent_cuts() -> None:
    """For benchmarks that must time segmentation itself."""
    _recent_cuts.clear()


def segment(text: str, hmm: bool = FACTS_USE_HMM) -> list[str]:
    """Words of `text` in order; joined they give back `text` exactly (whitespace included)."""
    if hmm:
        return [word for word in segmenter().cut(text, HMM=True) if word]
    words = _recent_cuts.get(text)
    if words is None:
        words = [word for word in segmenter().cut(text, HMM=False) if word]
        if len(_recent_cuts) >= RECENT_CUTS_LIMIT:
            del _recent_cuts[next(iter(_recent_cuts))]
        _recent_cuts[text] = words
    return words


class Tokens:
    """A segmented text: its words and where each starts, for rules that need word boundaries."""

    __slots__ = ("_start_set", "memo", "province", "published", "starts", "text", "words")

    def __init__(self, text: str, words: list[str], published: str | None = None):
        self.text = text
        self.published = published  # ISO date of the article, for relative dates
        self.province: str | None = None  # the publisher's province when the caller knows it (我省)
        self.memo: dict[str, object] = {}  # results one rule computes and another reuses
        self.words = words
        ends = list(accumulate(map(len, words)))
        self.starts = [0, *ends[:-1]] if words else []
        self._start_set: set[int] | None = None

    def is_boundary(self, offset: int) -> bool:
        """True when a word starts (or the text ends) at `offset`."""
        if self._start_set is None:
            self._start_set = set(self.starts)
            self._start_set.add(len(self.text))
        return offset in self._start_set

    def index_at(self, offset: int) -> int:
        """Index of the word that contains `offset`."""
        from bisect import bisect_right

        return bisect_right(self.starts, offset) - 1


class JiebaDocMaker:
    """spaCy tokenizer: jieba words straight into a Doc (jieba yields every character, so the
    words join back to the text and no token is followed by an extra space)."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str):
        from spacy.tokens import Doc

        words = segment(text)
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        doc.user_data["jiwen_tokens"] = Tokens(text, words)
        return doc


@functools.cache
def blank_pipeline():
    """A blank zh spaCy pipeline whose tokenizer is `segmenter()`; components are added by callers."""
    import spacy

    nlp = spacy.blank("zh")  # default "char" segmenter: no global jieba load; replaced just below
    nlp.tokenizer = JiebaDocMaker(nlp.vocab)
    return nlp


def tokens_of(doc) -> Tokens:
    """The `Tokens` view a Doc made by `blank_pipeline()` carries."""
    tokens = doc.user_data.get("jiwen_tokens")
    if tokens is None:
        tokens = Tokens(doc.text, [token.text for token in doc])
        doc.user_data["jiwen_tokens"] = tokens
    return tokens
