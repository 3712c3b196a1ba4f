"""`Archive`: the archive folder and its store, assembled from one mixin per table or concern."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from jiwen.store.articles import Articles
from jiwen.store.fact_queries import FactTable
from jiwen.store.fact_summary import build_fact_summary
from jiwen.store.fact_table import build_fact_table
from jiwen.store.facts import drop_figures, migrate_fact_rows
from jiwen.store.fingerprints import Fingerprints
from jiwen.store.pages import Pages
from jiwen.store.runs import Runs
from jiwen.store.statistics import Statistics
from jiwen.store.watches import Watches, create_watch_tables


def _to_schema_3(db: sqlite3.Connection) -> None:
    build_fact_table(db)
    create_watch_tables(db)


class Archive(Pages, Articles, FactTable, Fingerprints, Runs, Statistics, Watches):
    """An archive folder: archive.sqlite3, the Whoosh index in index/, logs, crawl job state."""

    upgrades = {
        1: migrate_fact_rows,  # schema 1 -> 2: fact rows become each article's facts blob
        2: _to_schema_3,  # schema 2 -> 3: the plain `facts` table beside the blob, for SQL; watches
        3: build_fact_summary,  # schema 3 -> 4: counts and keys of the figures, for /facts
        4: drop_figures,  # schema 4 -> 5: the figures table goes (trends reads the summaries)
    }

    def __init__(self, directory: Path | str, *, create: bool = True, read_only: bool = False) -> None:
        super().__init__(directory, create=create, read_only=read_only)
        if not read_only:
            # Every writer (reindex, check --repair, ingest...) settles the runs a killed process
            # left 'running', not only those that start a run of their own: `jiwen runs` must not
            # show a dead reextract as running until the next crawl.
            self.mark_abandoned_runs()
