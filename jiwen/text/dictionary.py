"""jieba's own dictionary, read as data: part-of-speech tags and frequent words, which the
gazetteer uses to keep ordinary words out of place names and fact rules use as hints."""

from __future__ import annotations

import functools
import re
from pathlib import Path


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
