"""A discovery's result as a `[[site]]` entry for sites.toml (`jiwen sites discover`), and
appending it to the user's sites file."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

from jiwen.core.errors import ConfigError
from jiwen.crawler.discovery import Discovery, clean_text
from jiwen.crawler.sites import DEFAULT_INTERVAL, parse_sites, site_for_url


def render_site_entry(discovery: Discovery, *, name: str | None = None, interval: str = DEFAULT_INTERVAL) -> str:
    """A `[[site]]` entry for sites.toml, one comment line per column found. Raises ConfigError
    when no column was chosen."""
    if not discovery.chosen:
        raise ConfigError(f"no news column found: {discovery.nothing_reason()}")
    site = site_for_url(discovery.start_url, name=name)
    lines = [
        f"# Found by `jiwen sites discover {discovery.start_url}` ({discovery.pages_looked_at} pages looked at).",
        "[[site]]",
        f"name = {toml_string(site.name)}",
    ]
    if discovery.site_title:
        lines.append(f"title = {toml_string(discovery.site_title)}")
    lines.append("start_urls = [")
    lines.extend(f"    {toml_string(column.url)},  # {clean_text(column.title, 30)}" for column in discovery.chosen)
    lines.append("]")
    lines.append(f"interval = {toml_string(interval)}")
    if discovery.learned_patterns:
        # The site's own article shapes, learned from the dated items of its lists (crawler/shapes.py).
        lines.append("learned_patterns = [")
        lines.extend(
            f"    {toml_string(pattern)},  # from {clean_text(url, 120)}"
            for pattern, url in zip(discovery.learned_patterns, discovery.learned_from)
        )
        lines.append("]")
    if discovery.render in ("browser", "http"):
        lines.append(f"render = {toml_string(discovery.render)}")  # as the discovery was made
    lines.extend(f"# {clean_text(note, 300)}" for note in discovery.browser_notes)
    for column in discovery.columns:
        mark = "crawled" if column.chosen else "left out"
        lines.append(f"# column ({mark}): {clean_text(column.describe(), 240)}")
    lines.append("[site.pagination]")
    lines.append("max_pages = 5")
    text = "\n".join(lines) + "\n"
    parse_sites(text, source="the discovered entry")  # never print or write an entry that does not load
    return text


def toml_string(value: str) -> str:
    """A TOML basic string: JSON's string escapes are TOML's (\\", \\\\, \\n, \\uXXXX)."""
    return json.dumps(value, ensure_ascii=False)


def user_sites_file() -> Path:
    """Where `--write` appends: $JIWEN_SITES, else the user's own sites.toml (created on first
    write), never the examples shipped with jiwen."""
    if os.environ.get("JIWEN_SITES"):
        return Path(os.environ["JIWEN_SITES"]).expanduser()
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config_home / "jiwen" / "sites.toml"


def append_site_entry(path: Path, entry: str) -> Path:
    """Append an entry to a sites file (created if missing) after checking the result loads."""
    path = Path(path).expanduser()
    existing = path.read_text("utf-8") if path.is_file() else ""
    combined = existing + ("\n" if existing and not existing.endswith("\n\n") else "") + entry
    try:
        tomllib.loads(combined)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} would not be valid TOML with the new entry ({error}); fix the file first") from None
    parse_sites(combined, source=str(path))  # a name used twice is refused here
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as stream:
        stream.write(combined[len(existing) :])
    return path
