"""The boilerplate rules of data/boilerplate.toml, compiled once, and the line classifier built on
them. Shared by the text-dump path and the HTML path."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_SENTENCE_STOP = re.compile(r"[。！？!?；;]")
_SENTENCE_END = re.compile(r"[。！？?]")


@dataclass(frozen=True)
class Rules:
    sidebar_headings: frozenset[str]
    list_bullets: tuple[str, ...]
    headline_max_chars: int
    list_min_lines: int
    dump_tail_heading_after_chars: int
    credit: re.Pattern
    footer: re.Pattern
    share: re.Pattern
    sidebar_heading: re.Pattern
    related_line: re.Pattern
    closing_credit: re.Pattern
    promo_line: re.Pattern
    html_drop_tokens: dict[str, str]  # word -> the reason it gives
    html_keep_tokens: frozenset[str]


@lru_cache(maxsize=1)
def rules() -> Rules:
    data = tomllib.loads(resources.files("jiwen.extract.data").joinpath("boilerplate.toml").read_text("utf-8"))
    return Rules(
        sidebar_headings=frozenset(data["sidebar_headings"]),
        list_bullets=tuple(sorted(data["list_bullets"], key=len, reverse=True)),
        headline_max_chars=data["headline_max_chars"],
        list_min_lines=data["list_min_lines"],
        dump_tail_heading_after_chars=data["dump_tail_heading_after_chars"],
        credit=re.compile(data["credit_pattern"], re.IGNORECASE),
        footer=re.compile(data["footer_pattern"], re.IGNORECASE),
        share=re.compile(data["share_pattern"]),
        sidebar_heading=re.compile(data["sidebar_heading_pattern"]),
        related_line=re.compile(data["related_line_pattern"]),
        closing_credit=re.compile(data["closing_credit_pattern"]),
        promo_line=re.compile(data["promo_line_pattern"]),
        html_drop_tokens={word: reason for reason, words in data["html_drop_tokens"].items() for word in words},
        html_keep_tokens=frozenset(data["html_keep_tokens"]),
    )


def boilerplate_reason(line: str) -> str | None:
    """Why a single normalized line is not article text ("credit", "footer", "share"), or None."""
    active = rules()
    stripped = line.strip()
    if active.credit.search(stripped) and len(stripped) < 80 and not _SENTENCE_END.search(stripped):
        return "credit"
    if len(stripped) < 120 and active.footer.search(stripped):
        return "footer"
    if active.share.search(stripped) and len(stripped) < 40:
        return "share"
    if active.related_line.search(stripped) and len(stripped) < 120:
        return "sidebar"
    if active.promo_line.search(stripped):
        return "navigation"
    return None


def is_closing_credit(line: str) -> bool:
    """责任编辑/编辑/校对 lines: the article has ended when they come."""
    return bool(rules().closing_credit.search(line.strip())) and len(line) < 80


_HEADING_DECORATION = re.compile(r"[\s·•|/:：»>【】\[\]]+")


def is_sidebar_heading(line: str) -> bool:
    bare = _HEADING_DECORATION.sub("", line)
    return bare in rules().sidebar_headings or (len(bare) <= 10 and bool(rules().sidebar_heading.search(bare)))


def strip_bullet(line: str) -> str | None:
    """The line without its list bullet, or None when it has none."""
    for bullet in rules().list_bullets:
        if line.startswith(bullet) and len(line) > len(bullet):
            return line[len(bullet) :].strip()
    return None


def looks_like_headline(text: str) -> bool:
    """Short, and not a run of sentences: what a related-headline link reads like."""
    return 0 < len(text) <= rules().headline_max_chars and len(_SENTENCE_STOP.findall(text)) <= 1
