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

from .boilerplate import is_sidebar_heading, rules
from .byline import (
    find_author,
    find_source,
    is_organisation,
    metadata_rules,
    strip_label,
)
from .html import BLOCK_TAGS, attribute_words
from .normalize import normalize_line, to_simplified
from .pubdate import (
    date_from_url,
    find_absolute_date,
    find_relative_date,
    labelled_date,
    looks_like_date,
    meta_names,
    parse_date,
    script_date,
)

# How far after the headline (in characters of visible text) the byline may sit.
_HEADER_REACH = 600
_TITLE_MAX_CHARS = 120
# A heading that matches no page title must sit this close (in elements) above the text.
_HEADING_REACH = 40
_AUTHOR_MAX_CHARS = 30
_LIST_TAGS = frozenset({"li", "dd", "dt", "ul", "ol", "dl"})
# Blocks dropped for these reasons hold other stories' dates.
_CHROME_REASONS = frozenset({"sidebar", "navigation"})
_SUBTITLE_REACH = 3
_SUBTITLE_CLASS = re.compile(r"sub-?_?title|subhead|fu_?title|\bfbt\b|\byt\b", re.IGNORECASE)
_NAME_LIKE = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_NOT_A_NAME = re.compile(r"@|https?:|www\.|^\d+$")
# Lines shaped like headings that are not the headline.
_NOT_A_HEADLINE = re.compile(r"^[(（]?(?:原标题|原题|正在阅读|当前位置|您的位置|你的位置|来源|编者按)")


@dataclass
class PageMetadata:
    author: str | None = None
    source: str | None = None
    site_name: str | None = None
    keywords: list[str] = field(default_factory=list)
    url: str | None = None


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

    Headings (h1-h5, and short blocks whose class says "title") above the article text compete:
    one whose text is part of <title> or the meta title wins (the longest such); then one that
    contains them (the page title was truncated); then the heading nearest the text. Without any,
    the meta title or the headline part of <title>."""
    root = elements[0] if elements else None
    title_element = root.find(".//title") if root is not None else None
    document_title = _clean("".join(title_element.itertext())) if title_element is not None else ""
    references = [_squash(reference) for reference in (document_title, _clean(_first(meta, "title"))) if reference]
    heading_tags = metadata_rules()["title"]["heading_tags"]
    best, best_key = None, None
    for element in elements:
        order = measures[element].order
        if before_order is not None and order > before_order:
            break
        is_heading = element.tag in heading_tags
        if not is_heading and not _is_title_block(element):
            continue
        text = _heading_text(element)
        if not 4 <= len(text) <= _TITLE_MAX_CHARS or _NOT_A_HEADLINE.match(text) or is_sidebar_heading(text):
            continue
        squashed = _squash(text)
        if any(squashed in reference for reference in references):
            rank = 3
        elif any(reference in squashed for reference in references) or _truncated_match(squashed, references):
            rank = 2
        elif before_order is None or before_order - order <= _HEADING_REACH:
            rank = 1
        else:
            continue
        key = (rank, len(squashed) if rank == 3 else 0, element.tag == "h1", is_heading, order)
        if best_key is None or key > best_key:
            best, best_key = (text, order), key
    if best is not None:
        return best
    meta_title = _clean(_first(meta, "title"))
    if meta_title or document_title:
        return _title_from_document_title(meta_title or document_title), None
    return None, None


def _truncated_match(squashed: str, references: list[str]) -> bool:
    """A displayed headline cut short with "...": its beginning starts a reference."""
    stem = squashed.rstrip(".…")
    return stem != squashed and len(stem) >= 8 and any(reference.startswith(stem) for reference in references)


def choose_subtitle(elements: list, measures: dict, title: str | None, title_order: int | None, body_start: int | None) -> str | None:
    """A sub-headline: a heading or a block whose class says "subtitle" right by the headline,
    above the text."""
    if title_order is None or body_start is None:
        return None
    for element in elements[max(title_order - _SUBTITLE_REACH, 0): body_start]:
        if element.tag not in ("h2", "h3", "h4") and not _SUBTITLE_CLASS.search(f"{element.get('class') or ''} {element.get('id') or ''}"):
            continue
        text = _heading_text(element)
        if 4 <= len(text) <= _TITLE_MAX_CHARS and text != title and find_absolute_date(text) is None and not _NOT_A_HEADLINE.match(text):
            return text
    return None


def _heading_text(element) -> str:
    """The heading's first line: text up to the first block inside it (some CMSs put the byline
    and the date inside the <h1>)."""
    pieces = [element.text or ""]
    for descendant in element.iterdescendants():
        if not isinstance(descendant.tag, str):
            continue
        if descendant.tag in BLOCK_TAGS and "".join(pieces).strip():
            break
        pieces.append(descendant.text or "")
        pieces.append(descendant.tail or "")
    return _clean("".join(pieces))


def _is_title_block(element) -> bool:
    words = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return "title" in words and element.tag in ("div", "p", "span", "strong", "td") and len(element) <= 3


def region_lines(elements: list, measures: dict, start_order: int | None, end_order: int | None, reach: int = _HEADER_REACH) -> list[str]:
    """Visible text lines of the elements strictly between two document positions (the tail of the
    start element included), up to `reach` characters. List items and blocks marked as sidebars
    or navigation are skipped whole: their dates belong to other stories."""
    if start_order is None or end_order is None or end_order <= start_order:
        return []
    lines: list[str] = []
    seen = 0
    texts = [elements[start_order].tail]
    index = start_order + 1
    while index < end_order and seen <= reach:
        element = elements[index]
        if element.tag in _LIST_TAGS or _marked_as_chrome(element):
            texts.append(element.tail)
            index += measures[element].size
        else:
            texts += [element.text, element.tail]
            index += 1
        for text in texts:
            cleaned = _clean(text)
            if cleaned:
                lines.append(cleaned)
                seen += len(cleaned)
        texts = []
    return lines


def class_hinted_fields(elements: list, start_order: int | None, end_order: int | None) -> dict[str, str]:
    """Source and author from header elements whose class says so (<a class="source">参考消息</a>),
    for bylines without a 来源：/作者： label."""
    if start_order is None or end_order is None:
        return {}
    byline = metadata_rules()["byline"]
    wanted = {"source": frozenset(byline["source_classes"]), "author": frozenset(byline["author_classes"])}
    found: dict[str, str] = {}
    for element in elements[start_order + 1: end_order]:
        words = attribute_words(element)
        if not words:
            continue
        for field_name, classes in wanted.items():
            if field_name in found or not any(word in classes for word in words):
                continue
            # The first piece of text only: the same block often goes on with a date or a button.
            first = next((piece for piece in map(_clean, element.itertext()) if piece), "")
            text = strip_label(first)
            if 2 <= len(text) <= _AUTHOR_MAX_CHARS and not looks_like_date(text):
                found[field_name] = text
    return found


def _marked_as_chrome(element) -> bool:
    """A block whose class/id says sidebar or navigation (data/boilerplate.toml)."""
    words = attribute_words(element)
    if not words:
        return False
    active = rules()
    return not any(word in active.html_keep_tokens for word in words) and any(
        active.html_drop_tokens.get(word) in _CHROME_REASONS for word in words
    )


def find_published(header: list[str], trailer: list[str], meta: dict[str, str], script_text: str, url: str | None, fetched_at: datetime | None) -> str | None:
    """The header's labelled or first date; then a date labelled 发布日期 just after the body
    (government pages put it there); then <meta>, dates in the page's script data, the URL."""
    header_text = " ".join(header)
    meta_dates = [value for value in (parse_date(meta[name], fetched_at) for name in meta_names() if meta.get(name)) if value]
    value = labelled_date(header_text, fetched_at, meta_dates) or _first_date(header_text, fetched_at)
    if value:
        return value
    value = labelled_date(" ".join(trailer), fetched_at, meta_dates)
    if value:
        return value
    if meta_dates:
        return meta_dates[0]
    return find_relative_date(header_text, fetched_at) or script_date(script_text) or date_from_url(url)


