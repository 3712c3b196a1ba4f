"""Atom 1.0 feeds (RFC 4287) of a search or a watch: the newest matches first, each entry with its
title, link, date and snippet. Written with ElementTree, which escapes every text and attribute."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from xml.etree import ElementTree

from jiwen.core.models import SearchHit

ATOM = "http://www.w3.org/2005/Atom"


def _timestamp(published: str | None, fallback: str) -> str:
    """An RFC 3339 date-time for an entry: its publication date (a day alone at midnight UTC+8,
    the newsrooms' time), else the feed's own time."""
    if not published:
        return fallback
    text = published.strip()
    try:
        if len(text) == 10:
            return f"{text}T00:00:00+08:00"
        moment = datetime.fromisoformat(text)
    except ValueError:
        return fallback
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def atom_feed(*, title: str, feed_url: str, page_url: str, base_url: str, hits: list[SearchHit]) -> bytes:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")

    def add(parent, name: str, text: str | None = None, **attributes) -> ElementTree.Element:
        element = ElementTree.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
        if text is not None:
            element.text = text
        return element

    add(feed, "id", "urn:jiwen:feed:" + hashlib.sha1(feed_url.encode("utf-8")).hexdigest())
    add(feed, "title", title)
    stamps = [_timestamp(hit.published, now) for hit in hits]
    add(feed, "updated", max(stamps) if stamps else now)
    add(feed, "link", rel="self", type="application/atom+xml", href=base_url + feed_url)
    add(feed, "link", rel="alternate", type="text/html", href=base_url + page_url)
    author = add(feed, "author")
    add(author, "name", "jiwen")
    add(feed, "generator", "jiwen")
    for hit, stamp in zip(hits, stamps):
        entry = add(feed, "entry")
        add(entry, "id", f"urn:jiwen:article:{hit.id}")
        add(entry, "title", hit.title or "(untitled)")
        add(entry, "link", rel="alternate", type="text/html", href=f"{base_url}/article/{hit.id}")
        if hit.url and hit.url.startswith(("http://", "https://")):
            add(entry, "link", rel="via", href=hit.url)
        add(entry, "updated", stamp)
        if hit.published:
            add(entry, "published", stamp)
        add(entry, "summary", hit.text or hit.snippet, type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, encoding="utf-8", xml_declaration=False)
