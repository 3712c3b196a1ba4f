"""From a fetched page to an archived, indexed article: the one path shared by `jiwen ingest`,
the crawler's item pipeline and `jiwen reextract`.

    archive raw page -> extract article + facts -> relevance -> near-duplicate -> store -> index

The index is written in batches (one Whoosh commit per `batch_size` articles, and at close):
committing per article would cost more than extracting it. Articles stored but not yet indexed
are marked in the store, so a process killed between the two is caught up by the next writer.
Long jobs (a crawl, a big ingest) index in a process of their own (`index_in_background`, see
jiwen.library.indexer): indexing costs about as much as extraction, and on two cores they overlap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from jiwen.core.errors import ExtractionError, storage_failure
from jiwen.core.models import Article, FetchedPage
from jiwen.extract import ExtractionOverrides, process_page
from jiwen.extract.fingerprint import SAME_STORY, resemblance, simhash
from jiwen.extract.fingerprint import SCHEME as FINGERPRINT_SCHEME
from jiwen.extract.relevance import is_relevant
from jiwen.library.indexer import DEFAULT_BATCH as BACKGROUND_BATCH
from jiwen.library.indexer import BackgroundIndexer, catch_up_index
from jiwen.store import Archive, article_id_for

if TYPE_CHECKING:  # imported on first use: a pipeline that only hands batches to the background indexer never opens Whoosh
    from multiprocessing.queues import Queue

    from jiwen.index import ArchiveIndex

log = logging.getLogger(__name__)

# Articles per index commit when indexing inline: each commit stops extraction, so fewer and
# larger is better (the background indexer's own size is explained in jiwen.library.indexer).
INLINE_BATCH = 200

Status = Literal["new", "updated", "unchanged", "duplicate", "offtopic", "failed"]


@dataclass(frozen=True)
class Outcome:
    status: Status
    url: str
    article_id: str | None = None
    message: str = ""
    article: Article | None = None


@dataclass(frozen=True)
class Extracted:
    """What a page gives without the store: its article, relevance and near-duplicate
    fingerprint, or the extraction error (what `jiwen reextract`'s worker processes compute)."""

    article: Article | None = None
    relevant: bool = False
    score: float = 0.0
    fingerprint: int | None = None
    error: str | None = None


def extract(
    page: FetchedPage, overrides: dict[str, ExtractionOverrides], default_overrides: ExtractionOverrides | None = None
) -> Extracted:
    url = page.final_url or page.url
    try:
        article = process_page(
            page.body,
            url=url,
            content_type=page.content_type or page.headers.get("content-type"),
            fetched_at=_parse_time(page.fetched_at),
            overrides=(overrides.get(page.site) if page.site else None) or default_overrides,
        )
    except ExtractionError as error:
        return Extracted(error=str(error))
    relevant, score = is_relevant(article)
    return Extracted(article, relevant, score, simhash(article.body))


class PagePipeline:
    def __init__(
        self,
        archive: Archive,
        *,
        run_id: int | None = None,
        batch_size: int | None = None,
        index_in_background: bool = False,
        log_queue: Queue[logging.LogRecord] | None = None,
        overrides: dict[str, ExtractionOverrides] | None = None,
        default_overrides: ExtractionOverrides | None = None,
    ) -> None:
        self.archive = archive
        # Per-site extraction overrides (sites.toml [site.extract]), by site name; the default for
        # pages of no configured site (what `jiwen ingest --province/--published` says).
        self.overrides = dict(overrides or {})
        self.default_overrides = default_overrides
        self.run_id = run_id
        self.batch_size = batch_size or INLINE_BATCH
        self._index: ArchiveIndex | None = None
        self._pending = 0
        self.counts: dict[str, int] = {}
        self._indexer: BackgroundIndexer | None = None
        if archive.fingerprint_scheme() != FINGERPRINT_SCHEME:
            # An archive from an older jiwen: its near-duplicate fingerprints are not comparable.
            recomputed = archive.refingerprint(FINGERPRINT_SCHEME, simhash)
            if recomputed:
                log.info("recomputed %d near-duplicate fingerprints (%s)", recomputed, FINGERPRINT_SCHEME)
        if index_in_background:
            # Started first: it catches up on an earlier writer's unindexed articles meanwhile.
            self._indexer = BackgroundIndexer(archive.directory, batch_size=batch_size or BACKGROUND_BATCH, log_queue=log_queue)
        self.catch_up_extraction()
        if self._indexer is None:
            self.catch_up_index()

    @property
    def index(self) -> ArchiveIndex:
        if self._index is None:
            from jiwen.index import ArchiveIndex

            self._index = ArchiveIndex(self.archive.index_dir)
        return self._index

    def process(self, page: FetchedPage, *, force: bool = False) -> Outcome:
        page_id, outcome = self.take(page, force=force)
        if outcome is None:
            outcome = self.extract_and_store(page_id, page)
        return self.counted(outcome)

    def take(self, page: FetchedPage, *, force: bool = False) -> tuple[int, Outcome | None]:
        """Archive a fetched page as it came: (its page id, and its outcome when it needs no
        extraction — the same bytes as the page its stored article was made from). `process`
        is `take`, then `extract_and_store` when the outcome is None; the crawl's pipeline
        process may extract elsewhere in between (jiwen.library.crawl)."""
        url = page.final_url or page.url
        page_id, new_bytes = self.archive.add_page(page, run_id=self.run_id)
        known = self.archive.article_for_url(url)
        if not new_bytes and known is not None and not force:
            return page_id, Outcome("unchanged", url, known["id"])
        return page_id, None

    def counted(self, outcome: Outcome) -> Outcome:
        """`outcome`, counted in `counts` (the run's report)."""
        self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
        return outcome

    def extract_and_store(self, page_id: int, page: FetchedPage) -> Outcome:
        return self.store_extracted(page_id, page, extract(page, self.overrides, self.default_overrides))

    def store_extracted(self, page_id: int, page: FetchedPage, extracted: Extracted) -> Outcome:
        """Store what `extract` made of a page (the part that needs the store: near-duplicates
        are looked up among the articles stored before it, so pages are stored in order)."""
        url = page.final_url or page.url
        article = extracted.article
        if extracted.error is not None or article is None:
            error = extracted.error or "no article"
            self.archive.set_page_outcome(page_id, detected_encoding=None, error=error)
            return Outcome("failed", url, message=error)
        relevant, score, fingerprint = extracted.relevant, extracted.score, extracted.fingerprint
        article_id = article_id_for(url)
        duplicate_of = None
        if fingerprint is not None:

            def same_story(candidate_id: str) -> bool:
                return resemblance(article.body, self.archive.article_body(candidate_id) or "") >= SAME_STORY

            duplicate_of = self.archive.near_duplicate_of(fingerprint, exclude_id=article_id, confirm=same_story)
        article_id, change = self.archive.save_article(
            page_id,
            page,
            article,
            relevant=relevant,
            relevance=score,
            fingerprint=fingerprint,
            duplicate_of=duplicate_of,
            page_outcome=True,  # the page's decoding, recorded in the article's commit
        )
        if change == "unchanged":
            pass  # its index entry is what it was (a pending one stays pending)
        elif self._indexer is not None:
            self._indexer.stored()
        else:
            self._pending += 1
            if self._pending >= self.batch_size:
                self.flush()
        if duplicate_of:
            return Outcome("duplicate", url, article_id, f"near-duplicate of {duplicate_of}", article)
        if not relevant:
            return Outcome("offtopic", url, article_id, f"relevance {score:.1f}", article)
        return Outcome(change, url, article_id, article=article)  # type: ignore[arg-type]  # save_article's "new"/"updated"/"unchanged"

    def flush(self) -> None:
        """Bring the index up to date with the store (in the background indexer: start doing so)."""
        if self._indexer is not None:
            self._indexer.index_now()
            return
        self._pending = 0
        self.catch_up_index()

    def catch_up_extraction(self) -> int:
        """Extract the pages a killed writer stored without their article (see
        Archive.unprocessed_pages); returns how many."""
        page_ids = self.archive.unprocessed_pages()
        for page_id in page_ids:
            try:
                outcome = self.extract_and_store(page_id, self.archive.get_page(page_id))
            except Exception as error:  # a bug must not stop every later writer at its start
                if storage_failure(error) is not None:
                    raise  # a full disk: the page stays unprocessed for a writer with space
                log.exception("catching up page %d failed", page_id)
                self.archive.set_page_outcome(page_id, detected_encoding=None, error=f"{type(error).__name__}: {error}")
                continue
            log.info("caught up %s: %s", outcome.url, outcome.status)
        return len(page_ids)

    def catch_up_index(self) -> int:
        return catch_up_index(self.archive, self.index)

    def close(self) -> None:
        """Index what is left. Raises WorkerError when the background indexer failed (the store
        keeps those articles marked unindexed for the next writer)."""
        if self._indexer is not None:
            self._indexer.close()  # its process has opened (and so created) the index
            return
        self.flush()
        # Open (and so create) the index even when nothing was indexed: searching an archive
        # whose every page failed should find nothing, not complain that the index is missing.
        self.index  # noqa: B018


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
