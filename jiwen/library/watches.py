"""Watches: saved searches that say when a new article matches (`jiwen watch`, after every crawl,
and `/watch/NAME.atom`).

A watch is a query with the search filters (place, programme, site). When it is added, what it
matches already is recorded as seen, so only articles that arrive afterwards are reported as new;
each check (after a crawl, or `jiwen watch check`) records and returns the new matches.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import msgspec

from jiwen.core.errors import JiwenError
from jiwen.core.models import SearchHit, SearchRequest, SearchResponse
from jiwen.library.names import place_problem, programme_problem, raise_problems, site_problem
from jiwen.library.search import require_searchable_words
from jiwen.store import Archive

if TYPE_CHECKING:
    from jiwen.index import ArchiveIndex

NAME = re.compile(r"^[\w\u4e00-\u9fff-]{1,40}$")
CHECKED_MATCHES = 1000  # the newest matches a check looks at


class Watch(msgspec.Struct, kw_only=True):
    name: str
    query: str = ""
    place: str | None = None
    program: str | None = None
    site: str | None = None
    created_at: str = ""
    matches: int = 0
    last_match: str | None = None

    def request(self, limit: int = CHECKED_MATCHES) -> SearchRequest:
        return SearchRequest(query=self.query, place=self.place, program=self.program, site=self.site, sort="date", limit=limit)


def add_watch(
    archive: Archive,
    name: str,
    query: str,
    *,
    place: str | None = None,
    program: str | None = None,
    site: str | None = None,
    index: ArchiveIndex | None = None,
) -> Watch:
    """Save a watch; what it matches now is recorded as seen (returned in `matches`)."""
    if not NAME.match(name):
        raise JiwenError(f"watch name {name!r}: use up to 40 letters, digits, - or _ (it becomes /watch/{name}.atom)")
    if any(watch["name"] == name for watch in archive.watches()):
        raise JiwenError(f"a watch named {name!r} exists; 'jiwen watch remove {name}' first")
    require_searchable_words(query, archive.index_dir)
    if not (query.strip() or place or program or site):
        raise JiwenError("a watch needs a query or a --place, --program or --site")
    raise_problems(
        {
            "place": place_problem(place),
            "program": programme_problem(program),
            "site": site_problem(site, archive.stats()["articles_by_site"]),
        }
    )
    watch = Watch(name=name, query=query, place=place, program=program, site=site)
    archive.add_watch(name, query, place, program, site)
    seen = _matching_ids(archive, watch, index)
    archive.record_watch_matches(name, seen)
    return msgspec.structs.replace(watch, matches=len(seen))


def list_watches(archive: Archive) -> list[Watch]:
    return [Watch(**row) for row in archive.watches()]


def find_watch(archive: Archive, name: str) -> Watch:
    for watch in list_watches(archive):
        if watch.name == name:
            return watch
    known = ", ".join(watch.name for watch in list_watches(archive)) or "none yet"
    raise JiwenError(f"no watch named {name!r} (watches: {known}); 'jiwen watch add NAME QUERY' makes one")


def remove_watch(archive: Archive, name: str) -> None:
    find_watch(archive, name)
    archive.remove_watch(name)


def check_watches(archive: Archive, index: ArchiveIndex | None = None) -> dict[str, list[SearchHit]]:
    """Every watch's new matches (newest first), recorded as seen."""
    new: dict[str, list[SearchHit]] = {}
    for watch in list_watches(archive):
        seen = archive.watch_matched_ids(watch.name)
        hits = _search(archive, watch, index).hits
        fresh = [hit for hit in hits if hit.id not in seen]
        archive.record_watch_matches(watch.name, [hit.id for hit in fresh])
        new[watch.name] = fresh
    return new


def watch_hits(archive: Archive, name: str, limit: int = 50, index: ArchiveIndex | None = None) -> tuple[Watch, SearchResponse]:
    """A watch and its newest matches (for its Atom feed)."""
    watch = find_watch(archive, name)
    return watch, _search(archive, watch, index, limit)


def _search(archive: Archive, watch: Watch, index: ArchiveIndex | None = None, limit: int = CHECKED_MATCHES) -> SearchResponse:
    from jiwen.index import ArchiveIndex

    if not archive.index_dir.exists():
        return SearchResponse(total=0, hits=[])  # nothing indexed yet: nothing matches
    return (index or ArchiveIndex(archive.index_dir)).search(watch.request(limit))


def _matching_ids(archive: Archive, watch: Watch, index: ArchiveIndex | None = None) -> list[str]:
    return [hit.id for hit in _search(archive, watch, index).hits]
