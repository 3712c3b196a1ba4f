"""A versioned on-disk cache of what the text tools derive from their data files, as jieba keeps
its prefix dictionary in a cache file.

Building the gazetteer from JioNLP's data and jieba's dictionary, the segmenter's user words with
their frequencies, and jieba's word tags takes about half a second of CPU a process; every one-shot
command (`jiwen extract FILE`) paid it again for the same result. The cache keeps the result in
$JIWEN_CACHE (default ~/.cache/jiwen) under `derived/`, one marshal file a kind of data, named by
a key made of jiwen's version, the Python version (marshal's format), the versions of jieba,
jieba_fast_dat and jionlp, the bytes of jiwen's own data files it was derived from (a user may
edit them), and the path, size and modification time of the packages' data files (jieba's 5 MB
dictionary ships with its version; reading it only to hash it would cost more than the cache saves). A file whose key
differs is never read (a new key is a new name, old names are removed when the new one is
written); a file that cannot be read is rebuilt. Files are written to a temporary name and renamed,
so a reader never sees half a file, and two processes writing at once both leave a whole one.
A cache that cannot be written (read-only home) costs the build, nothing else.

`cached` holds only data marshal can write (str, int, tuples, lists, dicts); the callers turn it
back into their own types. `cached_file` holds a file a library writes and reads itself (the
segmenter's double-array trie), under the same kind of key and written the same way.
JIWEN_CACHE=off turns it off (every process builds).
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import sys
from collections.abc import Callable, Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypeVar

from jiwen import __version__
from jiwen.core.config import cache_dir

T = TypeVar("T")
OFF = "off"
# Third-party packages whose data or behaviour the derived data depends on.
PACKAGES = ("jieba", "jieba_fast_dat", "jionlp")
FORMAT = 2  # raise when the shape of any cached value changes (2: word tags as UTF-8 bytes)


def enabled() -> bool:
    return os.environ.get("JIWEN_CACHE", "").strip().lower() != OFF


def folder() -> Path:
    return cache_dir() / "derived"


@functools.cache  # a package's version does not change within a process; each look-up reads its metadata
def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def file_signature(path: Path) -> bytes:
    """What stands for a package's data file in a key: its path, size and modification time."""
    try:
        stat = path.stat()
    except OSError:
        return f"{path}:absent".encode()
    return f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode()


def cache_key(name: str, sources: Iterable[bytes]) -> str:
    """The key of `name` derived from `sources` (data files' bytes or `file_signature`s) by this code."""
    digest = hashlib.blake2b(digest_size=12)
    versions = [f"format={FORMAT}", f"jiwen={__version__}", f"python={sys.version_info[:2]}"]
    versions += [f"{package}={_package_version(package)}" for package in PACKAGES]
    digest.update("\n".join(versions).encode())
    for source in sources:
        digest.update(len(source).to_bytes(8, "little"))
        digest.update(source)
    return f"{name}-{digest.hexdigest()}"


def cached(name: str, sources: Callable[[], Iterable[bytes]], build: Callable[[], T]) -> T:
    """`build()`, or what an earlier `build()` with the same sources returned and the cache kept."""
    if not enabled():
        return build()
    key = cache_key(name, sources())
    path = folder() / f"{key}.marshal"
    try:
        stored_key, value = marshal.loads(path.read_bytes())
        if stored_key == key:
            return value
    except (OSError, EOFError, ValueError, TypeError):
        pass  # absent, unreadable or damaged: built again below
    value = build()
    _write(path, key, value)
    return value


def cached_file(name: str, sources: Callable[[], Iterable[bytes]], suffix: str) -> Path | None:
    """Where the file `name` derived from `sources` is kept (it may not exist yet: the caller reads
    it if it does, and writes it with `store_file` if not); None when the cache is off."""
    if not enabled():
        return None
    return folder() / f"{cache_key(name, sources())}.{suffix}"


def store_file(path: Path, write: Callable[[Path], object]) -> None:
    """`write(partial)` writes the file; it then takes `path`'s place, and the files of the same
    name under other keys go. Errors cost the next process the build, nothing else."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        try:
            write(partial)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        prefix = path.name.rsplit("-", 1)[0] + "-"
        for old in path.parent.glob(f"{prefix}*{path.suffix}"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, ValueError, RuntimeError):
        pass  # a cache that cannot be written only costs the next process the build


def _write(path: Path, key: str, value: Any) -> None:
    try:
        data = marshal.dumps((key, value))
    except ValueError:
        return
    store_file(path, lambda partial: partial.write_bytes(data))
