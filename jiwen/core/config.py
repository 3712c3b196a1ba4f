"""Where things live: the archive folder and the user's configuration files."""

from __future__ import annotations

import os
from pathlib import Path

ARCHIVE_ENV = "JIWEN_ARCHIVE"


def default_archive_dir() -> Path:
    """The per-user default archive: $XDG_DATA_HOME/jiwen (usually ~/.local/share/jiwen)."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "jiwen"


def resolve_archive_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--archive wins, then $JIWEN_ARCHIVE, then the per-user default."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(ARCHIVE_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return default_archive_dir()


def user_config_dir() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "jiwen"


def cache_dir() -> Path:
    """Downloads for tests and benchmarks, and the text tools' derived data (jiwen.text.cache):
    $JIWEN_CACHE, else $XDG_CACHE_HOME/jiwen (usually ~/.cache/jiwen)."""
    explicit = os.environ.get("JIWEN_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "jiwen"
