"""`Archive`: the archive folder and its store, assembled from one mixin per table or concern."""

from __future__ import annotations

from .articles import Articles
from .fingerprints import Fingerprints
from .pages import Pages
from .runs import Runs
from .statistics import Statistics


class Archive(Pages, Articles, Fingerprints, Runs, Statistics):
    """An archive folder: archive.sqlite3, the Whoosh index in index/, logs, crawl job state."""
