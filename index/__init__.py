"""The archive's search index (Whoosh, Chinese analysis with jieba, facets). Nothing outside this
package imports Whoosh; everything goes through `ArchiveIndex`."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from jiwen.core.errors import ArchiveError
from jiwen.core.models import ArchivedArticle, SearchRequest, SearchResponse
from jiwen.index.analyzer import save_user_words, use_index_words
from jiwen.index.arrays import SearchArrays
from jiwen.index.columns import ColumnCache, save_missing_columns
from jiwen.index.locking import DEFAULT_LOCK_TIMEOUT, IndexBusyError, write_lock
from jiwen.index.scoring import Scorer
from jiwen.index.searcher import run_matching_ids, run_search
from jiwen.index.snippets import DEFAULT_MARKS
from jiwen.index.store import check_complete, create_fresh, open_or_create, remove_stale_rebuilds, swap_in


class ArchiveIndex:
    """The Whoosh index in `directory` (created if absent).

    `marks` wrap the query's words in snippets; `lock_timeout` is how long a writer waits for
    another writer before raising `IndexBusyError`."""

    def __init__(
        self,
        directory: Path,
        *,
        marks: tuple[str, str] = DEFAULT_MARKS,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        self.directory = Path(directory)
        self.marks = marks
        self.lock_timeout = lock_timeout
        self._index = open_or_create(self.directory)
        self._folder_identity = self._identity()
        self._searcher = None
        self._columns = ColumnCache()
        self._scorer = Scorer()
        self._arrays: SearchArrays | None = None

    # Writing

    def add(self, articles: Iterable[ArchivedArticle]) -> int:
        """Add or replace (by id) the articles, in one commit. Returns how many were written."""
        from jiwen.index.documents import article_document
        from jiwen.index.writer import MAX_SEGMENTS, PARALLEL_THRESHOLD, open_writer

        articles = iter(articles)
        head = list(itertools.islice(articles, PARALLEL_THRESHOLD))
        # Parallel writers leave one segment per worker (worth it for large batches only).
        parallel = len(head) >= PARALLEL_THRESHOLD and len(self._index._segments()) < MAX_SEGMENTS
        writer = open_writer(self._index, self.directory, timeout=self.lock_timeout, parallel=parallel)
        remove_stale_rebuilds(self.directory)
        seen: set[str] = set()
        repeated: list[ArchivedArticle] = []
        try:
            for article in itertools.chain(head, articles):
                # A writer cannot delete what it added itself, so a second copy of an id waits
                # for a second commit (it is the later copy that must win).
                if article.id in seen:
                    repeated.append(article)
                    continue
                seen.add(article.id)
                writer.update_document(**article_document(article))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(merge=False)
        self._merge_small()
        save_missing_columns(self.directory, self._index)
        save_user_words(self.directory)
        if repeated:
            self.add(repeated)
        return len(seen)

    def remove_leftovers(self) -> list[Path]:
        """Remove the rebuild folders that killed rebuilds left beside the index (those of pids
        no longer alive); for a writer holding the archive's writer lock."""
        return remove_stale_rebuilds(self.directory)

    def delete(self, ids: Iterable[str]) -> None:
        from jiwen.index.writer import open_writer

        writer = open_writer(self._index, self.directory, timeout=self.lock_timeout)
        try:
            for article_id in ids:
                writer.delete_by_term("id", article_id)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(merge=False)
        self._merge_small()
        save_missing_columns(self.directory, self._index)

    def _merge_small(self) -> None:
        """After an incremental commit (which merges nothing): past MAX_SEGMENTS segments, the
        smallest are merged a term at a time (index/merging.py), so searches stay fast."""
        from jiwen.index.merging import merge_small
        from jiwen.index.writer import MAX_SEGMENTS

        merge_small(self._index, self.directory, most=MAX_SEGMENTS)

    def rebuild(self, articles: Iterable[ArchivedArticle], *, merge: bool = True) -> int:
        """`rebuild_index` of this index's folder; this instance then reads the new index."""
        self._close_searcher()
        count = rebuild_index(self.directory, articles, merge=merge, lock_timeout=self.lock_timeout)
        self._index = open_or_create(self.directory)
        self._folder_identity = self._identity()
        return count

    def merge(self) -> bool:
        """Merge the index's segments into one (dropping deleted documents' postings), as a
        rebuild leaves it; False when there was nothing to merge. Holds the writer lock."""
        from jiwen.index.merging import merge_all

        merged = merge_all(self._index, self.directory)
        if merged:
            save_missing_columns(self.directory, self._index)
        return merged

    def segment_count(self) -> int:
        return len(self._index._segments())

    # Reading

    def _identity(self) -> tuple[int, int]:
        status = os.stat(self.directory)
        return status.st_dev, status.st_ino

    def _current_searcher(self):
        identity = self._identity()
        if identity != self._folder_identity:
            # Another process rebuilt the index and swapped a new folder in: its generation
            # numbers start again, so Whoosh's up_to_date() cannot tell.
            self._close_searcher()
            self._index = open_or_create(self.directory)
            self._folder_identity = identity
        # Reopened rather than Searcher.refresh(), which fails on an index with no segments yet.
        if self._searcher is not None and not self._searcher.up_to_date():
            self._close_searcher()
        if self._searcher is None:
            self._searcher = self._index.searcher()
        return self._searcher

    def _current_arrays(self) -> SearchArrays:
        searcher = self._current_searcher()
        if self._arrays is None or self._arrays.searcher is not searcher:
            self._arrays = SearchArrays(searcher, self._columns, self.directory)
        return self._arrays

    def _close_searcher(self) -> None:
        self._arrays = None
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def search(self, request: SearchRequest) -> SearchResponse:
        """Raises `QuerySyntaxError` (one line) when the query or a filter is malformed."""
        use_index_words(self.directory)
        return run_search(request, self._current_arrays(), self._scorer, self.marks)

    def matching_ids(self, request: SearchRequest) -> list[str]:
        """Every id matching the query and filters, in the request's sort order (no paging)."""
        use_index_words(self.directory)
        return run_matching_ids(request, self._current_arrays(), self._scorer)

    def ids(self) -> set[str]:
        return set(self._current_arrays().live_ids())

    def doc_count(self) -> int:
        return self._current_searcher().doc_count()

    def clear_caches(self) -> None:
        """Forget cached postings and filter matches (benchmarks use it to time cold queries)."""
        self._scorer = Scorer()

    def close(self) -> None:
        self._close_searcher()

    def __enter__(self) -> ArchiveIndex:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def rebuild_index(
    directory: Path, articles: Iterable[ArchivedArticle], *, merge: bool = True, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
) -> int:
    """Build a fresh index from `articles` beside the one in `directory`, merge its segments into
    one (unless `merge` is False: benchmarks time the merge apart), then swap it in; returns how
    many articles it indexed. Holds the index's writer lock meanwhile, so no other writer's work
    is lost in the swap. The index there is never opened: one of an older format, or none, is
    replaced all the same."""
    from whoosh.writing import NO_MERGE

    from jiwen.index.documents import article_document
    from jiwen.index.merging import merge_all
    from jiwen.index.writer import PARALLEL_THRESHOLD, REBUILD_ROUND, open_writer

    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ArchiveError(f"cannot open search index {directory}: {error.strerror}; check the folder") from None
    fresh = directory.with_name(f".{directory.name}.rebuild-{os.getpid()}")
    count = 0
    with write_lock(directory, timeout=lock_timeout):
        remove_stale_rebuilds(directory)
        fresh_index = create_fresh(fresh)
        pending = iter(articles)
        try:
            # In rounds that fit each worker's posting pool in memory: past that, Whoosh spills
            # sorted runs to disk and merges them in Python, which cost two thirds of the build
            # time. Each round adds one segment per worker and merges nothing.
            while batch := list(itertools.islice(pending, REBUILD_ROUND)):
                writer = open_writer(fresh_index, fresh, parallel=len(batch) >= PARALLEL_THRESHOLD)
                try:
                    for article in batch:
                        writer.add_document(**article_document(article))
                except BaseException:
                    writer.cancel()
                    raise
                writer.commit(mergetype=NO_MERGE)
                save_missing_columns(fresh, fresh_index)
                count += len(batch)
            # One segment, so a query looks each term up once, not once per round and worker.
            if merge and merge_all(fresh_index, fresh):
                save_missing_columns(fresh, fresh_index)
            save_user_words(fresh)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        check_complete(fresh, count)
        swap_in(fresh, directory)
    return count


__all__ = ["ArchiveIndex", "IndexBusyError", "rebuild_index"]
