"""Where the index lives on disk: opening or creating it, refusing one of an older format, and
swapping in a rebuilt one.

Indexes written before `JiwenCodec` (codec.py) indexed title and body a second time, without
positions, for scoring (`title_bag`, `body_bag`, in posting formats jiwen no longer has), in
Whoosh's own codec. They are not read: rebuilding one from the store (`jiwen reindex`) takes
minutes and loses nothing, and reading them kept a second path through scoring, phrases, merging
and writing that only old archives took. Opening one says so in one line.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from jiwen.core.errors import ArchiveError
from jiwen.core.pids import process_alive
from jiwen.index.codec import JiwenCodec
from jiwen.index.formats import ArrayPositions
from jiwen.index.schema import SEARCHED_FIELDS, build_schema

RENAME_EXCHANGE = 2
INDEX_NAME = "MAIN"  # Whoosh's default index name: its files and locks are named after it


def older_format(directory: Path) -> ArchiveError:
    return ArchiveError(
        f"search index {directory} was written by an older jiwen and is not read any more; "
        "run 'jiwen reindex' once to rebuild it from the archive (nothing is lost)"
    )


def storage(directory: Path) -> FileStorage:
    """The index folder as Whoosh storage, without mmap. With mmap, Whoosh opens each part of a
    compound segment as `BytesIO(memoryview(map)[part])`, and BytesIO copies: opening a searcher
    read every segment whole into memory (450 MB at 20,000 articles, 2.4 GB at 100,000, and a
    second and more to do it). Without, a part is read where a query seeks (os-level reads)."""
    return FileStorage(str(directory), supports_mmap=False)


def open_or_create(directory: Path) -> whoosh_index.Index:
    """The index in `directory`, created empty when there is none; an ArchiveError (one line)
    when it cannot be opened or is of an older format."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        folder = storage(directory)
        try:
            index = folder.open_index()
        except whoosh_index.EmptyIndexError:  # no index here yet
            return folder.create_index(build_schema())
        except (AttributeError, ModuleNotFoundError):
            # Unpickling its schema needs a class of an older jiwen (the bag fields' formats).
            raise older_format(directory) from None
        check_format(index, directory)
        return index
    except OSError as error:
        raise ArchiveError(f"cannot open search index {directory}: {error.strerror}; check the folder") from None


def check_format(index: whoosh_index.Index, directory: Path) -> None:
    """Refuse an index that is not of the current format: title and body in `ArrayPositions`,
    nothing indexed beside them for scoring, every segment in `JiwenCodec`."""
    toc = index._read_toc()  # one read of the table of contents for schema and segments
    schema = toc.schema
    current = (
        all(name in schema and isinstance(schema[name].format, ArrayPositions) for name in SEARCHED_FIELDS)
        and not any(f"{name}_bag" in schema for name in SEARCHED_FIELDS)
        and all(isinstance(segment.codec(), JiwenCodec) for segment in toc.segments)
    )
    if not current:
        raise older_format(directory)


def remove_stale_rebuilds(directory: Path) -> list[Path]:
    """Remove the folders that killed rebuilds left beside the index (`.index.rebuild-<pid>`,
    `index.old-<pid>`) whose process is gone. Called by writers holding the index's lock."""
    removed = []
    patterns = (f".{directory.name}.rebuild-", f"{directory.name}.old-")
    try:
        siblings = list(directory.parent.iterdir())
    except OSError:
        return removed
    for sibling in siblings:
        prefix = next((p for p in patterns if sibling.name.startswith(p)), None)
        if prefix is None:
            continue
        pid_text = sibling.name[len(prefix) :]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or process_alive(int(pid_text)):
            continue
        shutil.rmtree(sibling, ignore_errors=True)
        removed.append(sibling)
    return removed


def create_fresh(directory: Path) -> whoosh_index.Index:
    if directory.exists():  # left by a killed process whose pid this one now has
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    return storage(directory).create_index(build_schema())


def check_complete(directory: Path, expected: int) -> None:
    """Whoosh's parallel writer does not pass a worker's failure on: the commit succeeds with
    that worker's documents missing. Count them before the new index replaces the old one."""
    found = storage(directory).open_index().doc_count()
    if found != expected:
        shutil.rmtree(directory, ignore_errors=True)
        raise ArchiveError(
            f"rebuilding the search index lost documents ({found} of {expected} written); see the errors above and rebuild again"
        )


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE): a reader opening the
    index sees either the old one or the new one, never a missing folder. The stdlib has no
    wrapper for it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_current_directory = -100
    result = renameat2(at_current_directory, os.fsencode(first), at_current_directory, os.fsencode(second), RENAME_EXCHANGE)
    return result == 0


def swap_in(fresh: Path, directory: Path) -> None:
    """Put the index built in `fresh` at `directory` and remove the old one."""
    if directory.exists() and _exchange(fresh, directory):
        shutil.rmtree(fresh, ignore_errors=True)
        return
    # Fallback (no renameat2): two renames, leaving a moment with no index at `directory`.
    aside = directory.with_name(directory.name + f".old-{os.getpid()}")
    if directory.exists():
        os.rename(directory, aside)
    os.rename(fresh, directory)
    shutil.rmtree(aside, ignore_errors=True)
