"""Export articles and facts as JSON, JSON Lines or CSV, streamed with constant memory.

Filters are the search filters (`SearchRequest`) and are answered by the index, so an export
selects exactly the articles `jiwen search` finds; `changed_since` is answered by the store.
Files are written atomically: a temporary file in the same folder, renamed over the target.
"""

from __future__ import annotations

import contextlib
import csv
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import msgspec

from jiwen.core.errors import JiwenError
from jiwen.library.indicators import INDICATOR_COLUMNS, PlaceScope, indicator_rows, role_matches
from jiwen.core.models import ArchivedArticle, SearchRequest, fact_kind
from jiwen.core.pids import process_alive
from jiwen.core.progress import Progress, counted
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


def write_export(articles: Iterable[ArchivedArticle], format_name: str, out: IO[bytes], *, figure_place: str | None = None,
                 role: str | None = None, progress: Progress | None = None) -> int:
    """Write `articles` to a binary stream; returns how many records (articles or facts) it wrote.
    `progress(articles read, None)` as they are read.

    `figure_place` (indicator formats only) keeps the figures attributed to that place or a place
    inside it, whatever the article is about; the CLI's --place means that for indicators. `role`
    (indicator formats only) keeps the figures of that role ("any" or None: all)."""
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


def fact_rows(articles: Iterable[ArchivedArticle]) -> Iterator[dict]:
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


class OutputError(JiwenError):
    """An export target that cannot or must not be written."""


@contextmanager
def atomic_output(path: Path | None, stdout: IO[bytes]) -> Iterator[IO[bytes]]:
    """stdout, or a temporary file beside `path` renamed over it only when writing succeeded.

    Only regular files are written: a device node, a FIFO, a socket, a directory or a symlink at
    `path` is refused (renaming over /dev/null as root would replace the system's). An existing
    file keeps its permission bits. Temporary files carry the writer's pid, so one left by a
    killed export is removed by the next export to the same folder."""
    if path is None:
        yield stdout
        stdout.flush()
        return
    path = Path(path)
    folder = path.parent
    mode = _target_mode(path)
    _remove_stale_temporaries(folder)
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f"{_TEMP_PREFIX}{os.getpid()}.", suffix=".tmp", dir=folder
        )
    except FileNotFoundError:
        raise OutputError(f"cannot write {path}: folder {folder} does not exist") from None
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror} in folder {folder}") from None
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _target_mode(path)  # refuse what appeared at `path` while writing, too
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


_TEMP_PREFIX = ".jiwen-export-"


def _target_mode(path: Path) -> int:
    """The permission bits the written file gets: the existing file's, else the umask's."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror}") from None
    if stat.S_ISLNK(status.st_mode):
        raise OutputError(f"{path} is a symbolic link; export writes regular files only, give the real path")
    if stat.S_ISDIR(status.st_mode):
        raise OutputError(f"{path} is a folder; give a file name, e.g. {path / 'export.jsonl'}")
    if not stat.S_ISREG(status.st_mode):
        raise OutputError(f"{path} is not a regular file (a device, FIFO or socket); export writes regular files only")
    return stat.S_IMODE(status.st_mode)


def _remove_stale_temporaries(folder: Path) -> None:
    """Temporary files of exports whose process is gone (killed before its rename)."""
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.name.startswith(_TEMP_PREFIX)]
    except OSError:
        return
    for name in names:
        pid_text = name[len(_TEMP_PREFIX):].split(".", 1)[0]
        if pid_text.isdigit() and not process_alive(int(pid_text)):
            with contextlib.suppress(OSError):
                (folder / name).unlink()


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
        writer.writerow(row)
        count += 1
    text.detach()
    return count


def _indicators(articles: Iterable[ArchivedArticle], place: str | None, role: str | None = None):
    rows = (row for row in indicator_rows(articles) if role_matches(row, role))
    if not place:
        return rows
    scope = PlaceScope(place)
    return (row for row in rows if row in scope)


def _write_indicators_csv(indicators, out: IO[bytes]) -> int:
    import io

    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(INDICATOR_COLUMNS)
    count = 0
    for indicator in indicators:
        # Nulls as empty cells, so pandas and spreadsheets read them as missing.
        writer.writerow(["" if value is None else value for value in msgspec.structs.astuple(indicator)])
        count += 1
    text.detach()
    return count


def _has_search_filters(request: SearchRequest) -> bool:
    return bool(
        request.query.strip()
        or request.place
        or request.program
        or request.site
        or request.since
        or request.until
    )
