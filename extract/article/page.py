"""One fetched page -> one Article: decode, tell HTML from a text dump, extract, normalize.

Public entry point of the extraction stage (the CLI, the crawler and `process_page` call it).
"""

from __future__ import annotations

import html as html_module
import re
from datetime import datetime

from jiwen.core.errors import ExtractionError
from jiwen.core.models import Article, Discarded
from jiwen.extract.article.byline import find_author, split_closing_credit
from jiwen.extract.article.chrome import discard_page_chrome
from jiwen.extract.article.damage import repair_damaged_runs
from jiwen.extract.article.encoding import decode_bytes, looks_binary
from jiwen.extract.article.govdoc import read_document_table
from jiwen.extract.article.headline import choose_subtitle, choose_title
from jiwen.extract.article.html import measure_tree, parse_html
from jiwen.extract.article.main_text import extract_main_text
from jiwen.extract.article.metadata import (
    class_hinted_fields,
    find_published,
    read_meta,
    read_metadata,
    region_lines,
)
from jiwen.extract.article.overrides import ExtractionOverrides, apply_to_tree, overridden_date
from jiwen.extract.article.pubdate import date_from_url
from jiwen.extract.article.text_dump import extract_text_dump
from jiwen.text.normalize import normalize_text, strip_pinyin_annotations

_INVISIBLE_BLOCKS = re.compile(r"<(script|style|noscript|template|head)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|h[1-6]|tr|td|section|article|ul|ol|table|dd|dt)\b", re.IGNORECASE)
_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|head|body|div|p|meta|title|table|article)[\s>/]", re.IGNORECASE)
_LEADING_URL_COMMENT = re.compile(r"^\s*<!--\s*(https?://\S+?)\s*-->")
# A "?" (or U+FFFD) touching a Han character: the mark a lossy decoder leaves; only then is the
# damaged-run scan worth its cost on an HTML page.
_MARK_THEN_HAN = re.compile(r"[?\ufffd][\u4e00-\u9fff]")
# A paragraph this long (or with a sentence stop) is article text, not a heading or a byline.
_PROSE_CHARS = 50
# Without a headline element, the byline is looked for this many elements above the text.
_HEADER_ELEMENTS = 30
# How much text after the article may hold a 发布日期 line.
_TRAILER_REACH = 300
_HAN = re.compile(r"[\u4e00-\u9fff]")
_DATELINE = re.compile(r"来源\s*[:：]|(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}")


def _has_loss_mark(text: str) -> bool:
    # A Han class before the mark makes the regex test every position (~10 ms on a 300 kB page);
    # with the mark first it only stops at marks, so the string is searched forwards and reversed.
    return bool(_MARK_THEN_HAN.search(text) or _MARK_THEN_HAN.search(text[::-1]))


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
    overrides: ExtractionOverrides | None = None,
) -> Article:
    """The article on one page: HTML or a plain-text dump, as bytes in any Chinese encoding or as
    text. `content_type` is the HTTP Content-Type (its charset is trusted only when the bytes agree);
    `fetched_at` resolves relative dates (3小时前, 昨天), naive values are read as Asia/Shanghai.
    `facts` is left empty (extract_facts fills it). Raises ExtractionError, with a one-line
    message, for binary or empty input and for pages that yield no text."""
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
    if not html or warnings or _has_loss_mark(text):
        report = repair_damaged_runs(text, near_marks_only=html)
        text = report.text
        warnings.extend(f"repaired damaged run {before!r} -> {after!r}" for before, after in report.repaired)
        warnings.extend(f"damaged run left as is (could not re-align): {run!r}" for run in report.unrepaired)
    if html:
        article, parsed_chars = _extract_html(text, url, fetched_at, overrides)
        if not article.body.strip():
            article = _extract_tagless(text, url, fetched_at, warnings, parsed_chars)
    else:
        article = extract_text_dump(normalize_text(strip_pinyin_annotations(text)), fetched_at=fetched_at)
    if not article.body.strip():
        raise ExtractionError("page yields no article text; check that it is an article page, not an index or an error page")
    article.url = article.url or url
    if article.published is None:
        # A text dump (or a page read as one) whose text states no date: the CMS's URL often does
        # (/t20240308_1.html, /2025-10/30/), as it does for HTML pages (metadata.find_published).
        article.published = date_from_url(article.url)
    if article.published is None and overrides is not None and overrides.published:
        article.published = overrides.published  # the user's word, when the page says nothing
    article.encoding = encoding
    for field_name in ("title", "subtitle"):
        value = getattr(article, field_name)
        if value and "?" in value and any("damaged run" in warning for warning in warnings):
            warnings.append(f"{field_name} keeps a '?' where a character was lost: {value!r}")
    article.warnings = warnings + article.warnings
    return article


