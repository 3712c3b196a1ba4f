"""Every figure of the archive, filtered and counted: the answer behind `/facts` and its downloads.

Read from the store's plain `facts` table (jiwen.store.fact_table), so a filter is one SQL query
and no article is decoded. `place` is the place a figure is attributed to, hierarchical like
`jiwen trends --place` (贵州省 takes 从江县's figures); `mentioning` keeps the figures of articles
that mention a place, whatever their figures are about (what search's --place means).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

import msgspec

from jiwen.library.indicators import PlaceScope
from jiwen.library.names import UnknownName, measure_problem, place_problem, site_problem
from jiwen.store import Archive
from jiwen.store.fact_queries import FactSelection
from jiwen.store.fact_table import FACT_COLUMNS

if TYPE_CHECKING:
    from jiwen.index import ArchiveIndex

FIGURE_KINDS = ("count", "money", "percent")
ROLES = ("actual", "target", "allocation", "standard", "change", "other")
PAGE_SIZE = 50
DOWNLOAD_COLUMNS = ("article_id", "seq", *FACT_COLUMNS, "url", "title", "published", "site")
_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")


class FactQuery(msgspec.Struct, kw_only=True):
    """One question to the facts table, as `/facts` takes it (every field optional)."""

    kind: str | None = None  # count, money or percent; none: all three
    measure: str | None = None
    role: str | None = None
    place: str | None = None  # the place figures are attributed to, hierarchical
    mentioning: str | None = None  # only articles that mention this place
    period: str | None = None  # YYYY or YYYY-MM
    site: str | None = None
    include_all: bool = False
    page: int = 1
    limit: int = PAGE_SIZE


class FactsPage(msgspec.Struct, kw_only=True):
    total: int
    rows: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]


def check_fact_query(archive: Archive, query: FactQuery) -> None:
    """Every parameter of `query` that names nothing jiwen knows, each with its own message and
    suggestions (one UnknownName for all of them)."""
    problems: dict[str, str | None] = {}
    if query.kind and query.kind not in FIGURE_KINDS:
        problems["kind"] = f"kind={query.kind!r} is not a figure kind; use {', '.join(FIGURE_KINDS)}"
    if query.role and query.role not in ROLES:
        problems["role"] = f"role={query.role!r} is not a role; use {', '.join(ROLES)}"
    if query.period and not _PERIOD.match(query.period):
        problems["period"] = f"period={query.period!r} is not a period; use YYYY or YYYY-MM"
    problems["place"] = place_problem(query.place)
    problems["mentioning"] = place_problem(query.mentioning, "mentioning")
    # A known measure or site is found in an index; the lists to suggest from are read (slowly, at
    # a hundred thousand articles) only for a name the archive does not hold.
    if query.measure and not archive.has_measure(query.measure.strip()):
        problems["measure"] = measure_problem(query.measure, archive.measure_counts())
    if query.site and not archive.has_site(query.site.strip()):
        problems["site"] = site_problem(query.site, archive.stats()["articles_by_site"])
    found = {name: message for name, message in problems.items() if message}
    if found:
        raise UnknownName(found)


def selection_of(archive: Archive, query: FactQuery, index: ArchiveIndex | None = None) -> FactSelection:
    """The figures `query` selects; `index` (anything with `matching_ids`, as `ArchiveIndex`)
    answers --mentioning: `jiwen serve` passes its one open index, so a request does not open
    the index again."""
    names: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    if query.place:
        scope = PlaceScope(query.place)
        names, prefixes = tuple(sorted(scope.names)), tuple(sorted(scope.prefixes))
    article_ids = None
    if query.mentioning:  # the articles search's --place finds: those that mention the place
        from jiwen.core.models import SearchRequest
        from jiwen.index import ArchiveIndex

        request = SearchRequest(place=query.mentioning, include_offtopic=query.include_all)
        article_ids = tuple((index or ArchiveIndex(archive.index_dir)).matching_ids(request))
    return FactSelection(
        kinds=(query.kind,) if query.kind else FIGURE_KINDS,
        measure=query.measure or None,
        role=query.role or None,
        place_names=names,
        place_prefixes=prefixes,
        period=query.period or None,
        site=query.site or None,
        article_ids=article_ids,
        include_all=query.include_all,
    )


def browse_facts(archive: Archive, query: FactQuery, index: ArchiveIndex | None = None) -> FactsPage:
    """One page of the figures `query` selects, newest first, with their counts by kind,
    measure, role, province, site and year."""
    check_fact_query(archive, query)
    selection = selection_of(archive, query, index)
    limit = max(1, query.limit)
    rows = archive.select_facts(selection, limit=limit, offset=(max(1, query.page) - 1) * limit)
    total, facets = archive.fact_totals(selection)
    return FactsPage(total=total, rows=rows, facets=facets)


def all_facts(archive: Archive, query: FactQuery, index: ArchiveIndex | None = None) -> Iterable[dict[str, Any]]:
    """Every figure `query` selects (not one page): for the CSV and JSON downloads."""
    check_fact_query(archive, query)
    return archive.iter_facts(selection_of(archive, query, index))


def write_facts(rows: Iterable[dict[str, Any]], format_name: str, out: IO[bytes], *, bom: bool = False) -> int:
    """`rows` as CSV (`bom`: with the byte-order mark Excel needs to read UTF-8) or JSON Lines."""
    count = 0
    if format_name == "jsonl":
        encoder = msgspec.json.Encoder()
        for row in rows:
            out.write(encoder.encode(row) + b"\n")
            count += 1
        return count
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if bom else "utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(DOWNLOAD_COLUMNS)
    for row in rows:
        writer.writerow(["" if row.get(name) is None else row[name] for name in DOWNLOAD_COLUMNS])
        count += 1
    text.detach()
    return count


class IndicatorSummary(msgspec.Struct, kw_only=True):
    """One line of `jiwen trends --list`: an indicator, how many figures and places report it,
    and the latest period it has a figure for (period end, else publication date)."""

    measure: str
    figures: int
    places: int
    latest: str | None


def list_indicators(archive: Archive) -> list[IndicatorSummary]:
    """Every indicator of the on-topic, not duplicated articles, most reported first."""
    return [IndicatorSummary(**row) for row in archive.indicator_summaries()]
