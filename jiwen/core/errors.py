"""Errors a user can meet. Each carries a one-line message that says what went wrong and what to
do; the CLI prints it as `jiwen: <message>` and exits 1. Anything else is a bug (traceback)."""

from typing import Any


class JiwenError(Exception):
    """Base of every handled error."""


class ExtractionError(JiwenError):
    """The input cannot become an article: binary, empty, undecodable."""


class QuerySyntaxError(JiwenError):
    """A search query Whoosh cannot parse."""


class ArchiveLockedError(JiwenError):
    """Another process holds the archive's writer lock."""


class ConfigError(JiwenError):
    """sites.toml or another configuration file is wrong."""


class ArchiveError(JiwenError):
    """The archive folder or its database cannot be used."""


def storage_failure(error: BaseException) -> str | None:
    """One line for what the disk or the database can do to any command (a full disk, a damaged
    file, a folder that cannot be written), or None for anything else, which is a bug and keeps
    its traceback. Accepts a worker's error (WorkerError, below) by its message."""
    import errno
    import sqlite3

    text = str(error)
    kept = "what was stored is kept, and the index catches up"
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        where = f" ({error.filename})" if error.filename else ""
        return f"no space left on the device{where}; free some space and run the command again ({kept})"
    from_worker = getattr(error, "kind", None)  # a WorkerError: the worker's exception by name
    if "database or disk is full" in text and (isinstance(error, sqlite3.Error) or from_worker == "OperationalError"):
        return f"the archive cannot grow: database or disk is full; free some space and run the command again ({kept})"
    if "No space left on device" in text and from_worker is not None:
        return f"no space left on the device; free some space and run the command again ({kept})"
    if isinstance(error, sqlite3.DatabaseError) and ("malformed" in text or "not a database" in text):
        return f"the archive database is damaged ({text}); restore it from a backup"
    if isinstance(error, sqlite3.OperationalError) and ("disk I/O error" in text or "readonly" in text):
        return f"the archive database cannot be written ({text}); check the disk and the folder's permissions"
    return None


class WorkerError(Exception):
    """Raised in the parent for a worker's failure (`jiwen.core.processes.WorkerFailure`), or when the
    worker is gone. Defined here, not beside the workers, so that a command that starts none
    (`jiwen search`) does not import the logging and queue machinery they need."""

    def __init__(self, failure: Any) -> None:  # a jiwen.core.processes.WorkerFailure (kept out of the imports)
        super().__init__(failure.message)
        self.failure = failure

    @property
    def kind(self) -> str:
        return str(self.failure.kind)
