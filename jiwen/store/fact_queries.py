"""Reading the figures back: `/facts`, its downloads, `jiwen trends --list`, export's --place.

A question is a `FactSelection`. Its total and facet counts are sums over `fact_counts`
(fact_summary.py) when its filters are ones that summary keeps — kind, measure, role, a province
or a place without a code, a year, a site, on-topic or all. Otherwise (a month, a prefecture or
a county, `mentioning`) the figures themselves are counted, read only from the articles that
hold the rarest of its measure, place and period (`fact_keys`). Its page is read in the page's
order (newest article first, then the figure's place in it) along an index — the articles with
that rarest key, the others' keys checked in the same index, or every article newest first
when it has none of those — and the walk stops as soon as the page is full. An archive at
schema 3, read before a writer upgraded it, is answered by scans of the facts table.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jiwen.core.errors import ArchiveError
from jiwen.store.connection import Connection
from jiwen.store.fact_cube import cached_cube, counts_version, remembered
from jiwen.store.fact_summary import ON_TOPIC, place_keys
from jiwen.store.fact_table import FACT_COLUMNS
from jiwen.store.fact_table import MEASURED_KINDS as FIGURE_KINDS

FACT_FACETS = ("kind", "measure", "role", "province", "site", "year")
_FACET_SQL = {
    "kind": "facts.kind",
    "measure": "facts.measure",
    "role": "facts.role",
    "province": "facts.province",
    "site": "COALESCE(articles.site, 'local')",
    "year": "substr(COALESCE(facts.period_end, articles.published), 1, 4)",
}
_ROW_COLUMNS = (
    "facts.article_id, facts.seq, "
    + ", ".join(f'facts."{name}"' for name in FACT_COLUMNS)
    + ", articles.url, articles.title, articles.published, articles.site"
)
_ORDER = "ORDER BY articles.published DESC, facts.article_id, facts.seq"


@dataclass(frozen=True)
class FactSelection:
    """Which rows of `facts` a caller wants: each field narrows, None or empty takes all.
    `place_names`/`place_prefixes`: the place a figure is attributed to — one with a code when
    the code starts with one of the prefixes (a province's 52 takes its counties' 5226xx), one
    without a code (全国, a foreign country) when its name is one of the names. `period`: YYYY or
    YYYY-MM, matched against the fact's period end, else its article's publication date.
    `article_ids`: only the figures of these articles (None: of all)."""

    kinds: tuple[str, ...] = ()
    measure: str | None = None
    role: str | None = None
    place_names: tuple[str, ...] = ()
    place_prefixes: tuple[str, ...] = ()
    period: str | None = None
    site: str | None = None
    article_ids: tuple[str, ...] | None = None
    include_all: bool = False

    @property
    def has_place(self) -> bool:
        return bool(self.place_names or self.place_prefixes)

    @property
    def narrows_kinds(self) -> bool:
        """Whether `kinds` leaves out a kind of figure (all three take every row of the table:
        no condition, which would only lead SQLite's planner astray)."""
        return bool(self.kinds) and not set(FIGURE_KINDS) <= set(self.kinds)

    def where(self) -> tuple[str, list[Any]]:
        """The condition on a row of `facts JOIN articles`."""
        conditions: list[str] = []
        values: list[Any] = []
        if not self.include_all:
            conditions.append(ON_TOPIC)
        if self.narrows_kinds:
            conditions.append(f"facts.kind IN ({','.join('?' * len(self.kinds))})")
            values.extend(self.kinds)
        for column in ("measure", "role"):
            value = getattr(self, column)
            if value:
                conditions.append(f"facts.{column} = ?")
                values.append(value)
        if self.has_place:
            alternatives = []
            for prefix in self.place_prefixes:
                alternatives.append("substr(facts.adcode, 1, ?) = ?")
                values.extend((len(prefix), prefix))
            if self.place_names:
                alternatives.append(f"(facts.adcode IS NULL AND facts.place IN ({','.join('?' * len(self.place_names))}))")
                values.extend(self.place_names)
            conditions.append("(" + " OR ".join(alternatives) + ")")
        if self.period:
            conditions.append("substr(COALESCE(facts.period_end, articles.published), 1, ?) = ?")
            values.extend((len(self.period), self.period))
        if self.site == "local":
            conditions.append("articles.site IS NULL")
        elif self.site:
            conditions.append("articles.site = ?")
            values.append(self.site)
        if self.article_ids is not None:
            conditions.append("facts.article_id IN (SELECT value FROM json_each(?))")
            values.append(json.dumps(list(self.article_ids)))
        return (" AND ".join(conditions) or "1"), values

    @property
    def counted(self) -> bool:
        """Whether `fact_counts` counts what this selection takes: not a month, a place smaller
        than a province, or `article_ids`."""
        return (
            self.article_ids is None
            and all(len(prefix) <= 2 for prefix in self.place_prefixes)
            and not (self.period and len(self.period) > 4)
        )

    def counted_values(self) -> dict[str, tuple[Any, ...]]:
        """{column of `fact_counts`: the values it may have} for this selection (see `counted`)."""
        equal: dict[str, tuple[Any, ...]] = {}
        if not self.include_all:
            equal["on_topic"] = (1,)
        if self.narrows_kinds:
            equal["kind"] = self.kinds
        for column in ("measure", "role"):
            if getattr(self, column):
                equal[column] = (getattr(self, column),)
        if self.has_place:  # a coded figure's region is two digits, a codeless one's its name
            equal["region"] = (*self.place_prefixes, *self.place_names)
        if self.period:
            equal["year"] = (self.period,)
        if self.site:
            equal["site"] = ("" if self.site == "local" else self.site,)
        return equal

    def key_choices(self) -> list[tuple[FactSelection, list[str]]]:
        """For each of this selection's measure, place and period: (that filter alone, the
        `fact_keys` keys every figure it takes has)."""
        choices = []
        if self.measure:
            choices.append((FactSelection(measure=self.measure, include_all=self.include_all), [f"m:{self.measure}"]))
        if self.has_place:
            alone = FactSelection(place_names=self.place_names, place_prefixes=self.place_prefixes, include_all=self.include_all)
            choices.append((alone, place_keys(self.place_names, self.place_prefixes)))
        if self.period:
            choices.append((FactSelection(period=self.period, include_all=self.include_all), [f"d:{self.period}"]))
        return choices


class FactTable(Connection):
    """Queries over the `facts` table and its summaries: `/facts`, `jiwen trends --list`."""

    _summary: bool | None = None

    def has_fact_table(self) -> bool:
        return (
            bool(self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'facts'").fetchone())
            and not self._facts_in_rows()
        )

    def has_fact_summary(self) -> bool:
        """Whether the archive keeps the counts and keys of schema 4 (a reader may open an older one)."""
        if self._summary is None:
            self._summary = bool(self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fact_keys'").fetchone())
        return self._summary

    def _require_fact_table(self) -> None:
        if not self.has_fact_table():
            raise ArchiveError(
                f"archive {self.directory} has no facts table yet (written by an older jiwen); any writer upgrades it, e.g. 'jiwen reindex'"
            )

    # -- which articles to read -----------------------------------------------------------

    def _present_keys(self, keys: list[str]) -> list[str]:
        """Those of `keys` that some article has (a place's name usually has none: its figures
        carry codes)."""
        return [key for key in keys if self.db.execute("SELECT 1 FROM fact_keys WHERE key = ? LIMIT 1", (key,)).fetchone()]

    def _key_plan(self, selection: FactSelection) -> list[list[str]] | None:
        """The keys of `selection`'s measure, place and period, those that narrow most first (a
        single key before several; then fewer figures, from fact_counts; a month or a place
        below a province, which it does not count, first of all); None without any of them, or
        without keys in the archive."""
        choices = selection.key_choices()
        if not choices or not self.has_fact_summary():
            return None
        present = [(self._present_keys(keys), alone) for alone, keys in choices]
        present.sort(key=lambda choice: (len(choice[0]) != 1, self._counted_total(choice[1]) if choice[1].counted else 0))
        return [keys for keys, _ in present]

    @staticmethod
    def _others_exist(plan: list[list[str]], walk: str) -> tuple[list[str], list[str]]:
        """EXISTS conditions (and their values) that the article at `walk` has a key of each
        set of `plan` after the first: one look-up each in fact_keys' primary key."""
        conditions, values = [], []
        for keys in plan[1:]:
            conditions.append(
                f"EXISTS (SELECT 1 FROM fact_keys AS other WHERE other.key IN ({','.join('?' * len(keys)) or 'NULL'}) "
                f"AND other.published = {walk}.published AND other.article_id = {walk}.article_id)"
            )
            values.extend(keys)
        return conditions, values

    def _scanned(self, selection: FactSelection) -> tuple[str, list[Any]]:
        """(FROM and WHERE, values) of the facts rows `selection` takes, for a count or a scan:
        in an archive with keys, only the figures of the articles that hold its rarest key (and
        its other keys) are read."""
        where, values = selection.where()
        plan = self._key_plan(selection) if selection.article_ids is None else None
        if plan is None:
            return f"facts JOIN articles ON articles.id = facts.article_id WHERE {where}", values
        first = plan[0]
        exists, exists_values = self._others_exist(plan, "holding")
        return (
            f"(SELECT DISTINCT published, article_id FROM fact_keys WHERE key IN ({','.join('?' * len(first)) or 'NULL'})) AS holding "
            # Each article read once, then its figures (not the article again for every figure).
            f"CROSS JOIN articles ON articles.id = holding.article_id CROSS JOIN facts ON facts.article_id = holding.article_id "
            f"WHERE {' AND '.join([*exists, where])}",
            [*first, *exists_values, *values],
        )

    # -- the rows -------------------------------------------------------------------------

    def _rows_query(self, selection: FactSelection) -> tuple[str, list[Any]]:
        """The rows `selection` takes, in the page's order, as one query that reads no more of
        the table than the rows it returns need (see the module's docstring)."""
        where, values = selection.where()
        columns = _ROW_COLUMNS
        if selection.article_ids is not None or not self.has_fact_summary():
            return f"SELECT {columns} FROM facts JOIN articles ON articles.id = facts.article_id WHERE {where} {_ORDER}", values
        plan = self._key_plan(selection)
        if plan is None:  # every article, newest first, until the page is full
            return (
                f"SELECT {columns} FROM articles INDEXED BY articles_published CROSS JOIN facts ON facts.article_id = articles.id "
                f"WHERE {where} ORDER BY articles.published DESC, articles.id, facts.seq",
                values,
            )
        # One key: its articles are in the page's order already. Several (a place without a code
        # that also has one): merged and sorted.
        first = plan[0]
        if len(first) == 1:
            walk, conditions, key_values = "fact_keys AS walk", ["walk.key = ?"], list(first)
        else:
            walk = f"(SELECT DISTINCT published, article_id FROM fact_keys WHERE key IN ({','.join('?' * len(first)) or 'NULL'})) AS walk"
            conditions, key_values = [], list(first)
        exists, exists_values = self._others_exist(plan, "walk")
        return (
            f"SELECT {columns} FROM {walk} CROSS JOIN articles ON articles.id = walk.article_id "
            f"CROSS JOIN facts ON facts.article_id = walk.article_id WHERE {' AND '.join([*conditions, *exists, where])} "
            "ORDER BY walk.published DESC, walk.article_id, facts.seq",
            [*key_values, *exists_values, *values],
        )

    def fact_article_ids(self, selection: FactSelection) -> list[str]:
        """The articles that have a figure `selection` takes, in id order."""
        self._require_fact_table()
        source, values = self._scanned(selection)
        return [row[0] for row in self.db.execute(f"SELECT DISTINCT facts.article_id FROM {source} ORDER BY 1", values)]

    def select_facts(self, selection: FactSelection, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Rows of `facts` with their article's url, title, published and site; newest first."""
        self._require_fact_table()
        sql, values = self._rows_query(selection)
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        cursor = self.db.execute(sql, values)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def iter_facts(self, selection: FactSelection) -> Iterator[dict[str, Any]]:
        """Every row `selection` takes, in `select_facts` order, from one query as it goes (a
        reader's cursor: the downloads of a read-only server)."""
        self._require_fact_table()
        sql, values = self._rows_query(selection)
        cursor = self.db.execute(sql, values)
        names = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(names, row))

    # -- the counts -----------------------------------------------------------------------

    def _counted_total(self, selection: FactSelection) -> int:
        cube = cached_cube(self.db, self.db_path)
        return cube.total(cube.mask(selection.counted_values()))

    def count_facts(self, selection: FactSelection) -> int:
        return self.fact_totals(selection, top=0)[0]

    def fact_facets(self, selection: FactSelection, *, top: int = 30) -> dict[str, dict[str, int]]:
        """Counts of the selected facts by kind, measure, role, province, site and year, most first."""
        return self.fact_totals(selection, top=top)[1]

    def fact_totals(self, selection: FactSelection, *, top: int = 30) -> tuple[int, dict[str, dict[str, int]]]:
        """How many figures `selection` takes, and their counts by kind, measure, role, province,
        site and year (the `top` most of each, most first; top=0: the total alone)."""
        self._require_fact_table()
        if not self.has_fact_summary():
            return self._scanned_totals(selection, top)
        if not selection.counted:
            version = counts_version(self.db, self.db_path)
            return remembered(version, (selection, top), lambda: self._scanned_totals(selection, top))
        cube = cached_cube(self.db, self.db_path)
        keep = cube.mask(selection.counted_values())
        facets: dict[str, dict[str, int]] = {}
        for name in FACT_FACETS if top else ():
            counts = cube.counts(name, keep)
            if name == "site":  # '' is a local file
                counts["local"] = counts.pop("", 0) + counts.get("local", 0)
            ordered = sorted(
                ((value, count) for value, count in counts.items() if value != "" and count), key=lambda item: (-item[1], item[0])
            )
            facets[name] = dict(ordered[:top])
        return cube.total(keep), facets

    def _scanned_totals(self, selection: FactSelection, top: int) -> tuple[int, dict[str, dict[str, int]]]:
        """`fact_totals` from the figures themselves (see `_scanned`), in one pass: grouped by
        all six facets at once in SQL, each facet then summed from those groups."""
        source, values = self._scanned(selection)
        if not top:
            return self.db.execute(f"SELECT COUNT(*) FROM {source}", values).fetchone()[0], {}
        expressions = ", ".join(_FACET_SQL[name] for name in FACT_FACETS)
        counters: dict[str, Counter[Any]] = {name: Counter() for name in FACT_FACETS}
        total = 0
        for *row, count in self.db.execute(f"SELECT {expressions}, COUNT(*) FROM {source} GROUP BY {expressions}", values):
            total += count
            for name, value in zip(FACT_FACETS, row):
                if value is not None:
                    counters[name][value] += count
        facets = {name: dict(sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:top]) for name, counter in counters.items()}
        return total, facets

    def indicator_summaries(self) -> list[dict[str, Any]]:
        """Per measure of the on-topic, not duplicated articles: figures, places, the latest period
        (a figure's period end, else its article's publication date), most reported first."""
        self._require_fact_table()
        return [
            dict(zip(("measure", "figures", "places", "latest"), row))
            for row in self.db.execute(
                "SELECT facts.measure, COUNT(*), COUNT(DISTINCT facts.place), "
                "MAX(substr(COALESCE(facts.period_end, articles.published), 1, 10)) "
                "FROM facts JOIN articles ON articles.id = facts.article_id "
                f"WHERE facts.measure IS NOT NULL AND {ON_TOPIC} "
                "GROUP BY facts.measure ORDER BY 2 DESC, 1"
            )
        ]
