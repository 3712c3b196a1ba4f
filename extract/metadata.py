"""Headline, date, author, source, site name and keywords of an HTML page.

The date, author and source are read from the article header: the text between the headline and
the first body paragraph, where the byline sits. Dates elsewhere (sidebars, related headlines,
footers) are never considered; <meta> tags (TRS CMS PubDate, article:published_time) and the URL
come after the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from .byline import find_author, find_source, metadata_rules
from .html import Measure
from .normalize import normalize_line, to_simplified
from .pubdate import date_from_url, find_absolute_date, labelled_date, meta_names, parse_date

# How far after the headline (in characters of visible text) the byline may sit.
_HEADER_REACH = 600
_TITLE_MAX_CHARS = 120


@dataclass
class PageMetadata:
    title: str | None = None
    title_order: int | None = None
    published: str | None = None
    author: str | None = None
    source: str | None = None
    site_name: str | None = None
    keywords: list[str] = field(default_factory=list)
    url: str | None = None
    header_lines: list[str] = field(default_factory=list)


def _clean(text: str | None) -> str:
    return normalize_line(to_simplified(text or ""))


def read_meta(root) -> dict[str, str]:
    """<meta> name/property/itemprop (lower-cased) -> content, first occurrence wins."""
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        content = meta.get("content")
        if content is None or not content.strip():
            continue
        for attribute in ("name", "property", "itemprop", "http-equiv"):
            key = meta.get(attribute)
            if key:
                found.setdefault(key.strip().lower(), content.strip())
    return found


def _first(meta: dict[str, str], kind: str) -> str | None:
    for name in metadata_rules()["meta"][kind]:
        if meta.get(name):
            return meta[name]
    return None


@lru_cache(maxsize=1)
def _title_separators() -> list[re.Pattern]:
    return [re.compile(pattern) for pattern in metadata_rules()["title"]["separators"]]


def _squash(text: str) -> str:
    return "".join(text.split())


def _title_from_document_title(document_title: str) -> str:
    """The headline part of <title>: the longest piece between site-name separators."""
    for separator in _title_separators():
        pieces = [piece for piece in separator.split(document_title) if piece.strip()]
        if len(pieces) > 1:
            return max(pieces, key=len).strip()
    return document_title


def choose_title(elements: list, measures: dict, meta: dict[str, str], before_order: int | None):
    """The displayed headline and its document position.

    A heading (h1, h2 ...) whose text is part of <title> or the meta title is the headline; among
    several, the longest that appears before the article text. Without one, the meta title or the
    headline part of <title>."""
    root = elements[0] if elements else None
    title_element = root.find(".//title") if root is not None else None
    references = [_clean(title_element.text_content()) if title_element is not None else "", _clean(_first(meta, "title"))]
    references = [_squash(reference) for reference in references if reference]
    heading_tags = metadata_rules()["title"]["heading_tags"]
    best, best_key = None, None
    for element in elements:
        if before_order is not None and measures[element].order > before_order:
            break
        if element.tag not in heading_tags and not _is_title_block(element):
            continue
        text = _clean(element.text_content())
        if not 4 <= len(text) <= _TITLE_MAX_CHARS:
            continue
        squashed = _squash(text)
        matches = any(squashed in reference or reference in squashed for reference in references)
        truncated = squashed.endswith("...") and any(squashed[:-3] and reference.startswith(squashed[:-3][:12]) for reference in references)
        rank = 2 if matches or truncated else (1 if element.tag == "h1" else 0)
        key = (rank, len(squashed) if rank == 2 else -abs((before_order or 0) - measures[element].order))
        if rank > 0 and (best_key is None or key > best_key):
            best, best_key = (text, measures[element].order), key
    if best is not None:
        return best
    meta_title = _clean(_first(meta, "title"))
    if meta_title:
        return _title_from_document_title(meta_title), None
    if references:
        return _title_from_document_title(_clean(title_element.text_content())), None
    return None, None


def _is_title_block(element) -> bool:
    words = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return "title" in words and element.tag in ("div", "p", "span", "strong", "td") and len(element) <= 3


def header_lines(elements: list, measures: dict, start_order: int | None, end_order: int | None) -> list[str]:
    """Visible text lines between the headline and the first body paragraph."""
    if end_order is None:
        return []
    if start_order is None:
        start_order = max(end_order - 40, 0)
    lines: list[str] = []
    reach = 0
    for element in elements[start_order + 1: end_order]:
        for text in (element.text, element.tail):
            cleaned = _clean(text)
            if cleaned:
                lines.append(cleaned)
                reach += len(cleaned)
        if reach > _HEADER_REACH:
            break
    return lines


def find_published(lines: list[str], meta: dict[str, str], url: str | None, fetched_at: datetime | None) -> str | None:
    header = " ".join(lines)
    value = labelled_date(header, fetched_at)
    if value:
        return value
    found = find_absolute_date(header, fetched_at)
    if found:
        return found[0]
    for name in meta_names():
        if meta.get(name):
            value = parse_date(meta[name], fetched_at)
            if value:
                return value
    return parse_date(header, fetched_at) or date_from_url(url)


def read_metadata(root, elements: list, measures: dict, body_start: int | None, url: str | None, fetched_at: datetime | None) -> PageMetadata:
    meta = read_meta(root)
    result = PageMetadata()
    result.title, result.title_order = choose_title(elements, measures, meta, body_start)
    lines = header_lines(elements, measures, result.title_order, body_start)
    result.header_lines = lines
    result.url = url or _canonical_url(root, meta)
    result.published = find_published(lines, meta, result.url, fetched_at)
    header = " ".join(lines)
    result.source = find_source(header) or _clean(_first(meta, "source")) or None
    result.author = find_author(header) or _clean(_first(meta, "author")) or None
    result.site_name = _clean(_first(meta, "site_name")) or None
    keywords = _clean(_first(meta, "keywords"))
    result.keywords = [word for word in re.split(r"[,，;；、\s]+", keywords) if word][:30]
    return result


def _canonical_url(root, meta: dict[str, str]) -> str | None:
    for link in root.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and (link.get("href") or "").startswith("http"):
            return link.get("href")
    value = meta.get("og:url")
    return value if value and value.startswith("http") else None
