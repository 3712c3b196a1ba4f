"""The headline and sub-headline of an HTML page.

The displayed headline (an <h1>, an <h2>, a block whose class says "title") rather than <title>,
which carries the site name, or og:title, which some CMSs cut at the first quote: a heading
counts when its text is part of those page titles, else the heading nearest above the text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from jiwen.extract.article.boilerplate import is_sidebar_heading
from jiwen.extract.article.byline import metadata_rules
from jiwen.extract.article.html import BLOCK_TAGS, attribute_words
from jiwen.extract.article.metadata import first_meta
from jiwen.extract.article.pubdate import find_absolute_date
from jiwen.text.normalize import normalize_line, to_simplified

_TITLE_MAX_CHARS = 120
# A heading that matches no page title must sit this close (in elements) above the text.
_HEADING_REACH = 40
_SUBTITLE_REACH = 3
_SUBTITLE_CLASS = re.compile(r"sub-?_?title|subhead|fu_?title|\bfbt\b|\byt\b", re.IGNORECASE)
# Lines shaped like headings that are not the headline.
_NOT_A_HEADLINE = re.compile(r"^[(（]?(?:原标题|原题|正在阅读|当前位置|您的位置|你的位置|来源|编者按)")
# A link to the site's front page: what a logo heading holds.
_SITE_ROOT = re.compile(r"^(?:https?://[^/]+)?/?(?:index\.s?html?)?$", re.IGNORECASE)


def _clean(text: str | None) -> str:
    return normalize_line(to_simplified(text or ""))


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
    references = [_squash(reference) for reference in (document_title, _clean(first_meta(meta, "title"))) if reference]
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
        if _is_site_logo(element):
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
    meta_title = _clean(first_meta(meta, "title"))
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
    for element in elements[max(title_order - _SUBTITLE_REACH, 0) : body_start]:
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


def _is_site_logo(element) -> bool:
    """The site's name in a heading (<h1 class="logo"><a href="/">某某县人民政府网</a></h1>): it
    is part of <title> as the headline is, and wins as the longer part when the headline is short."""
    logo_words = metadata_rules()["title"]["logo_classes"]
    for block in (element, element.getparent()):
        if block is not None and any(word in logo_words for word in attribute_words(block)):
            return True
    links = [(link.get("href") or "").strip() for link in element.iter("a")]
    return bool(links) and all(href and _SITE_ROOT.match(href) for href in links)


def _is_title_block(element) -> bool:
    words = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return "title" in words and element.tag in ("div", "p", "span", "strong", "td") and len(element) <= 3
