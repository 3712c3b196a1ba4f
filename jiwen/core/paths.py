"""Files written at paths a user names (`export -o`, `extract --view`, `trends --plot`), written
one way: only a regular file in a folder that exists, atomically.

A symlink, a device node, a FIFO, a socket or a folder at the path is refused in one line: renaming
over /dev/null as root would replace the system's, and following a symlink would write wherever it
points. The file is written to a temporary file beside the target and renamed over it only when
writing succeeded, so a killed or failed writer never leaves half a file under the user's name;
an existing file keeps its permission bits. Temporary files carry the writer's pid, so one left by
a killed process is removed by the next writer into the same folder."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from jiwen.core.errors import JiwenError
from jiwen.core.pids import process_alive

TEMP_PREFIX = ".jiwen-write-"


class OutputError(JiwenError):
    """A path the user named that cannot or must not be written."""


def output_problem(path: Path) -> str | None:
    """Why `path` cannot be written as a regular file, in one line; None when it can. For a check
    before long work (an extraction, a chart), so it fails at once, not at the end."""
    try:
        _target_mode(Path(path))
    except OutputError as error:
        return str(error)
    folder = Path(path).parent
    if not folder.is_dir():
        return f"cannot write {path}: folder {folder} does not exist; create it first"
    return None


@contextmanager
def atomic_write(path: Path) -> Iterator[IO[bytes]]:
    """A binary file handle whose content becomes `path` when the block ends without an error."""
    path = Path(path)
    folder = path.parent
    mode = _target_mode(path)
    _remove_stale_temporaries(folder)
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}.", suffix=".tmp", dir=folder)
    except (FileNotFoundError, NotADirectoryError):
        raise OutputError(f"cannot write {path}: folder {folder} does not exist; create it first") from None
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


def _target_mode(path: Path) -> int:
    """The permission bits the written file gets: the existing file's, else the umask's."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
    except NotADirectoryError:
        raise OutputError(f"cannot write {path}: {path.parent} is not a folder") from None
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror}") from None
    if stat.S_ISLNK(status.st_mode):
        raise OutputError(f"{path} is a symbolic link; jiwen writes regular files only, give the real path")
    if stat.S_ISDIR(status.st_mode):
        raise OutputError(f"{path} is a folder; give a file name in it")
    if not stat.S_ISREG(status.st_mode):
        raise OutputError(f"{path} is not a regular file (a device, FIFO or socket); jiwen writes regular files only")
    return stat.S_IMODE(status.st_mode)


def _remove_stale_temporaries(folder: Path) -> None:
    """Temporary files of writers whose process is gone (killed before its rename)."""
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.name.startswith(TEMP_PREFIX)]
    except OSError:
        return
    for name in names:
        pid_text = name[len(TEMP_PREFIX) :].split(".", 1)[0]
        if pid_text.isdigit() and not process_alive(int(pid_text)):
            with contextlib.suppress(OSError):
                (folder / name).unlink()
