"""Keeping the derived parts (articles, facts, index) in step with the raw pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jiwen.core.progress import Progress, counted
from jiwen.library.pipeline import Outcome, PagePipeline
from jiwen.store import Archive


def reextract(
    archive: Archive,
    *,
    on_outcome: Callable[[Outcome], None] | None = None,
    site: str | None = None,
    overrides: dict | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Run the current extractor over the newest stored page of every URL (of one `site`, if
    given), with the sites' extraction `overrides` (site name -> ExtractionOverrides): no re-crawl
    needed. `progress(pages done, None)` after every page."""
    run_id = archive.start_run("reextract", site, {"site": site} if site else {})
    # Every article is indexed again: the index is written by a process of its own meanwhile.
    pipeline = PagePipeline(archive, run_id=run_id, index_in_background=True, overrides=overrides)
    outcome_name = "failed"
    try:
        pages = ((page_id, page) for page_id, page in archive.latest_pages() if site is None or page.site == site)
        for page_id, page in counted(pages, progress):
            outcome = pipeline.extract_and_store(page_id, page)
            pipeline.counts[outcome.status] = pipeline.counts.get(outcome.status, 0) + 1
            if on_outcome is not None:
                on_outcome(outcome)
        pipeline.close()
        outcome_name = "finished"
    finally:
        archive.finish_run(run_id, outcome_name, dict(pipeline.counts))
    return dict(pipeline.counts)


def reindex(archive: Archive, progress: Progress | None = None) -> int:
    """Rebuild the whole index from the store (the index is derived data). `progress(articles
    read, articles to index)` as the rebuild reads them."""
    from jiwen.index import ArchiveIndex

    total = len(archive.article_ids(indexable_only=True)) if progress is not None else None
    articles = counted(archive.iter_articles(include_duplicates=False), progress, total)
    count = ArchiveIndex(archive.index_dir).rebuild(articles)
    archive.mark_indexed(archive.article_ids())
    return count


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
