"""Export articles and facts as JSON, JSON Lines or CSV, streamed with constant memory.

Filters are the search filters (`SearchRequest`) and are answered by the index, so an export
selects exactly the articles `jiwen search` finds; `changed_since` is answered by the store.
Files are written atomically: a temporary file in the same folder, renamed over the target.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import msgspec

from jiwen.core.csvcells import spreadsheet_safe, spreadsheet_safe_row
from jiwen.core.models import ArchivedArticle, Fact, IndicatorRow, MeasuredFact, PlaceFact, SearchRequest, fact_kind
from jiwen.core.paths import atomic_write
from jiwen.core.progress import Progress, counted
from jiwen.library.indicators import INDICATOR_COLUMNS, PlaceScope, indicator_rows, role_matches
from jiwen.store import Archive

FORMATS = ("json", "jsonl", "facts-jsonl", "csv", "indicators-csv", "indicators-jsonl")

CSV_COLUMNS = (
    "article_id", "url", "title", "published", "site",
    "kind", "text", "start", "end", "sentence",
    "value", "value_end", "unit", "qualifier", "subject", "currency",
    "measure", "place", "place_adcode", "period_start", "period_end",
    "name", "level", "adcode", "province", "prefecture",
    "date", "date_end", "granularity", "role",
)  # fmt: skip

_ENCODER = msgspec.json.Encoder()


def select_articles(
    archive: Archive,
    request: SearchRequest | None = None,
    *,
    changed_since: str | None = None,
    include_all: bool = False,
) -> Iterator[ArchivedArticle]:
    """The articles an export writes: those the search filters match (all, without filters),
    skipping off-topic articles and near-duplicates unless `include_all`."""
    if request is not None and _has_search_filters(request):
        from jiwen.index import ArchiveIndex

        search = msgspec.structs.replace(request, include_offtopic=include_all or request.include_offtopic)
        ids = ArchiveIndex(archive.index_dir).matching_ids(search)
        if changed_since:
            changed = archive.ids_changed_since(changed_since)
            ids = [article_id for article_id in ids if article_id in changed]
        articles: Iterable[ArchivedArticle] = archive.iter_articles(ids=ids)
    else:
        articles = archive.iter_articles(changed_since=changed_since, include_duplicates=include_all)
    kinds = set(request.kinds) if request is not None and request.kinds else None
    for article in articles:
        if not include_all and (not article.relevant or article.duplicate_of):
            continue
        if kinds is not None:
            kept = [fact for fact in article.facts if fact_kind(fact) in kinds]
            if not kept:
                continue
            article = msgspec.structs.replace(article, facts=kept)
        yield article


INDICATOR_FORMATS = ("indicators-csv", "indicators-jsonl")
# The formats with a row per fact: there --place is the place a fact is about (see fact_place).
FACT_FORMATS = ("facts-jsonl", "csv", *INDICATOR_FORMATS)


def select_fact_articles(
    archive: Archive, request: SearchRequest, place: str, *, changed_since: str | None = None, include_all: bool = False
) -> Iterator[ArchivedArticle]:
    """`select_articles` for a facts export with --place: only the articles that hold a fact about
    `place` or a place inside it (a figure attributed to it, or the place named), each with those
    facts alone. The store's facts table names the articles with such figures; place facts are
    found in the articles search's --place finds."""
    scope = PlaceScope(place)
    candidates: set[str] | None = None
    if archive.has_fact_table():
        from jiwen.library.facts import FactQuery, selection_of

        candidates = set(archive.fact_article_ids(selection_of(archive, FactQuery(place=place, include_all=True))))
        if not request.kinds or "place" in request.kinds:
            mentioning = msgspec.structs.replace(request, place=place, query="", include_offtopic=True)
            from jiwen.index import ArchiveIndex

            candidates.update(ArchiveIndex(archive.index_dir).matching_ids(mentioning))
    for article in select_articles(archive, request, changed_since=changed_since, include_all=include_all):
        if candidates is not None and article.id not in candidates:
            continue
        kept = [fact for fact in article.facts if fact_place_in(scope, fact)]
        if kept:
            yield msgspec.structs.replace(article, facts=kept)


