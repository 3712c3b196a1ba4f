"""Site names: a site's name becomes a folder name (<archive>/jobs/<name>), so it is checked before
anything is written under it (sites.toml, `--site` of `crawl` and `ingest`). A module of its own,
without the rest of sites.toml's parsing: `jiwen ingest` and `jiwen extract` check a name without
loading the crawl's configuration code."""

from __future__ import annotations

import re

# No "." or ".." on its own, no "/", and it starts with a letter or digit, so a derived name can
# never climb out of jobs/.
SITE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
# Folders of <archive>/jobs/ that are not a site's job state.
RESERVED_NAMES = frozenset({"httpcache"})


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a site, in one line; None when it can."""
    if not SITE_NAME.match(name):
        return "name must be lowercase letters, digits, '.', '-' or '_', starting with a letter or digit, at most 100 (it names the crawl's job folder)"
    if name in RESERVED_NAMES:
        return f"name {name!r} is reserved (jobs/{name} holds the crawl's HTTP cache); choose another"
    return None
