"""Atom feeds of a real `jiwen serve`: `/feed.atom` with the search page's filters and
`/watch/NAME.atom` for a watch, checked against what RFC 4287 requires of a feed and its entries."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote
from xml.etree import ElementTree

from tests.conftest import run_jiwen

ATOM = "{http://www.w3.org/2005/Atom}"


def valid_atom(body: bytes) -> list[ElementTree.Element]:
    """The entries of an Atom 1.0 feed, after checking its structure: the root, the feed's one id,
    title and updated, a self link, and each entry's id, title, updated and alternate link, dates
    in RFC 3339, ids unique."""
    root = ElementTree.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    assert any(link.get("rel") == "self" for link in root.findall(f"{ATOM}link"))
    datetime.fromisoformat(root.findtext(f"{ATOM}updated"))
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        updated = entry.findtext(f"{ATOM}updated")
        assert datetime.fromisoformat(updated).tzinfo is not None
        alternates = [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        assert len(alternates) == 1 and "/article/" in alternates[0].get("href")
        assert entry.findtext(f"{ATOM}summary")
    assert len({entry.findtext(f"{ATOM}id") for entry in entries}) == len(entries)
    return entries


def test_the_search_feed_has_what_the_search_page_finds_newest_first(server):
    status, headers, body = server.get("/feed.atom?q=" + quote("就业") + "&place=" + quote("贵州省"))
    assert status == 200 and headers["content-type"].startswith("application/atom+xml")
    entries = valid_atom(body)
    assert entries
    dates = [entry.findtext(f"{ATOM}updated") for entry in entries]
    stamps = [datetime.fromisoformat(date) for date in dates]
    assert stamps == sorted(stamps, reverse=True)
    status, _, page = server.get("/?q=" + quote("就业") + "&place=" + quote("贵州省"))
    assert f'data-total="{min(len(entries), 50)}"' in page.decode("utf-8") or len(entries) == 50


def test_a_watch_has_its_own_feed_and_an_unknown_one_is_404(server, served_archive):
    added = run_jiwen("watch", "add", "spring-feed", "--program", "春风行动", "--archive", str(served_archive))
    assert added.returncode == 0, added.stderr
    status, _, body = server.get("/watch/spring-feed.atom")
    assert status == 200
    entries = valid_atom(body)
    assert entries and all(entry.findtext(f"{ATOM}title") for entry in entries)
    status, _, _ = server.get("/watch/no-such-watch.atom")
    assert status == 404
