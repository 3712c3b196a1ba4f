"""Logging for long-running commands: a rotating file in the archive folder and the terminal.

<archive>/logs/jiwen.log holds what `jiwen schedule` (and any command that calls setup_logging)
did, rotated at LOG_BYTES with LOG_BACKUPS old files kept, so an archive crawled for months keeps
a bounded log. The terminal (or the systemd journal) gets the same lines.

Only one process should write the file: RotatingFileHandler does not coordinate rollover between
processes. The scheduler therefore sets NO_LOG_FILE_ENV for the crawls it starts and writes their
output into its own log itself.
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
import os
import sys
from pathlib import Path

from jiwen.core.errors import ArchiveError
from jiwen.core.terminal import terminal_safe

LOG_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 5
NO_LOG_FILE_ENV = "JIWEN_NO_LOG_FILE"
# The loggers jiwen writes to: its own modules and the scheduling library under `jiwen schedule`.
LOGGER_NAMES = ("jiwen", "apscheduler")
_MARK = "_jiwen_handler"


def log_file(archive_dir: Path) -> Path:
    return Path(archive_dir) / "logs" / "jiwen.log"


class TerminalSafeFormatter(logging.Formatter):
    """Log lines quote URLs and page text (extraction errors, crawl output the scheduler relays):
    escape sequences and control characters are dropped, on the terminal and in the file alike
    (`tail -f jiwen.log` is a terminal too). Tracebacks keep their newlines."""

    def format(self, record: logging.LogRecord) -> str:
        return terminal_safe(super().format(record), multiline=True)


def setup_logging(archive_dir: Path, *, verbose: bool = False) -> Path | None:
    """Send jiwen's log to <archive>/logs/jiwen.log and to stderr; returns the file's path, or
    None when file logging is switched off ($JIWEN_NO_LOG_FILE). Calling it again replaces the
    handlers it installed before."""
    handlers: list[logging.Handler] = []
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setFormatter(TerminalSafeFormatter("%(asctime)s %(message)s", "%H:%M:%S"))
    handlers.append(terminal)
    path: Path | None = None
    if not os.environ.get(NO_LOG_FILE_ENV):
        path = log_file(archive_dir)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            to_file = _LogFile(path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
        except OSError as error:
            raise ArchiveError(f"cannot write the log {path}: {error.strerror}; check the archive folder's permissions") from None
        to_file.setFormatter(TerminalSafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handlers.append(to_file)
    for name in LOGGER_NAMES:
        logger = logging.getLogger(name)
        for handler in [h for h in logger.handlers if getattr(h, _MARK, False)]:
            logger.removeHandler(handler)
            handler.close()
        for handler in handlers:
            setattr(handler, _MARK, True)
            logger.addHandler(handler)
        # Our handlers are the whole story for these loggers: no second copy through a root
        # handler (Scrapy installs one in `jiwen crawl`).
        logger.propagate = False
    logging.getLogger("jiwen").setLevel(logging.DEBUG if verbose else logging.INFO)
    # APScheduler narrates every job at INFO; the scheduler logs what matters in its own words.
    logging.getLogger("apscheduler").setLevel(logging.INFO if verbose else logging.ERROR)
    return path


class _LogFile(logging.handlers.RotatingFileHandler):
    """The log file, silent when the disk is full: the command says so itself, in one line,
    instead of logging's "--- Logging error ---" traceback for every line it could not write."""

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return
        super().handleError(record)
