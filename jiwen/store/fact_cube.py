"""`fact_counts` held in memory as arrays, per archive, until a writer changes it.

Why not SQL: every facet is a GROUP BY over the rows the filter takes, and with no filter (the
page's first view) that is the whole table six times over: 128,515 rows at 100,000 articles,
50 ms a facet for SQLite's sort, 200–700 ms the six on a busy machine. As arrays, a filter is
a mask and a facet one `numpy.bincount`: a few milliseconds for any combination of filters.
Reading the table into arrays takes about a third of a second at that size; it happens again
only when meta's fact_counts_version has moved (fact_summary.py bumps it in every transaction
that changes the counts), so a server over an archive that a crawl is filling reads it again
after each of the crawl's commits, and one over a quiet archive never.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np

# The columns of fact_counts, as the cube holds them (`figures`, the count, apart).
DIMENSIONS = ("on_topic", "kind", "measure", "role", "region", "province", "year", "site")

_CACHE: dict[tuple[str, int], tuple[tuple[str, int, str], CountCube]] = {}
_ANSWERS: OrderedDict[tuple[Any, ...], object] = OrderedDict()
ANSWERS_KEPT = 64
_LOCK = threading.Lock()
T = TypeVar("T")


@dataclass(frozen=True)
class CountCube:
    """Each dimension as integer codes into its own list of values; `figures` the counts."""

    codes: dict[str, np.ndarray]
    values: dict[str, list[Any]]
    positions: dict[str, dict[Any, int]]
    figures: np.ndarray

    @classmethod
    def from_rows(cls, rows: list[tuple[Any, ...]]) -> CountCube:
        codes: dict[str, np.ndarray] = {}
        values: dict[str, list[Any]] = {}
        positions: dict[str, dict[Any, int]] = {}
        for column, name in enumerate(DIMENSIONS):
            found: dict[Any, int] = {}
            codes[name] = np.fromiter((found.setdefault(row[column], len(found)) for row in rows), dtype=np.int32, count=len(rows))
            values[name], positions[name] = list(found), found
        figures = np.fromiter((row[len(DIMENSIONS)] for row in rows), dtype=np.int64, count=len(rows))
        return cls(codes, values, positions, figures)

    def mask(self, equal: dict[str, tuple[Any, ...]]) -> np.ndarray:
        """Rows whose value of each dimension named in `equal` is one of its values."""
        keep = np.ones(len(self.figures), dtype=bool)
        for name, wanted in equal.items():
            codes = [self.positions[name][value] for value in wanted if value in self.positions[name]]
            keep &= np.isin(self.codes[name], codes)
        return keep

    def total(self, keep: np.ndarray) -> int:
        return int(self.figures[keep].sum())

    def counts(self, name: str, keep: np.ndarray) -> dict[Any, int]:
        """{value: figures} of dimension `name` over the rows `keep` takes, none of them zero."""
        sums = np.bincount(self.codes[name][keep], weights=self.figures[keep], minlength=len(self.values[name]))
        return {self.values[name][code]: int(sums[code]) for code in np.flatnonzero(sums)}


def counts_version(db: sqlite3.Connection, path: Path) -> tuple[str, int, str]:
    """What names the state of an archive's counts: its file (a restored copy is another) and
    meta's fact_counts_version."""
    row = db.execute("SELECT value FROM meta WHERE key = 'fact_counts_version'").fetchone()
    return (str(path.resolve()), path.stat().st_ino, str(row[0]) if row else "0")


def remembered(version: tuple[str, int, str], question: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, kept for the same `question` until the counts' `version` changes: the
    counts of a month or a prefecture are read from its figures, and paging through its figures
    asks for them again on every page."""
    key = (version, question)
    with _LOCK:
        if key in _ANSWERS:
            _ANSWERS.move_to_end(key)
            return cast(T, _ANSWERS[key])
    answer = compute()
    with _LOCK:
        _ANSWERS[key] = answer
        while len(_ANSWERS) > ANSWERS_KEPT:
            _ANSWERS.popitem(last=False)
    return answer


def cached_cube(db: sqlite3.Connection, path: Path) -> CountCube:
    """The cube of the archive at `path` (its database open as `db`), read again only when its
    counts have changed since (see `counts_version`)."""
    # The version is read before the rows: rows newer than it are read again next time, never
    # older rows kept as new.
    version = counts_version(db, path)
    with _LOCK:
        found = _CACHE.get(version[:2])
        if found is not None and found[0] == version:
            return found[1]
    columns = ", ".join(DIMENSIONS)
    cube = CountCube.from_rows(db.execute(f"SELECT {columns}, figures FROM fact_counts").fetchall())
    with _LOCK:
        _CACHE[version[:2]] = (version, cube)
    return cube
