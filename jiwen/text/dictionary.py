"""jieba's own dictionary, read as data: part-of-speech tags and frequent words, which the
gazetteer uses to keep ordinary words out of place names and fact rules use as hints."""

from __future__ import annotations

import functools
import re
from importlib.util import find_spec
from pathlib import Path

from jiwen.core.errors import JiwenError
from jiwen.text.cache import cached, file_signature


def jieba_dictionary_path() -> Path:
    """jieba's dict.txt, found without importing jieba (whose import loads pkg_resources)."""
    spec = find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise JiwenError("the jieba package is missing; pip install 'jieba>=0.42.1'")
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


@functools.cache
def _jieba_dictionary() -> str:
    return jieba_dictionary_path().read_text(encoding="utf-8")


class WordTags:
    """jieba's dictionary as word -> part-of-speech tag, with `get` like a dict's. The 350,000
    entries are kept as one UTF-8 text per first character and a character's entries become a dict
    only when a word starting with it is looked up: an article asks about a few hundred characters,
    and making all 350,000 entries into a dict took a quarter of a second a process (and decoding
    all 4.4 MB from the cache, 15 ms of every one-shot command's start)."""

    __slots__ = ("_by_first", "_tables")

    def __init__(self, by_first: dict[str, bytes]):
        self._by_first = by_first  # first character -> "word<TAB>tag\n..." in dictionary order, UTF-8
        self._tables: dict[str, dict[str, str]] = {}

    def get(self, word: str, default: str | None = None) -> str | None:
        if not word:
            return default
        table = self._tables.get(word[0])
        if table is None:
            text = self._by_first.get(word[0])
            lines = text.decode("utf-8").split("\n") if text else []
            table = self._tables[word[0]] = dict(line.split("\t", 1) for line in lines)  # type: ignore[misc]
        return table.get(word, default)

    def __getitem__(self, word: str) -> str:
        tag = self.get(word)
        if tag is None:
            raise KeyError(word)
        return tag

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None


def _tag_texts() -> dict[str, bytes]:
    # One regular expression over the file, twice as fast as splitting its 350,000 lines; a word
    # listed twice keeps its last tag, as a dict built in file order would.
    grouped: dict[str, list[str]] = {}
    for word, tag in re.findall(r"^(\S+) \d+ (\S+)$", _jieba_dictionary(), re.MULTILINE):
        grouped.setdefault(word[0], []).append(f"{word}\t{tag}")
    return {first: "\n".join(lines).encode("utf-8") for first, lines in grouped.items()}


@functools.cache
def word_tags() -> WordTags:
    """jieba's dictionary: word -> part-of-speech tag (`.get(word)`). The tags are noisy (遵义 is
    tagged a verb) so rules use them only as hints."""
    return WordTags(cached("word_tags", lambda: [file_signature(jieba_dictionary_path())], _tag_texts))


def frequent_words(min_frequency: int) -> list[tuple[str, int, str]]:
    """(word, frequency, tag) of the two- and three-character words of jieba's dictionary seen at
    least `min_frequency` times (at least 100)."""
    found = re.findall(r"^(\S{2,3}) (\d{3,}) (\S+)$", _jieba_dictionary(), re.MULTILINE)
    return [(word, int(frequency), tag) for word, frequency, tag in found if int(frequency) >= min_frequency]
