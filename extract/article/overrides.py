"""Per-site extraction overrides (sites.toml `[site.extract]`): XPaths that say where a site keeps
its article text, headline and date, and which elements are noise, for the sites whose layout
the general rules get wrong. Applied by extract_article when the caller passes them (the crawl
and `jiwen reextract` do, for that site's pages); the rest of extraction is unchanged."""

from __future__ import annotations

from datetime import datetime

import msgspec
from lxml import etree

from jiwen.text.gazetteer import province_named

_BLOCKS = ".//p | .//li | .//h2 | .//h3 | .//h4 | .//h5 | .//tr | .//dd"


class ExtractionOverrides(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    content: str | None = None  # XPath of the element that holds the article text
    title: str | None = None  # XPath of the headline element
    date: str | None = None  # XPath of the element that holds the publication date
    noise: list[str] = []  # XPaths of elements to drop before anything is extracted
    # The publisher's province (陕西省): a provincial site's 我省/本省/全省 is its own province even
    # where a story never names it (read by the facts stage, not by the page extractor).
    province: str | None = None
    # The publication date to take when neither the page's text nor its URL states one (a user's
    # `jiwen ingest --published`): the page's own word wins.
    published: str | None = None

    def problem(self) -> str | None:
        """What is wrong with these settings, as a one-line fix-it, or None."""
        if self.province is not None:
            if province_named(self.province) is None:
                return f"extract province {self.province!r} is not a province-level name (e.g. 陕西省, 广西)"
        if self.published is not None and not _is_iso_date(self.published):
            return f"published {self.published!r} is not a date like 2024-03-05"
        for expression in [self.content, self.title, self.date, *self.noise]:
            if expression is None:
                continue
            try:
                etree.XPath(expression)
            except etree.XPathSyntaxError as error:
                return f"extract XPath {expression!r} is not valid ({error})"
        return None


class OverriddenFields(msgspec.Struct, kw_only=True):
    """What the overrides found on one page, read before the page chrome is cut from the tree."""

    title: str | None = None
    date_text: str | None = None
    paragraphs: list[str] | None = None


def apply_to_tree(root, overrides: ExtractionOverrides) -> OverriddenFields:
    """Drops the noise elements from `root` (in place) and reads the overridden fields."""
    for expression in overrides.noise:
        for element in _elements(root, expression):
            _remove(element)
    found = OverriddenFields()
    if overrides.title:
        found.title = next((text for text in map(_text, _elements(root, overrides.title)) if text), None)
    if overrides.date:
        found.date_text = next((text for text in map(_text, _elements(root, overrides.date)) if text), None)
    if overrides.content:
        containers = _elements(root, overrides.content)
        if containers:
            paragraphs = []
            for container in containers:
                blocks = [block for block in container.xpath(_BLOCKS) if not block.xpath(_BLOCKS)]
                texts = [_text(block) for block in blocks] if blocks else _text(container, keep_lines=True).split("\n")
                paragraphs.extend(text for text in texts if text)
            found.paragraphs = paragraphs
    return found


def overridden_date(found: OverriddenFields, fetched_at: datetime | None) -> str | None:
    from jiwen.extract.article.pubdate import parse_date

    return parse_date(found.date_text, fetched_at) if found.date_text else None


def _remove(element) -> None:
    """Drop an element but keep the text that follows it (lxml.etree has no drop_tree)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _elements(root, expression: str) -> list:
    try:
        result = root.xpath(expression)
    except etree.XPathError:
        return []
    return [item for item in result if isinstance(item, etree._Element)] if isinstance(result, list) else []


def _text(element, keep_lines: bool = False) -> str:
    text = "".join(element.itertext())
    if keep_lines:
        return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    return " ".join(text.split())


def _is_iso_date(value: str) -> bool:
    try:
        datetime.strptime(value[:10], "%Y-%m-%d")
    except ValueError:
        return False
    return len(value) == 10 or value[10] == "T"
