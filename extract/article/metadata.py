"""Date, author, source, site name and keywords of an HTML page (the headline: headline.py).

The date, author and source are read from the article header: the text between the headline and
the first body paragraph, where the byline sits. Dates elsewhere (sidebars, related headlines,
footers) are never considered; <meta> tags (TRS CMS PubDate, article:published_time) and the URL
come after the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from jiwen.extract.article.boilerplate import rules
from jiwen.extract.article.byline import (
    find_author,
    find_source,
    is_organisation,
    metadata_rules,
    strip_label,
)
from jiwen.extract.article.html import attribute_words
from jiwen.extract.article.pubdate import (
    date_from_url,
    find_absolute_date,
    find_relative_date,
    labelled_date,
    looks_like_date,
    meta_names,
    parse_date,
    script_date,
)
from jiwen.text.normalize import normalize_line, to_simplified

# How far after the headline (in characters of visible text) the byline may sit.
_HEADER_REACH = 600
_AUTHOR_MAX_CHARS = 30
_LIST_TAGS = frozenset({"li", "dd", "dt", "ul", "ol", "dl"})
# Blocks dropped for these reasons hold other stories' dates.
_CHROME_REASONS = frozenset({"sidebar", "navigation"})
_NAME_LIKE = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_NOT_A_NAME = re.compile(r"@|https?:|www\.|^\d+$")


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


def first_meta(meta: dict[str, str], kind: str) -> str | None:
    """The first <meta> value of a kind (title, author, source ...) in data/metadata.toml order."""
    for name in metadata_rules()["meta"][kind]:
        if meta.get(name):
            return meta[name]
    return None


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
    for element in elements[start_order + 1 : end_order]:
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


def find_published(
    header: list[str], trailer: list[str], meta: dict[str, str], script_text: str, url: str | None, fetched_at: datetime | None
) -> str | None:
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


def read_metadata(
    root, meta: dict[str, str], header: list[str], url: str | None, headline: str | None = None, hinted: dict[str, str] | None = None
) -> PageMetadata:
    """Author, source, site name, keywords and URL (title and date are chosen by the caller).
    `hinted` holds texts of header elements whose class names them (see class_hinted_fields)."""
    hinted = hinted or {}
    result = PageMetadata()
    result.url = url or _canonical_url(root, meta)
    header_text = " ".join(header)
    result.source = find_source(header_text) or hinted.get("source") or _clean(first_meta(meta, "source")) or None
    result.author = find_author(header_text) or hinted.get("author")
    if result.author is None:
        author = _meta_author(root, meta, headline)
        if author and is_organisation(author):
            result.source = result.source or author
        else:
            result.author = author
    result.site_name = _clean(first_meta(meta, "site_name")) or None
    keywords = _clean(first_meta(meta, "keywords"))
    result.keywords = [word for word in re.split(r"[,，;；、|\s]+", keywords) if word][:30]
    return result


def _meta_author(root, meta: dict[str, str], headline: str | None) -> str | None:
    """The <meta> author, unless it is a template placeholder (an e-mail, a number) or the site's
    own name (it then also stands in <title> beside the headline)."""
    author = _clean(first_meta(meta, "author"))
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
