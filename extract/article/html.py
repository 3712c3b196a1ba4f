"""Parse a page once and measure every element in one bottom-up pass.

The measures (text length, link-text length, punctuation, text that sits directly in the element
rather than in a block below it) feed main_text.py, which picks the article container, and
metadata.py, which reads the header above it. Nothing here recurses in Python, so a page with
10,000 nested elements costs the same as a flat one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import lxml.etree

from jiwen.core.errors import ExtractionError
from jiwen.text.normalize import normalize_text

# Never article text, and their contents would skew every measure.
_DROP_WITH_CONTENT = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "select",
    "option",
    "textarea",
    "button",
    "input",
    "map",
    "audio",
    "video",
    "rt",
    "rp",
    lxml.etree.Comment,
    lxml.etree.ProcessingInstruction,
)
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "br",
        "caption",
    ]
)
# ASCII "." ":" "/" are left out: they fill URLs and file names, which are never article text.
PUNCTUATION = "，。！？；：、“”‘’（）《》,!?;"
_BREAK = "\ufdd0"
_WORD_SPLIT = re.compile(r"[-_]|(?<=[a-z])(?=[A-Z])|\d+")
_DELETE_PUNCTUATION = dict.fromkeys(map(ord, PUNCTUATION), None)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# libxml2 drops everything after a </html> or </body>; pages stitched from CMS fragments carry
# them mid-document (a header include closing </html> before the article), so they go: the
# parser closes both at the end anyway.
_EARLY_END_TAGS = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)
# lxml.etree's parser, not lxml.html's: lxml.html looks up a Python element class for every
# element it hands out, which cost more than the parse itself.
_PARSER = lxml.etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True, default_doctype=False)


def visible_length(text: str | None) -> int:
    return len("".join(text.split())) if text else 0


def punctuation_count(text: str | None) -> int:
    return len(text) - len(text.translate(_DELETE_PUNCTUATION)) if text else 0


@dataclass(slots=True)
class Measure:
    """Per element: `text` non-space characters below it, `link` those inside <a>, `punctuation`,
    `direct` characters not inside a block-level descendant (a paragraph's own text), `order` its
    place in document order, `paragraphs` text blocks below it."""

    text: int = 0
    link: int = 0
    punctuation: int = 0
    direct: int = 0
    direct_punctuation: int = 0
    direct_link: int = 0
    order: int = 0
    links: int = 0
    paragraphs: int = 0
    size: int = 1  # elements in its subtree, itself included: the subtree spans order..order+size-1


def parse_html(text: str) -> lxml.etree._Element:
    text = _EARLY_END_TAGS.sub("", _XML_DECLARATION.sub("", text, count=1))
    try:
        root = lxml.etree.fromstring(text, parser=_PARSER)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError) as error:
        raise ExtractionError(f"page cannot be parsed as HTML ({error}); pass the page's HTML or a text dump") from None
    if root is None:
        raise ExtractionError("page has no HTML content; pass the page's HTML or a text dump")
    lxml.etree.strip_elements(root, *_DROP_WITH_CONTENT, with_tail=False)
    lxml.etree.strip_tags(root, "ruby", "rb")
    return root


def measure_tree(root: lxml.etree._Element) -> tuple[list, dict]:
    """Elements in document order, and their Measures, in one pass from the leaves up."""
    elements = list(root.iter(lxml.etree.Element))  # elements only: no comments or entities
    measures = {element: Measure(order=order) for order, element in enumerate(elements)}
    for element in reversed(elements):
        measure = measures[element]
        tag = element.tag
        own = element.text
        if own and not own.isspace():
            length = visible_length(own)
            punctuation = punctuation_count(own)
            measure.text += length
            measure.punctuation += punctuation
            measure.direct += length
            measure.direct_punctuation += punctuation
        if tag == "a":
            measure.link = measure.text
            measure.direct_link = measure.direct
            measure.links += 1
        if measure.direct >= 10:
            measure.paragraphs += 1
        parent = element.getparent()
        if parent is None:
            continue
        into = measures[parent]
        into.text += measure.text
        into.link += measure.link
        into.links += measure.links
        into.punctuation += measure.punctuation
        into.paragraphs += measure.paragraphs
        into.size += measure.size
        tail = element.tail
        if tail and not tail.isspace():
            length = visible_length(tail)
            punctuation = punctuation_count(tail)
            into.text += length
            into.punctuation += punctuation
            into.direct += length
            into.direct_punctuation += punctuation
        if tag not in BLOCK_TAGS:
            into.direct += measure.direct
            into.direct_punctuation += measure.direct_punctuation
            into.direct_link += measure.direct_link
    return elements, measures


def text_lines(element) -> list[str]:
    """The element's visible text split into lines at block tags, normalized.

    A break mark opening and closing every block is written into the tree and the text is then
    read in one C-level pass: walking the subtree event by event cost more than the rest of the
    extraction on pages with long link lists. The mark is a Unicode noncharacter, so it never
    meets real text, and it is gone from everything this returns; other readers of the tree
    (there are none after this) would see it only between blocks."""
    for block in element.iter(*BLOCK_TAGS):
        block.text = _BREAK + block.text if block.text else _BREAK
        if block is not element:
            block.tail = _BREAK + block.tail if block.tail else _BREAK
    text = "".join(element.itertext()).replace("\n", " ").replace(_BREAK, "\n")
    return [line for line in normalize_text(text).split("\n") if line]


def attribute_words(element) -> tuple[str, ...]:
    """class and id split into lower-case words: "article-content relatedNews" ->
    ("article-content", "article", "content", "relatednews", "related", "news")."""
    class_name, identifier = element.get("class"), element.get("id")
    if not class_name and not identifier:
        return ()
    return _split_attribute_words(f"{class_name or ''} {identifier or ''}")


@lru_cache(maxsize=4096)
def _split_attribute_words(raw: str) -> tuple[str, ...]:
    # Cached: a page repeats the same few class strings hundreds of times.
    words = []
    for token in raw.split():
        words.append(token.lower())
        words.extend(part.lower() for part in _WORD_SPLIT.split(token) if part)
    return tuple(words)
