"""The text tools' data files (jiwen/text/data: the gazetteer's additions, the programme lexicon),
parsed once per process."""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Any


@functools.cache
def load_text_data(name: str) -> dict[str, Any]:
    """One TOML file from jiwen/text/data."""
    text = resources.files("jiwen.text.data").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)
