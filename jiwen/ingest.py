"""Local files into the archive: the same pipeline the crawler feeds, with file:// URLs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .errors import JiwenError
from .models import FetchedPage
from .pipeline import Outcome, PagePipeline
from .store import Archive, now_utc

CONTENT_TYPES = {".html": "text/html", ".htm": "text/html", ".shtml": "text/html", ".txt": "text/plain"}

# Far above any real article page; a file this large is a dump or a mistake, and reading it whole
# would only fill memory.
MAX_FILE_BYTES = 50 * 1024 * 1024
# From this many files on, the index is written by a process of its own while extraction goes on
# (jiwen.indexer); below it, starting that process (about a second) costs more than it saves.
BACKGROUND_INDEX_FROM = 50


def find_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The .html/.htm/.shtml/.txt files named or found (recursively, sorted) under folders."""
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            raise JiwenError(f"{path}: no such file or folder")
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in CONTENT_TYPES)
        else:
            yield path


def page_from_file(path: Path) -> FetchedPage:
    path = path.resolve()
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise JiwenError(f"{path}: {size // (1024 * 1024)} MB is larger than the {MAX_FILE_BYTES // (1024 * 1024)} MB limit for one page")
    content_type = CONTENT_TYPES.get(path.suffix.lower())
    return FetchedPage(
        url=path.as_uri(),
        body=path.read_bytes(),
        fetched_at=now_utc(),
        content_type=content_type,
        headers={"content-type": content_type} if content_type else {},
    )


def ingest_paths(
    archive: Archive,
    paths: Iterable[str | Path],
    *,
    force: bool = False,
    on_outcome: Callable[[Path, Outcome], None] | None = None,
) -> dict[str, int]:
    paths = [str(path) for path in paths]
    files = list(find_files(paths))
    run_id = archive.start_run("ingest", None, {"paths": paths})
    pipeline = PagePipeline(archive, run_id=run_id, index_in_background=len(files) >= BACKGROUND_INDEX_FROM)
    outcome_name = "failed"
    try:
        for path in files:
            try:
                page = page_from_file(path)
            except (JiwenError, OSError) as error:
                outcome = Outcome("failed", path.as_uri(), message=str(error).removeprefix(f"{path.resolve()}: "))
                pipeline.counts["failed"] = pipeline.counts.get("failed", 0) + 1
            else:
                outcome = pipeline.process(page, force=force)
            if on_outcome is not None:
                on_outcome(path, outcome)
        pipeline.close()
        outcome_name = "finished" if not pipeline.counts.get("failed") else "partial"
    finally:
        archive.finish_run(run_id, outcome_name, dict(pipeline.counts))
    return dict(pipeline.counts)