def _extract_html(
    text: str, url: str | None, fetched_at: datetime | None, overrides: ExtractionOverrides | None = None
) -> tuple[Article, int]:
    """The article, and how many visible characters the parsed tree held."""
    if url is None:
        comment = _LEADING_URL_COMMENT.match(text)
        url = comment.group(1) if comment else None
    root = parse_html(text)
    # A site's own XPaths (sites.toml [site.extract]): noise goes before anything is measured.
    overridden = apply_to_tree(root, overrides) if overrides is not None else None
    document = read_document_table(root)  # before the page chrome is cut out of the tree
    elements, measures = measure_tree(root)
    main = extract_main_text(elements, measures)
    meta = read_meta(root)
    prose_start = next((order for paragraph, order in main.paragraphs if _is_prose(paragraph)), None)
    title, title_order = choose_title(elements, measures, meta, prose_start)
    discarded = list(main.discarded)
    paragraphs = _drop_leading_header(main.paragraphs, title, title_order, discarded)
    # The byline sits above the first kept paragraph, and above the first prose paragraph when
    # short kept lines (a kicker, a summary label) come before it.
    starts = [order for order in (paragraphs[0][1] if paragraphs else None, prose_start) if order is not None]
    body_start = max(starts) if starts else None
    header_start = title_order if title_order is not None else _before(body_start)
    header = region_lines(elements, measures, header_start, body_start)
    trailer = region_lines(elements, measures, main.last_order, len(elements), reach=_TRAILER_REACH)
    hinted = class_hinted_fields(elements, header_start, body_start)
    metadata = read_metadata(root, meta, header, url, title, hinted)
    subtitle = choose_subtitle(elements, measures, title, title_order, body_start)
    published = find_published(header, trailer, meta, text, metadata.url, fetched_at)
    header_end = body_start if body_start is not None else title_order
    discarded.extend(discard_page_chrome(root, main.containers, measures, title_order, header_end))
    lines = [strip_pinyin_annotations(paragraph) for paragraph, _ in paragraphs]
    if lines:
        last, credit = split_closing_credit(lines[-1])
        if credit:
            metadata.author = metadata.author or find_author(credit)
            discarded.append(Discarded(text=credit, reason="credit"))
            lines[-1] = last
    if metadata.author is None:
        # 作者：/记者： credit lines inside the article container, left out of the body.
        credits = (item.text for item in main.discarded if item.reason == "credit")
        metadata.author = next((author for author in map(find_author, credits) if author), None)
    if document is not None:
        # A 信息公开 page: its table's 发布日期 is the publication date, else the 成文日期; its
        # 名称 is the headline when the chosen title is only the agency printed above it.
        published = (document.published and _with_time(published, document.published)) or published or document.written
        if document.name and (not title or title == document.issuer or (len(title) < len(document.name) and title in document.name)):
            title = document.name
    if overridden is not None:
        title = overridden.title or title
        published = overridden_date(overridden, fetched_at) or published
        if overridden.paragraphs is not None:
            lines = [strip_pinyin_annotations(paragraph) for paragraph in overridden.paragraphs if paragraph != title]
    article = Article(
        url=metadata.url,
        title=strip_pinyin_annotations(title) if title else None,
        subtitle=strip_pinyin_annotations(subtitle) if subtitle else None,
        published=published,
        author=metadata.author,
        source=metadata.source,
        body=normalize_text("\n".join(lines)),
        site_name=metadata.site_name,
        keywords=metadata.keywords,
        discarded=discarded,
        doc_number=document.doc_number if document else None,
        issuer=document.issuer if document else None,
    )
    return article, measures[elements[0]].text if elements else 0


def _extract_tagless(text: str, url: str | None, fetched_at: datetime | None, warnings: list[str], parsed_chars: int) -> Article:
    """Last resort for HTML the parser cannot build a usable tree from (libxml2 stops nesting at
    a fixed depth and drops what lies deeper): read the page's text as a text dump."""
    stripped = _INVISIBLE_BLOCKS.sub(" ", text)
    stripped = html_module.unescape(_TAG.sub(lambda tag: "\n" if _BLOCK_TAG.match(tag.group()) else "", stripped))
    article = extract_text_dump(normalize_text(strip_pinyin_annotations(stripped)), fetched_at=fetched_at)
    if article.body.strip():
        if parsed_chars < len("".join(article.body.split())) / 2:
            warnings.append("HTML could not be parsed into a usable tree (nesting too deep?); the article was read from the page's text")
        else:
            warnings.append("no article block found in the HTML; the article was read from the page's text")
    article.url = url
    return article


def _with_time(found: str | None, day: str) -> str:
    """The table's day, with the time of day the page printed for that same day, if any."""
    return found if found and found.startswith(day) else day


def _before(order: int | None) -> int | None:
    return None if order is None else max(order - _HEADER_ELEMENTS, 0)


def _is_prose(paragraph: str) -> bool:
    """Article text rather than a headline, byline or label: a full stop, or long, or several clauses."""
    return "。" in paragraph or len(paragraph) >= _PROSE_CHARS or paragraph.count("，") >= 2


def _drop_leading_header(
    paragraphs: list[tuple[str, int]], title: str | None, title_order: int | None, discarded: list[Discarded]
) -> list[tuple[str, int]]:
    """What the container holds above the text proper: anything above the headline (navigation),
    the headline itself, and the byline/dateline under it."""
    start = 0
    squashed_title = "".join((title or "").split())
    while start < len(paragraphs):
        paragraph, order = paragraphs[start]
        if title_order is not None and order < title_order and not _is_prose(paragraph):
            discarded.append(Discarded(text=paragraph, reason="navigation"))
        elif squashed_title and "".join(paragraph.split()) == squashed_title:
            discarded.append(Discarded(text=paragraph, reason="title"))
        elif len(paragraph) < 80 and _DATELINE.search(paragraph) and not re.search(r"[。！？]", paragraph):
            discarded.append(Discarded(text=paragraph, reason="byline"))
        elif len(paragraph) < 20 and not _HAN.search(paragraph):
            # Counters, icons and dates of the page chrome between headline and text.
            discarded.append(Discarded(text=paragraph, reason="navigation"))
        else:
            break
        start += 1
    return paragraphs[start:]
