"""The programme lexicon: names of campaigns, labour and training brands and service platforms
that are recognised wherever they appear (jiwen/text/data/programmes.toml)."""

from __future__ import annotations

import functools

from jiwen.text.rules import load_text_data


@functools.cache
def programme_names() -> frozenset[str]:
    return frozenset(load_text_data("programmes.toml")["known"])


def user_words() -> set[str]:
    """Known programme names, for the segmenter's user dictionary."""
    return {name for name in programme_names() if len(name) >= 2}
