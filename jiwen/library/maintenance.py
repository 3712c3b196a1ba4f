"""Keeping the derived parts (articles, facts, index) in step with the raw pages."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from jiwen.core.models import FetchedPage
from jiwen.core.progress import Progress, counted
from jiwen.library.pipeline import Extracted, Outcome, PagePipeline, extract
from jiwen.store import Archive

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

    from jiwen.extract import ExtractionOverrides

# A stored page (its body left out once extracted), its id, and what the extractor made of it.
ExtractedPage = tuple[int, FetchedPage, Extracted]


def reextract(
    archive: Archive,
    *,
    on_outcome: Callable[[Outcome], None] | None = None,
    site: str | None = None,
    overrides: dict[str, ExtractionOverrides] | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> dict[str, int]:
    """Run the current extractor over the newest stored page of every URL (of one `site`, if
    given), with the sites' extraction `overrides` (site name -> ExtractionOverrides): no re-crawl
    needed. `progress(pages done, None)` after every page.

    With `workers` > 1, pages are read and extracted in that many worker processes, fed page ids
    in store order a few chunks ahead; this process alone writes, storing their results in the
    same order (near-duplicates are decided against the articles stored before, as with one
    process), so the stored articles and facts are those a one-process run stores."""
    run_id = archive.start_run("reextract", site, {"site": site} if site else {})
    # Articles that change are indexed again by a process of its own meanwhile (those found as they
    # were are left alone: Archive.save_article).
    pipeline = PagePipeline(archive, run_id=run_id, index_in_background=True, overrides=overrides)
    outcome_name = "failed"
    try:
        if workers > 1:
            extracted = extracted_in_workers(archive, site, dict(overrides or {}), workers)
        else:
            extracted = (
                (page_id, page, extract(page, pipeline.overrides))
                for page_id, page in archive.latest_pages() if site is None or page.site == site
            )  # fmt: skip
        try:
            for page_id, page, result in counted(extracted, progress):
                outcome = pipeline.counted(pipeline.store_extracted(page_id, page, result))
                if on_outcome is not None:
                    on_outcome(outcome)
        finally:
            extracted.close()  # the workers stop at once, whatever stopped the loop
        pipeline.close()
        outcome_name = "finished"
    finally:
        archive.finish_run(run_id, outcome_name, dict(pipeline.counts))
    return dict(pipeline.counts)


# Pages a worker extracts per task, and tasks handed out ahead per worker: enough to keep the
# workers busy while this process stores, few enough that memory does not grow with the archive.
CHUNK = 8
AHEAD = 4


def extracted_in_workers(
    archive: Archive, site: str | None, overrides: dict[str, ExtractionOverrides], workers: int
) -> Generator[ExtractedPage, None, None]:
    """(page id, page without its body, `Extracted`) for the newest page of every URL, in store
    order, extracted by `workers` processes that read the pages themselves (read-only)."""
    from collections import deque
    from itertools import islice

    from jiwen.library.extractors import extraction_context

    pool = extraction_context().Pool(workers, initializer=_start_extractor, initargs=(str(archive.directory), overrides))
    try:
        page_ids = archive.latest_page_ids(site=site)
        pending: deque[AsyncResult[list[ExtractedPage]]] = deque()

        def hand_out() -> None:
            chunk = list(islice(page_ids, CHUNK))
            if chunk:
                pending.append(pool.apply_async(_extract_pages, (chunk,)))

        for _ in range(workers * AHEAD):
            hand_out()
        while pending:
            results = pending.popleft().get()
            hand_out()
            yield from results
    finally:
        pool.terminate()
        pool.join()


class _Worker(TypedDict, total=False):
    """What an extraction worker holds, set by `_start_extractor` as it starts."""

    archive: Archive
    overrides: dict[str, ExtractionOverrides]


_WORKER: _Worker = {}


def _start_extractor(archive_dir: str, overrides: dict[str, ExtractionOverrides]) -> None:
    import os

    from jiwen.core.processes import become_worker

    # Forked warm by the extraction processes' fork server, which ends with this run's process.
    become_worker(os.getppid(), None)
    _WORKER["archive"] = Archive(archive_dir, read_only=True)
    _WORKER["overrides"] = overrides


def _extract_pages(page_ids: list[int]) -> list[ExtractedPage]:
    import msgspec

    results = []
    for page_id, page in _WORKER["archive"].get_pages(page_ids):
        extracted = extract(page, _WORKER["overrides"])
        results.append((page_id, msgspec.structs.replace(page, body=b""), extracted))
    return results


def reindex(archive: Archive, progress: Progress | None = None, *, merge: bool = True) -> int:
    """Rebuild the whole index from the store (the index is derived data), merged into one
    segment unless `merge` is False. `progress(articles read, articles to index)` as the rebuild
    reads them."""
    from jiwen.index import rebuild_index

    total = len(archive.article_ids(indexable_only=True)) if progress is not None else None
    articles = counted(archive.iter_articles(include_duplicates=False), progress, total)
    count = rebuild_index(archive.index_dir, articles, merge=merge)
    archive.mark_indexed(archive.article_ids())
    return count


def merge_index(archive: Archive) -> tuple[int, int]:
    """Merge the index's segments into one; (segments before, segments after)."""
    from jiwen.index import ArchiveIndex

    with ArchiveIndex(archive.index_dir) as index:
        before = index.segment_count()
        index.merge()
        return before, index.segment_count()


@dataclass(frozen=True)
class Consistency:
    stored: int
    indexed: int
    missing_from_index: int
    extra_in_index: int
    pending: int

    @property
    def consistent(self) -> bool:
        return not (self.missing_from_index or self.extra_in_index or self.pending)


def check(archive: Archive) -> Consistency:
    from jiwen.index import ArchiveIndex

    expected = archive.article_ids(indexable_only=True)
    indexed = ArchiveIndex(archive.index_dir).ids()
    to_add, to_delete = archive.pending_index()
    return Consistency(
        stored=len(expected),
        indexed=len(indexed),
        missing_from_index=len(expected - indexed),
        extra_in_index=len(indexed - expected),
        pending=len(to_add) + len(to_delete),
    )
