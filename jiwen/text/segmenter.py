"""The one jieba segmenter jiwen cuts text with, in the facts and in the search index alike.

Segmentation is jieba with user words generated from the gazetteer and the programme lexicon, so
that 黔东南州, 惠东县 and 春风行动 come out as single tokens. The words go into a *dedicated*
`jieba.Tokenizer`, never into jieba's global dictionary, so other users of jieba in the same process
are not changed behind their back. `segmenter()` returns that tokenizer: the search index reuses it
so that the index and the facts cut text the same way.
"""

from __future__ import annotations

import functools
import logging
from importlib.util import find_spec
from pathlib import Path

from jiwen.text import gazetteer, lexicon
from jiwen.text.cache import cached, cached_file, file_signature, store_file
from jiwen.text.rules import text_data_bytes

# Frequency given to generated user words: high enough that jieba keeps 黔东南州 whole rather
# than cutting 黔东/南州, low enough not to swallow ordinary two-character words around them.
USER_WORD_FREQUENCY = 2000
# Fact rules need word boundaries only around dictionary words (places, programmes, units), so
# they segment without jieba's HMM guesses at unknown words (names are found from the text
# itself): a fifth less time, and no guessed word swallowing a boundary (韦发心 / 里).
FACTS_USE_HMM = False


def user_words() -> set[str]:
    """Every place form and programme name: the segmenter's user dictionary."""
    return gazetteer.user_words() | lexicon.user_words()


def _jieba_module():
    try:
        import jieba_fast_dat as jieba_module
    except ImportError:  # pragma: no cover - the dependency is declared; kept for odd platforms
        import jieba as jieba_module
    jieba_module.setLogLevel(logging.WARNING)  # its "Building prefix dict" lines would land in every CLI run
    return jieba_module


def _sources() -> list[bytes]:
    # The frequencies are the segmenter's dictionary's (jieba_fast_dat ships its own dict.txt).
    spec = find_spec("jieba_fast_dat") or find_spec("jieba")
    locations = list(spec.submodule_search_locations or []) if spec else []
    dictionary = file_signature(Path(locations[0]) / "dict.txt") if locations else b""
    return [*gazetteer.sources(), text_data_bytes("programmes.toml"), dictionary]


def _weighted_user_words(tokenizer) -> list[tuple[str, int]]:
    # A word's frequency depends only on the dictionary and the word (adding one user word does not
    # change another's), so the list can be made before any is added, and kept in the cache.
    return [(word, max(USER_WORD_FREQUENCY, dictionary_frequency(word, tokenizer))) for word in sorted(user_words())]


@functools.cache
def segmenter():
    """The jieba tokenizer with jiwen's user words (places, programmes). Shared by the facts and
    the search index, so both cut text the same way. Shared: do not add words.

    jieba_fast_dat when installed: jieba's dictionary and dynamic programme in C++, giving the same
    words (tests/extract/test_nlp.py compares them) about ten times faster, and loading in a
    tenth of the time, because it does not build pure-Python jieba's prefix dictionary. Its
    double-array trie with the user words already added is kept in jiwen's cache of derived data:
    loading it takes 20 ms of CPU, loading jieba_fast_dat's own trie and adding the 7,000 user
    words one by one 70 ms — a tenth of a one-shot `jiwen extract`."""
    jieba = _jieba_module()
    tokenizer = jieba.Tokenizer()
    trie_path = cached_file("segmenter", _sources, "dat") if hasattr(tokenizer, "dat") else None
    if trie_path is not None and _load_trie(tokenizer, trie_path):
        return tokenizer
    tokenizer = jieba.Tokenizer()  # a fresh one: a failed load may have left the trie half filled
    tokenizer.initialize()
    for word, frequency in cached("user_words", _sources, lambda: _weighted_user_words(tokenizer)):
        tokenizer.add_word(word, freq=frequency)
    if trie_path is not None:
        trie = tokenizer.dat
        # add_word counts each word's frequency into the tokenizer's total, not the trie's: the
        # saved trie carries the total the cuts are computed with.
        trie.total_freq = tokenizer.total
        store_file(trie_path, lambda partial: _save_trie(trie, partial))
    return tokenizer


def _save_trie(trie, path: Path) -> None:
    if trie.save_all(str(path)) != 0:  # it reports failure by its return value, not an exception
        raise OSError(f"the segmenter's trie could not be written to {path}")


def _load_trie(tokenizer, path: Path) -> bool:
    """Fill a new jieba_fast_dat tokenizer from a trie `segmenter()` saved; False when there is
    none or it cannot be read (the caller then builds it)."""
    if not path.is_file():
        return False
    try:
        if tokenizer.dat.load_all(str(path)) != 0:
            return False
    except (OSError, RuntimeError, ValueError):
        return False
    tokenizer.total = tokenizer.dat.total_freq
    tokenizer.initialized = True
    return True


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
