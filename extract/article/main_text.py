"""The article container and its paragraphs.

Why not a library: measured on the dev set (bench/extract_quality.py), GNE scores 0.895,
readability-lxml with htmldate 0.871 and trafilatura 0.837. Their headline picks miss on many
Chinese pages (title accuracy 0.90 / 0.50 / 0.63: <title> with the site name, og:title cut at a
quote), they keep related-story boxes, promos and disclaimers that sit inside the article
container, and they re-walk the tree many times (4-15x jiwen's time a page, bench/extract_speed.py).
This is the readability idea (text blocks vote for the element that holds them) over the one-pass
measures of html.py, with GNE's observation that article text is punctuation-dense and link-poor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.etree

from jiwen.core.models import Discarded
from jiwen.extract.article.boilerplate import (
    boilerplate_reason,
    is_closing_credit,
    is_sidebar_heading,
    rules,
)
from jiwen.extract.article.html import BLOCK_TAGS, Measure, attribute_words, text_lines
from jiwen.text.normalize import normalize_line, to_simplified

# A text block must hold this many characters of its own to vote for its container.
_MIN_BLOCK_CHARS = 12
# Siblings of the winner that score at least this share of it are part of the article
# (pages that split the text over several <div>s).
_SIBLING_SHARE = 0.3
# Inside the container, a block whose text is mostly links is a headline list or a tag cloud.
_LINK_DENSITY_LIMIT = 0.5
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# After a closing credit, lines shorter than this are page promos (回复【…】, 扫描二维码); a longer
# one means the article went on.
_AFTER_CREDIT_MAX_CHARS = 100
# ... or, whatever their length, when all of them together are this small a share of the text
# (a related story's teaser under the credits).
_AFTER_CREDIT_MAX_SHARE = 0.2
_SKIP_CONTAINER_TAGS = frozenset({"a", "li", "ul", "ol", "dl", "nav", "footer", "header", "aside", "form"})


@dataclass
class MainText:
    container: object | None
    # Each paragraph with the document-order position of the element its text starts in.
    paragraphs: list[tuple[str, int]] = field(default_factory=list)
    discarded: list[Discarded] = field(default_factory=list)
    # Document-order position of the last element inside the container.
    last_order: int | None = None
    containers: list = field(default_factory=list)
    # Number of paragraphs kept when a 责任编辑/编辑/校对 line came (None: none came).
    closing_credit_at: int | None = None


def _block_score(measure: Measure) -> float:
    own = measure.direct - measure.direct_link
    if not measure.direct_punctuation:
        # No punctuation at all: a label, a name list, a URL; it barely counts, however long.
        return min(own / 100, 1.0)
    return 1 + measure.direct_punctuation + min(own / 50, 4)


def drop_reason(element, measure: Measure) -> str | None:
    """Why a block inside the container is not article text, from its class/id words and link share."""
    active = rules()
    words = attribute_words(element)
    if words and not any(word in active.html_keep_tokens for word in words):
        for word in words:
            reason = active.html_drop_tokens.get(word)
            if reason is not None:
                return reason
    style = element.get("style")
    if style and _HIDDEN_STYLE.search(style) or element.get("hidden") is not None:
        return "hidden"
    if element.tag in ("aside", "nav", "footer"):
        return {"aside": "sidebar", "nav": "navigation", "footer": "footer"}[element.tag]
    if measure.text and measure.links >= 2 and measure.link / measure.text > _LINK_DENSITY_LIMIT:
        return "sidebar"
    return None


def choose_container(elements: list, measures: dict):
    """The element whose text blocks outweigh every other's."""
    scores: dict = {}
    for element in elements:
        measure = measures[element]
        if measure.direct - measure.direct_link < _MIN_BLOCK_CHARS or element.tag in ("a", "title", "head"):
            continue
        score = _block_score(measure)
        if element.tag not in ("p", "span", "font", "strong", "b", "li", "h1", "h2", "h3", "h4", "h5", "h6"):
            scores[element] = scores.get(element, 0.0) + score
        parent = element.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + score
            grandparent = parent.getparent()
            if grandparent is not None:
                scores[grandparent] = scores.get(grandparent, 0.0) + score / 2
    best, best_score = None, 0.0
    for element, score in scores.items():
        if element.tag in _SKIP_CONTAINER_TAGS:
            continue
        measure = measures[element]
        link_share = measure.link / measure.text if measure.text else 1.0
        weighted = score * (1 - link_share)
        if weighted > best_score:
            best, best_score = element, weighted
    return best, scores, best_score


