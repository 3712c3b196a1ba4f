"""A query as people type it, brought to the form the archive is in: full-width letters and digits
half-width, traditional characters simplified (the archive's text is normalised so by
`jiwen.text.normalize`), so 勞務協作 and ｊｏｂ find what 劳务协作 and job find.

OpenCC is loaded only for a query that holds a character it would change (listed in
data/traditional_characters.txt, generated from OpenCC): a one-shot `jiwen search` in simplified
characters stays as quick as before.
"""

from __future__ import annotations

import functools
from importlib import resources

# Full-width ASCII (！ to ～) and the ideographic space, to their half-width forms.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@functools.cache
def traditional_characters() -> frozenset[str]:
    text = resources.files("jiwen.text.data").joinpath("traditional_characters.txt").read_text(encoding="utf-8")
    return frozenset("".join(line for line in text.splitlines() if not line.startswith("#")))


def normalize_query(text: str) -> str:
    text = text.translate(_FULL_WIDTH)
    if any(character in traditional_characters() for character in text):
        from jiwen.text.normalize import to_simplified

        text = to_simplified(text)
    return text
