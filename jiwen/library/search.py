"""`jiwen search` on an archive: the index answers; the store is not needed for a search."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from jiwen.core.errors import ArchiveError, QuerySyntaxError
from jiwen.core.models import SearchRequest, SearchResponse
from jiwen.store import Archive

if TYPE_CHECKING:
    from jiwen.index import ArchiveIndex


def require_searchable_words(text: str, index_dir: Path | None = None) -> None:
    """A query that is given but has nothing to search for once analysed (punctuation, emoji,
    stopwords such as 的 or "the") is refused: Whoosh would drop it and match every article, and
    `jiwen export` would then write the whole archive. `index_dir`: the query is cut with the
    words saved beside that index, as the search will cut it (without it, the extractor's
    segmenter and its gazetteer load: over a second for a one-shot search)."""
    if not text or not text.strip():
        return
    from jiwen.index.analyzer import use_index_words
    from jiwen.index.query import parse_text
    from jiwen.index.schema import build_schema

    if index_dir is not None:
        use_index_words(index_dir)
    if parse_text(text, build_schema()) is None:
        raise QuerySyntaxError(
            f"query {text!r} has no word to search for (only punctuation, symbols or common words such as 的, 了, the); "
            'give a word or a "phrase", or leave the query out to use the filters alone'
        )


def run_search(archive: Archive, request: SearchRequest, index: ArchiveIndex | None = None) -> SearchResponse:
    """The search `jiwen search --json` prints and `/api/search` serves. A long-running caller
    (`jiwen serve`) passes the `ArchiveIndex` it keeps open, so columns are decoded once."""
    from jiwen.index import ArchiveIndex

    require_searchable_words(request.query, archive.index_dir)
    if not archive.index_dir.exists():
        raise ArchiveError(f"archive {archive.directory} has no index yet; run 'jiwen reindex'")
    response = (index or ArchiveIndex(archive.index_dir)).search(request)
    if response.total == 0:
        check_search_names(archive, request, index)
    return response


def check_search_names(archive: Archive, request: SearchRequest, index: ArchiveIndex | None = None) -> None:
    """When a search finds nothing: an UnknownName ("did you mean …") for a --place, --program or
    --site that names nothing jiwen knows, rather than an empty answer that reads as "no such
    articles". Only then, so a search that finds something never loads the gazetteer."""
    from jiwen.library.names import place_problem, programme_problem, raise_problems, site_problem

    problems = {"place": place_problem(request.place)}
    if request.program or request.site:
        from jiwen.index import ArchiveIndex

        every = SearchRequest(facets=["program", "site"], limit=1, include_offtopic=True)
        held = (index or ArchiveIndex(archive.index_dir)).search(every).facets
        problems["program"] = programme_problem(request.program, held.get("program", {}))
        problems["site"] = site_problem(request.site, held.get("site", {}))
    raise_problems(problems)