def fact_place_in(scope: PlaceScope, fact: Fact) -> bool:
    """Whether a fact is about a place of `scope`: a figure by its attributed place, a place fact
    by itself; other facts (dates, programmes, people) are about no place."""
    if isinstance(fact, MeasuredFact):  # count, money, percent
        if fact.place in scope.names:
            return True
        adcode = fact.place_adcode
    elif isinstance(fact, PlaceFact):
        if fact.name in scope.names:
            return True
        adcode = fact.adcode
    else:
        return False
    if not adcode:
        return False
    return any(adcode.startswith(prefix) for prefix in scope.prefixes)


def write_export(
    articles: Iterable[ArchivedArticle],
    format_name: str,
    out: IO[bytes],
    *,
    figure_place: str | None = None,
    role: str | None = None,
    bom: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write `articles` to a binary stream; returns how many records (articles or facts) it wrote.
    `progress(articles read, None)` as they are read.

    `figure_place` (indicator formats only) keeps the figures attributed to that place or a place
    inside it, whatever the article is about. `role` (indicator formats only) keeps the figures of
    that role ("any" or None: all). `bom` (CSV formats): start with the UTF-8 byte-order mark,
    without which Excel reads UTF-8 as the local code page."""
    if bom and format_name in ("csv", "indicators-csv"):
        out.write("\ufeff".encode("utf-8"))
    articles = counted(articles, progress)
    if format_name == "json":
        return _write_json_array(articles, out)
    if format_name == "jsonl":
        count = 0
        for article in articles:
            out.write(_ENCODER.encode(article) + b"\n")
            count += 1
        return count
    if format_name == "facts-jsonl":
        count = 0
        for row in fact_rows(articles):
            out.write(_ENCODER.encode(row) + b"\n")
            count += 1
        return count
    if format_name == "csv":
        return _write_csv(articles, out)
    if format_name == "indicators-jsonl":
        count = 0
        for indicator in _indicators(articles, figure_place, role):
            out.write(_ENCODER.encode(indicator) + b"\n")
            count += 1
        return count
    if format_name == "indicators-csv":
        return _write_indicators_csv(_indicators(articles, figure_place, role), out)
    raise ValueError(f"unknown export format {format_name!r}")


def fact_rows(articles: Iterable[ArchivedArticle]) -> Iterator[dict[str, Any]]:
    for article in articles:
        head = {
            "article_id": article.id,
            "url": article.url,
            "title": article.title,
            "published": article.published,
            "site": article.site,
        }
        for fact in article.facts:
            yield {**head, **msgspec.to_builtins(fact)}


@contextmanager
def atomic_output(path: Path | None, stdout: IO[bytes]) -> Iterator[IO[bytes]]:
    """stdout, or the file `path` written atomically (jiwen.core.paths.atomic_write: regular files
    only, never through a symlink, nothing left under the name when writing fails)."""
    if path is None:
        yield stdout
        stdout.flush()
        return
    with atomic_write(path) as handle:
        yield handle


def _write_json_array(articles: Iterable[ArchivedArticle], out: IO[bytes]) -> int:
    # Streamed by hand rather than encoding one list, so memory stays flat for large archives.
    count = 0
    out.write(b"[")
    for article in articles:
        out.write(b"\n" if count == 0 else b",\n")
        out.write(_ENCODER.encode(article))
        count += 1
    out.write(b"\n]\n" if count else b"]\n")
    return count


def _write_csv(articles: Iterable[ArchivedArticle], out: IO[bytes]) -> int:
    import io

    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in fact_rows(articles):
        writer.writerow({name: spreadsheet_safe(value) for name, value in row.items()})
        count += 1
    text.detach()
    return count


def _indicators(articles: Iterable[ArchivedArticle], place: str | None, role: str | None = None) -> Iterator[IndicatorRow]:
    rows = (row for row in indicator_rows(articles) if role_matches(row, role))
    if not place:
        return rows
    scope = PlaceScope(place)
    return (row for row in rows if row in scope)


def _write_indicators_csv(indicators: Iterable[IndicatorRow], out: IO[bytes]) -> int:
    import io

    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(INDICATOR_COLUMNS)
    count = 0
    for indicator in indicators:
        # Nulls as empty cells, so pandas and spreadsheets read them as missing.
        writer.writerow(spreadsheet_safe_row(msgspec.structs.astuple(indicator)))
        count += 1
    text.detach()
    return count


def _has_search_filters(request: SearchRequest) -> bool:
    return bool(request.query.strip() or request.place or request.program or request.site or request.since or request.until)