def _first_date(text: str, fetched_at: datetime | None) -> str | None:
    found = find_absolute_date(text, fetched_at)
    return found[0] if found else None


def read_metadata(root, meta: dict[str, str], header: list[str], url: str | None, headline: str | None = None, hinted: dict[str, str] | None = None) -> PageMetadata:
    """Author, source, site name, keywords and URL (title and date are chosen by the caller).
    `hinted` holds texts of header elements whose class names them (see class_hinted_fields)."""
    hinted = hinted or {}
    result = PageMetadata()
    result.url = url or _canonical_url(root, meta)
    header_text = " ".join(header)
    result.source = find_source(header_text) or hinted.get("source") or _clean(_first(meta, "source")) or None
    result.author = find_author(header_text) or hinted.get("author")
    if result.author is None:
        author = _meta_author(root, meta, headline)
        if author and is_organisation(author):
            result.source = result.source or author
        else:
            result.author = author
    result.site_name = _clean(_first(meta, "site_name")) or None
    keywords = _clean(_first(meta, "keywords"))
    result.keywords = [word for word in re.split(r"[,，;；、|\s]+", keywords) if word][:30]
    return result


def _meta_author(root, meta: dict[str, str], headline: str | None) -> str | None:
    """The <meta> author, unless it is a template placeholder (an e-mail, a number) or the site's
    own name (it then also stands in <title> beside the headline)."""
    author = _clean(_first(meta, "author"))
    if not author or len(author) > _AUTHOR_MAX_CHARS or not _NAME_LIKE.search(author) or _NOT_A_NAME.search(author):
        return None
    title_element = root.find(".//title")
    document_title = _clean("".join(title_element.itertext())) if title_element is not None else ""
    if author in document_title.replace(headline or "", ""):
        return None
    return author


def _canonical_url(root, meta: dict[str, str]) -> str | None:
    for link in root.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and (link.get("href") or "").startswith("http"):
            return link.get("href")
    value = meta.get("og:url")
    return value if value and value.startswith("http") else None
