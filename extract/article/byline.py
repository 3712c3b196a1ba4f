"""Author and source from byline text (记者、作者、来源), with the patterns of data/metadata.toml."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources

_LABEL = re.compile(r"^\s*(?:来源于|来源|来自|稿源|作者|记者|文|编辑)\s*[:：/]\s*")


@lru_cache(maxsize=1)
def metadata_rules() -> dict:
    return tomllib.loads(resources.files("jiwen.extract.data").joinpath("metadata.toml").read_text("utf-8"))


@lru_cache(maxsize=1)
def _patterns() -> tuple[list[re.Pattern], re.Pattern, re.Pattern]:
    byline = metadata_rules()["byline"]
    return (
        [re.compile(pattern) for pattern in byline["author"]],
        re.compile(byline["source"]),
        re.compile(byline["closing_credit"]),
    )


def find_author(text: str) -> str | None:
    for pattern in _patterns()[0]:
        match = pattern.search(text)
        if match:
            return re.sub(r"\s*[、,，]\s*|\s+", "、", match.group("name").strip())
    return None


def find_source(text: str) -> str | None:
    match = _patterns()[1].search(text)
    return match.group("name").strip() if match else None


def strip_label(text: str) -> str:
    """ "来源：新华网" -> "新华网", "作者：张三" -> "张三"."""
    return _LABEL.sub("", text).strip()


def is_organisation(name: str) -> bool:
    return name.endswith(tuple(metadata_rules()["byline"]["organisation_suffixes"]))


def split_closing_credit(paragraph: str) -> tuple[str, str | None]:
    """The paragraph without a trailing （记者 韦倩）-style credit, and the credit."""
    match = _patterns()[2].search(paragraph)
    if not match or match.start() == 0:
        return paragraph, None
    return paragraph[: match.start()].rstrip(), match.group().strip()
