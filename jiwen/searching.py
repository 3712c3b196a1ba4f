"""`jiwen search` on an archive: the index answers; the store is not needed for a search."""

from __future__ import annotations

from .errors import ArchiveError
from .models import SearchRequest, SearchResponse
from .store import Archive


def run_search(archive: Archive, request: SearchRequest, index=None) -> SearchResponse:
    """The search `jiwen search --json` prints and `/api/search` serves. A long-running caller
    (`jiwen serve`) passes the `ArchiveIndex` it keeps open, so columns are decoded once."""
    from jiwen.index import ArchiveIndex

    if not archive.index_dir.exists():
        raise ArchiveError(f"archive {archive.directory} has no index yet; run 'jiwen reindex'")
    return (index or ArchiveIndex(archive.index_dir)).search(request)
