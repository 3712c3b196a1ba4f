"""Local files into the archive: the same pipeline the crawler feeds, with file:// URLs."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import msgspec

from jiwen.core.errors import JiwenError
from jiwen.core.models import FetchedPage
from jiwen.core.progress import Progress, counted
from jiwen.crawler.names import name_problem
from jiwen.extract import ExtractionOverrides
from jiwen.extract.article.encoding import looks_binary
from jiwen.library.pipeline import Outcome, PagePipeline
from jiwen.store import Archive, now_utc

CONTENT_TYPES = {".html": "text/html", ".htm": "text/html", ".shtml": "text/html", ".txt": "text/plain"}

# Far above any real article page; a file this large is a dump or a mistake, and reading it whole
# would only fill memory.
MAX_FILE_BYTES = 50 * 1024 * 1024
# From this many files on, the index is written by a process of its own while extraction goes on
# (jiwen.library.indexer); below it, starting that process (about a second) costs more than it saves.
BACKGROUND_INDEX_FROM = 50


@dataclass(frozen=True)
class Unreadable:
    """A file or folder found under a folder being ingested that cannot be read: reported as a
    failure of its own, never skipped in silence."""

    path: Path
    message: str


def find_files(paths: Iterable[str | Path]) -> Iterator[Path | Unreadable]:
    """The .html/.htm/.shtml/.txt files named or found (recursively, sorted) under folders, and
    what could not be read on the way. A named path that cannot be used is an Unreadable too: one
    mistyped name in a batch must not stop the rest."""
    for raw in paths:
        path = Path(raw).expanduser()
        problem = _stat_problem(path)
        if problem is not None:
            yield Unreadable(path, problem)
            continue
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _stat_problem(path: Path) -> str | None:
    """Why `path` cannot be used, in words, or None. Path.exists() reads a symlink loop as
    "missing" and raises on a folder the user may not search; os.stat tells them apart."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return "no such file or folder" if not os.path.islink(path) else "a symbolic link to nothing"
    except PermissionError:
        return "permission denied (a folder on the way cannot be searched)"
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "a symbolic link loop"
        return error.strerror or str(error)
    return None


def _walk(folder: Path) -> Iterator[Path | Unreadable]:
    problems: list[Unreadable] = []

    def unlistable(error: OSError) -> None:
        problems.append(Unreadable(Path(error.filename or folder), f"cannot list this folder: {error.strerror}"))

    found: list[Path | Unreadable] = []
    # os.walk rather than Path.rglob: rglob skips a folder it cannot list without a word.
    for current, folders, names in os.walk(folder, onerror=unlistable):
        folders.sort()
        for name in names:
            path = Path(current) / name
            if path.suffix.lower() not in CONTENT_TYPES:
                continue
            problem = _stat_problem(path)
            if problem is not None:
                found.append(Unreadable(path, problem))
            elif path.is_file():
                found.append(path)
            else:
                found.append(Unreadable(path, "not a regular file (a device, FIFO or socket); only files are read"))
    found.extend(problems)
    yield from sorted(found, key=lambda item: str(item.path if isinstance(item, Unreadable) else item))


def page_from_file(path: Path) -> FetchedPage:
    """The file's bytes as a page. Reads at most MAX_FILE_BYTES + 1 bytes from the open file:
    stat() says 0 bytes for /dev/zero or a FIFO, which would otherwise be read for ever. Only
    regular files are read; a FIFO is opened without blocking, so a FIFO with no writer cannot
    hang the command before it is refused."""
    path = path.resolve()
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise JiwenError(f"{path}: cannot open: {error.strerror}") from None
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise JiwenError(f"{path}: is a folder, not a file")
        if not stat.S_ISREG(status.st_mode):
            raise JiwenError(f"{path}: not a regular file (a device, FIFO or socket); only files are read")
        body = _read_at_most(handle, MAX_FILE_BYTES + 1)
    if len(body) > MAX_FILE_BYTES:
        raise JiwenError(f"{path}: larger than the {MAX_FILE_BYTES // (1024 * 1024)} MB limit for one page")
    content_type = CONTENT_TYPES.get(path.suffix.lower())
    return FetchedPage(
        url=path.as_uri(),
        body=body,
        fetched_at=now_utc(),
        content_type=content_type,
        headers={"content-type": content_type} if content_type else {},
    )


def _read_at_most(handle: IO[bytes], limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = handle.read(min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def ingest_paths(
    archive: Archive,
    paths: Iterable[str | Path],
    *,
    force: bool = False,
    on_outcome: Callable[[Path, Outcome], None] | None = None,
    url: str | None = None,
    site: str | None = None,
    published: str | None = None,
    province: str | None = None,
    listed: list[Path | Unreadable] | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Archive the files under `paths`. What the user knows and the files may not say: `url` (one
    file only: the page's address, for its id and its URL date), `site` (the site name it is filed
    under), `published` (the date when neither text nor URL states one), `province` (the
    publisher's province: what 我省/全省 mean). `listed`: what find_files gave for `paths`, when
    the caller has looked already. `progress(files done, files)` after every file."""
    paths = [str(path) for path in paths]
    files = listed if listed is not None else list(find_files(paths))
    if url is not None and len(files) > 1:
        raise JiwenError(f"--url names one page, but {len(files)} files were given; ingest them one at a time")
    defaults = ExtractionOverrides(province=province, published=published) if (province or published) else None
    if defaults is not None and (problem := defaults.problem()):
        raise JiwenError(problem)
    if site is not None and (problem := name_problem(site)):
        raise JiwenError(f"--site {site!r}: {problem}")
    if url is not None and not url.startswith(("http://", "https://")):
        raise JiwenError(f"--url {url!r} is not an http(s) address; give the page's address as published")
    run_id = archive.start_run("ingest", None, {"paths": paths})
    pipeline = PagePipeline(archive, run_id=run_id, index_in_background=len(files) >= BACKGROUND_INDEX_FROM, default_overrides=defaults)
    outcome_name = "failed"
    try:
        for found in counted(files, progress, len(files)):
            if isinstance(found, Unreadable):
                path, problem = found.path, found.message
            else:
                path, problem = found, None
                try:
                    page = page_from_file(path)
                    if url is not None or site is not None:
                        page = msgspec.structs.replace(page, url=url or page.url, site=site or page.site)
                except (JiwenError, OSError) as error:
                    problem = str(error).removeprefix(f"{path.resolve()}: ")
                else:
                    # A binary file (an image or a PDF saved as .html) is refused before it is
                    # stored: an archive keeps pages, not whatever a folder held.
                    if looks_binary(page.body):
                        problem = "looks binary (NUL or control bytes), not a text or HTML page; not archived"
            if problem is not None:
                outcome = Outcome("failed", path.absolute().as_uri(), message=problem)
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
