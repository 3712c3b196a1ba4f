"""The text tools' data files (jiwen/text/data: the gazetteer's additions, the programme lexicon),
parsed once per process."""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Any


@functools.cache
def text_data_bytes(name: str) -> bytes:
    """The bytes of one file in jiwen/text/data."""
    return resources.files("jiwen.text.data").joinpath(name).read_bytes()


@functools.cache
def load_text_data(name: str) -> dict[str, Any]:
    """One TOML file from jiwen/text/data."""
    return tomllib.loads(text_data_bytes(name).decode("utf-8"))
