"""How common a character is in Chinese text, from jionlp's character distribution (counts over a
large simplified-Chinese corpus). Read straight from jionlp's data file: importing jionlp itself
costs seconds and pulls in models we do not use. Parsed once into jiwen's cache of derived data
(jiwen/text/cache.py): its 29,000 JSON lines took 0.11 s of every one-shot `jiwen extract`."""

from __future__ import annotations

import json
from functools import lru_cache

from jiwen.text.cache import cached, file_signature
from jiwen.text.jionlp_data import data_file_path, read_data_file
from jiwen.text.normalize import to_simplified

# Below this count (out of ~1.1e10 characters) a character is "vanishingly rare in news": about
# the 7,000th most frequent. 崗/岗 (777,422) is common, 貚 (102) and 彺 (79) are not.
RARE_BELOW = 3000


DATA_FILE = "char_distribution.json"


@lru_cache(maxsize=1)
def _counts() -> dict[str, int]:
    return cached("char_counts", lambda: [file_signature(data_file_path(DATA_FILE))], _parse)


def _parse() -> dict[str, int]:
    counts: dict[str, int] = {}
    # split("\n"), not splitlines(): the characters counted include U+2028 and other line breaks.
    for line in read_data_file(DATA_FILE).decode("utf-8").split("\n"):
        if line.strip():
            character, count = json.loads(line)
            counts[character] = count
    return counts


def available() -> bool:
    return bool(_counts())


@lru_cache(maxsize=65536)
def char_count(character: str) -> int:
    """Corpus count of the character, judged in its simplified form (the corpus is simplified)."""
    counts = _counts()
    return max(counts.get(character, 0), counts.get(to_simplified(character), 0))


def is_rare(character: str) -> bool:
    return is_han(character) and char_count(character) < RARE_BELOW


def is_han(character: str) -> bool:
    code = ord(character)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F
