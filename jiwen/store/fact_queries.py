"""Reading the figures back: `/facts`, its downloads, `jiwen trends --list`, export's --place.

A question is a `FactSelection`. Its total and facet counts are sums over a summary
(fact_summary.py) when its filters are ones the summary keeps — kind, measure, role, a province
or prefecture, a year or month, a site, on-topic or all — and scans of the facts table otherwise
(`mentioning`, a county: narrowed to the articles that can hold such figures). Its page is read
in the page's order (newest article first, then the figure's place in it) along an index: the
articles with the rarest of its measure, place and period (fact_keys), or every article newest
first when it has none of those, stopping as soon as the page is full. An archive at schema 3,
read before a writer upgraded it, is answered by the scans alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from jiwen.core.errors import ArchiveError
from jiwen.store.connection import Connection
from jiwen.store.fact_summary import ON_TOPIC, place_keys
from jiwen.store.fact_table import FACT_COLUMNS

FACT_FACETS = ("kind", "measure", "role", "province", "site", "year")
_FACET_SQL = {
    "kind": "facts.kind",
    "measure": "facts.measure",
    "role": "facts.role",
    "province": "facts.province",
    "site": "COALESCE(articles.site, 'local')",
    "year": "substr(COALESCE(facts.period_end, articles.published), 1, 4)",
}
# The same facets over a summary table (empty text is none there).
_SUMMARY_FACET_SQL = {
    "kind": "kind",
    "measure": "NULLIF(measure, '')",
    "role": "NULLIF(role, '')",
    "province": "NULLIF(province, '')",
    "site": "CASE site WHEN '' THEN 'local' ELSE site END",
}
_SUMMARY_YEAR = {"fact_counts": "NULLIF(year, '')", "fact_counts_monthly": "NULLIF(substr(month, 1, 4), '')"}
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

    def where(self) -> tuple[str, list]:
        """The condition on a row of `facts JOIN articles`."""
        conditions: list[str] = []
        values: list = []
        if not self.include_all:
            conditions.append(ON_TOPIC)
        if self.kinds:
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

    def summary_table(self) -> str | None:
        """The summary that counts what this selection takes: `fact_counts` (province and year),
        `fact_counts_monthly` (prefecture and month), or None (a county, or `article_ids`)."""
        if self.article_ids is not None or any(len(prefix) > 4 for prefix in self.place_prefixes):
            return None
        if any(len(prefix) > 2 for prefix in self.place_prefixes) or (self.period and len(self.period) > 4):
            return "fact_counts_monthly"
        return "fact_counts"

    def summary_where(self, table: str) -> tuple[str, list]:
        """The condition on a row of `table` (see `summary_table`)."""
        conditions: list[str] = []
        values: list = []
        if not self.include_all:
            conditions.append("on_topic = 1")
        if self.kinds:
            conditions.append(f"kind IN ({','.join('?' * len(self.kinds))})")
            values.extend(self.kinds)
        for column in ("measure", "role"):
            value = getattr(self, column)
            if value:
                conditions.append(f"{column} = ?")
                values.append(value)
        place = "region" if table == "fact_counts" else "area"
        if self.has_place:
            alternatives = []
            for prefix in self.place_prefixes:
                alternatives.append(f"substr({place}, 1, ?) = ?")
                values.extend((len(prefix), prefix))
            if self.place_names:  # a coded figure's region or area is digits, never a name
                alternatives.append(f"{place} IN ({','.join('?' * len(self.place_names))})")
                values.extend(self.place_names)
            conditions.append("(" + " OR ".join(alternatives) + ")")
        if self.period:
            if table == "fact_counts":
                conditions.append("year = ?")
                values.append(self.period)
            else:
                conditions.append("substr(month, 1, ?) = ?")
                values.extend((len(self.period), self.period))
        if self.site:
            conditions.append("site = ?")
            values.append("" if self.site == "local" else self.site)
        return (" AND ".join(conditions) or "1"), values

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

    def _scan_where(self, selection: FactSelection) -> tuple[str, list]:
        """`selection.where()`, narrowed (when the archive keeps keys) to the articles that have
        a figure of its place: a county's figures are then read from a few hundred articles, not
        from every one."""
        where, values = selection.where()
        if selection.has_place and self.has_fact_summary():
            keys = place_keys(selection.place_names, selection.place_prefixes)
            where += f" AND facts.article_id IN (SELECT article_id FROM fact_keys WHERE key IN ({','.join('?' * len(keys))}))"
            values = [*values, *keys]
        return where, values

    def fact_article_ids(self, selection: FactSelection) -> list[str]:
        """The articles that have a figure `selection` takes, in id order."""
        self._require_fact_table()
        where, values = self._scan_where(selection)
        return [
            row[0]
            for row in self.db.execute(
                f"SELECT DISTINCT facts.article_id FROM facts JOIN articles ON articles.id = facts.article_id WHERE {where} ORDER BY 1",
                values,
            )
        ]

    def _rows_query(self, selection: FactSelection) -> tuple[str, list]:
        """The rows `selection` takes, in the page's order, as one query that reads no more of
        the table than the rows it returns need (see the module's docstring)."""
        where, values = selection.where()
        columns = _ROW_COLUMNS
        if selection.article_ids is not None or not self.has_fact_summary():
            return f"SELECT {columns} FROM facts JOIN articles ON articles.id = facts.article_id WHERE {where} {_ORDER}", values
        choices = selection.key_choices()
        if not choices:  # every article, newest first, until the page is full
            return (
                f"SELECT {columns} FROM articles INDEXED BY articles_published CROSS JOIN facts ON facts.article_id = articles.id "
                f"WHERE {where} ORDER BY articles.published DESC, articles.id, facts.seq",
                values,
            )
        _, keys = min(choices, key=lambda choice: self._estimate(choice[0]))
        if len(keys) == 1:  # one key: its articles are in the page's order already
            walk = "fact_keys AS walk"
            key_condition, key_values = "walk.key = ?", keys
        else:
            walk = f"(SELECT DISTINCT published, article_id FROM fact_keys WHERE key IN ({','.join('?' * len(keys))})) AS walk"
            key_condition, key_values = "1", keys
        return (
            f"SELECT {columns} FROM {walk} CROSS JOIN articles ON articles.id = walk.article_id "
            f"CROSS JOIN facts ON facts.article_id = walk.article_id WHERE {key_condition} AND {where} "
            "ORDER BY walk.published DESC, walk.article_id, facts.seq",
            [*key_values, *values],
        )

    def _estimate(self, selection: FactSelection) -> int:
        """How many figures `selection` takes, from the summary; 0 (the rarest) for a county,
        which the summary does not count."""
        table = selection.summary_table()
        if table is None:
            return 0
        where, values = selection.summary_where(table)
        return self.db.execute(f"SELECT COALESCE(SUM(figures), 0) FROM {table} WHERE {where}", values).fetchone()[0]

    def select_facts(self, selection: FactSelection, *, limit: int | None = None, offset: int = 0) -> list[dict]:
        """Rows of `facts` with their article's url, title, published and site; newest first."""
        self._require_fact_table()
        sql, values = self._rows_query(selection)
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        cursor = self.db.execute(sql, values)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def iter_facts(self, selection: FactSelection) -> Iterator[dict]:
        """Every row `selection` takes, in `select_facts` order, from one query as it goes (a
        reader's cursor: the downloads of a read-only server)."""
        self._require_fact_table()
        sql, values = self._rows_query(selection)
        cursor = self.db.execute(sql, values)
        names = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(names, row))

    def count_facts(self, selection: FactSelection) -> int:
        self._require_fact_table()
        table = selection.summary_table() if self.has_fact_summary() else None
        if table is not None:
            return self._estimate(selection)
        where, values = self._scan_where(selection)
        return self.db.execute(
            f"SELECT COUNT(*) FROM facts JOIN articles ON articles.id = facts.article_id WHERE {where}", values
        ).fetchone()[0]

    def fact_facets(self, selection: FactSelection, *, top: int = 30) -> dict[str, dict[str, int]]:
        """Counts of the selected facts by kind, measure, role, province, site and year, most first."""
        self._require_fact_table()
        table = selection.summary_table() if self.has_fact_summary() else None
        if table is not None:
            where, values = selection.summary_where(table)
            expressions = {**_SUMMARY_FACET_SQL, "year": _SUMMARY_YEAR[table]}
            source, count = table, "SUM(figures)"
        else:
            where, values = self._scan_where(selection)
            expressions, source, count = _FACET_SQL, "facts JOIN articles ON articles.id = facts.article_id", "COUNT(*)"
        facets: dict[str, dict[str, int]] = {}
        for name in FACT_FACETS:
            expression = expressions[name]
            rows = self.db.execute(
                f"SELECT {expression} AS facet_value, {count} FROM {source} WHERE {where} AND facet_value IS NOT NULL "
                f"GROUP BY facet_value HAVING {count} > 0 ORDER BY 2 DESC, 1 LIMIT {int(top)}",
                values,
            )
            facets[name] = {row[0]: row[1] for row in rows}
        return facets

    def indicator_summaries(self) -> list[dict]:
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
