"""One fetched page -> one Article: decode, tell HTML from a text dump, extract, normalize.

Public entry point of the extraction stage (the CLI, the crawler and `process_page` call it).
"""

from __future__ import annotations

import re
from datetime import datetime

from jiwen.errors import ExtractionError
from jiwen.models import Article, Discarded

from .byline import split_closing_credit, find_author
from .damage import repair_damaged_runs
from .encoding import decode_bytes, looks_binary
from .html import measure_tree, parse_html
from .main_text import extract_main_text
from .metadata import read_metadata
from .normalize import normalize_text, strip_pinyin_annotations
from .text_dump import extract_text_dump

_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|head|body|div|p|meta|title|table|article)[\s>/]", re.I)
_LEADING_URL_COMMENT = re.compile(r"^\s*<!--\s*(https?://\S+?)\s*-->")
# A "?" (or U+FFFD) touching a Han character: the mark a lossy decoder leaves; only then is the
# damaged-run scan worth its cost on an HTML page.
_LOSS_MARK = re.compile(r"[\u4e00-\u9fff][?\ufffd]|[?\ufffd][\u4e00-\u9fff]")
_DATELINE = re.compile(r"来源\s*[:：]|(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")


def is_html(text: str, content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return True
    if kind == "text/plain":
        return False
    return bool(_HTML_SNIFF.search(text[:4096]))


def extract_article(
    data: bytes | str,
    *,
    url: str | None = None,
    content_type: str | None = None,
    fetched_at: datetime | None = None,
) -> Article:
    """The article on one page. Raises ExtractionError for binary or empty input and for pages
    that yield no text."""
    warnings: list[str] = []
    encoding = None
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        if not data.strip():
            raise ExtractionError("input is empty; pass the page's HTML or a text dump")
        decoded = decode_bytes(data, content_type)
        text, encoding = decoded.text, decoded.encoding
        warnings.extend(decoded.warnings)
    else:
        text = data
        if "\x00" in text[:4096] or looks_binary(text[:4096].encode("utf-8", "replace")):
            raise ExtractionError("input looks binary (NUL or control characters), not a text or HTML page")
    if not text.strip():
        raise ExtractionError("input is empty; pass the page's HTML or a text dump")
    html = is_html(text, content_type)
    if not html or _LOSS_MARK.search(text) or warnings:
        report = repair_damaged_runs(text)
        text = report.text
        warnings.extend(f"repaired damaged run {before!r} -> {after!r}" for before, after in report.repaired)
        warnings.extend(f"damaged run left as is (could not re-align): {run!r}" for run in report.unrepaired)
    if html:
        article = _extract_html(text, url, fetched_at)
    else:
        article = extract_text_dump(normalize_text(strip_pinyin_annotations(text)), fetched_at=fetched_at)
    if not article.body.strip():
        raise ExtractionError("page yields no article text; check that it is an article page, not an index or an error page")
    article.url = article.url or url
    article.encoding = encoding
    for field_name in ("title", "subtitle"):
        value = getattr(article, field_name)
        if value and "?" in value and any("damaged run" in warning for warning in warnings):
            warnings.append(f"{field_name} keeps a '?' where a character was lost: {value!r}")
    article.warnings = warnings + article.warnings
    return article


def _extract_html(text: str, url: str | None, fetched_at: datetime | None) -> Article:
    if url is None:
        comment = _LEADING_URL_COMMENT.match(text)
        url = comment.group(1) if comment else None
    root = parse_html(text)
    elements, measures = measure_tree(root)
    main = extract_main_text(elements, measures)
    metadata = read_metadata(root, elements, measures, main.first_order, url, fetched_at)
    paragraphs = [strip_pinyin_annotations(paragraph) for paragraph in main.paragraphs]
    discarded = list(main.discarded)
    paragraphs = _drop_leading_header(paragraphs, metadata.title, discarded)
    if paragraphs:
        last, credit = split_closing_credit(paragraphs[-1])
        if credit:
            metadata.author = metadata.author or find_author(credit)
            discarded.append(Discarded(text=credit, reason="credit"))
            paragraphs[-1] = last
    return Article(
        url=metadata.url,
        title=strip_pinyin_annotations(metadata.title) if metadata.title else None,
        published=metadata.published,
        author=metadata.author,
        source=metadata.source,
        body=normalize_text("\n".join(paragraphs)),
        site_name=metadata.site_name,
        keywords=metadata.keywords,
        discarded=discarded,
    )


def _drop_leading_header(paragraphs: list[str], title: str | None, discarded: list[Discarded]) -> list[str]:
    """The headline and the byline/dateline repeated at the top of the container are not body."""
    start = 0
    squashed_title = "".join((title or "").split())
    while start < len(paragraphs) and start < 4:
        paragraph = paragraphs[start]
        if squashed_title and "".join(paragraph.split()) == squashed_title:
            discarded.append(Discarded(text=paragraph, reason="title"))
        elif len(paragraph) < 80 and _DATELINE.search(paragraph) and not re.search(r"[。！？]", paragraph):
            discarded.append(Discarded(text=paragraph, reason="byline"))
        else:
            break
        start += 1
    return paragraphs[start:]