def _container_group(best, scores: dict, measures: dict, best_score: float) -> list:
    parent = best.getparent()
    if parent is None:
        return [best]
    group = []
    for sibling in parent:
        if sibling is best:
            group.append(sibling)
            continue
        if not isinstance(sibling.tag, str) or sibling.tag in _SKIP_CONTAINER_TAGS:
            continue
        measure = measures.get(sibling)
        if measure is None or not measure.text:
            continue
        link_share = measure.link / measure.text
        if scores.get(sibling, 0.0) * (1 - link_share) >= best_score * _SIBLING_SHARE and drop_reason(sibling, measure) is None:
            group.append(sibling)
    return group


def _clean(text: str) -> str:
    return normalize_line(to_simplified(text))


def extract_main_text(elements: list, measures: dict) -> MainText:
    best, scores, best_score = choose_container(elements, measures)
    if best is None:
        return MainText(None)
    result = MainText(best)
    group = _container_group(best, scores, measures, best_score)
    for container in group:
        _Collector(container, elements, measures, result).walk()
        measure = measures[container]
        result.last_order = max(result.last_order or 0, measure.order + measure.size - 1)
    result.containers = group
    _cut_after_closing_credit(result)
    return result


def _cut_after_closing_credit(result: MainText) -> None:
    """Once 责任编辑/校对 has come in the second half of the text, the short lines after it are
    the page's promos, not the article."""
    cut = result.closing_credit_at
    if cut is None or cut < len(result.paragraphs) / 2:
        return
    tail = result.paragraphs[cut:]
    tail_chars = sum(len(text) for text, _ in tail)
    body_chars = sum(len(text) for text, _ in result.paragraphs)
    if tail and (all(len(text) < _AFTER_CREDIT_MAX_CHARS for text, _ in tail) or tail_chars < body_chars * _AFTER_CREDIT_MAX_SHARE):
        result.discarded.extend(Discarded(text=text, reason="after-credits") for text, _ in tail)
        del result.paragraphs[cut:]


class _Collector:
    """Walks one container in document order, splitting lines at block tags. Blocks that
    drop_reason rejects are skipped whole; a block that opens with a sidebar heading
    (延伸·推荐, 为你推荐) is dropped from that heading to its end."""

    def __init__(self, container, elements: list, measures: dict, result: MainText):
        self.container = container
        self.elements = elements
        self.measures = measures
        self.result = result
        self.line: list[str] = []
        self.orders: list[int] = []
        self.dropping = None  # the block being dropped after a sidebar heading
        self.dropped: list[str] = []

    def add(self, text: str | None, order: int) -> None:
        if not text:
            return
        if self.dropping is not None:
            self.dropped.append(text)
            return
        self.line.append(text)
        self.orders.append(order)

    def flush(self) -> None:
        if self.dropping is not None:
            return
        text = _clean("".join(self.line))
        orders = list(self.orders)
        self.line.clear()
        self.orders.clear()
        if not text:
            return
        result = self.result
        if is_sidebar_heading(text):
            result.discarded.append(Discarded(text=text, reason="sidebar"))
            self.dropping = self._block_opened_by(self.elements[orders[0]])
            return
        reason = boilerplate_reason(text)
        if reason is None:
            result.paragraphs.append((text, orders[0]))
            return
        if is_closing_credit(text) and result.closing_credit_at is None:
            result.closing_credit_at = len(result.paragraphs)
        result.discarded.append(Discarded(text=text, reason=reason))

    def _block_opened_by(self, element):
        """The outermost block below the container whose text starts with `element`'s."""
        while True:
            parent = element.getparent()
            if parent is None or parent is self.container or (parent.text or "").strip() or parent[0] is not element:
                return element
            element = parent

    def end_dropping(self) -> None:
        lines = [_clean(text) for text in self.dropped]
        self.result.discarded.extend(Discarded(text=line, reason="sidebar") for line in lines if line)
        self.dropped.clear()
        self.dropping = None

    def walk(self) -> None:
        container, measures = self.container, self.measures
        walker = lxml.etree.iterwalk(container, events=("start", "end"))
        skipped = None
        for event, element in walker:
            measure = measures.get(element)
            if measure is None:
                continue
            block = element.tag in BLOCK_TAGS
            if event == "start":
                if block:
                    self.flush()
                reason = drop_reason(element, measure) if element is not container and measure.text else None
                if reason is not None:
                    _discard_block(element, reason, self.result)
                    walker.skip_subtree()
                    skipped = element
                    continue
                self.add(element.text, measure.order)
                continue
            if element is skipped:
                skipped = None
            elif block:
                self.flush()
            if element is self.dropping:
                self.end_dropping()
            if element is container:
                break
            parent = element.getparent()
            self.add(element.tail, measures[parent].order if parent in measures else measure.order)
        self.flush()


def _discard_block(element, reason: str, result: MainText) -> None:
    result.discarded.extend(Discarded(text=line, reason=reason) for line in text_lines(element) if line)
