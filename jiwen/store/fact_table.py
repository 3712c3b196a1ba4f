"""The `facts` table (schema 3): one plain row per figure, for sqlite3, Datasette and `/facts`.

The articles row keeps all its facts as a compact blob (facts.py): that is what export, search
and the article page decode. The blob is opaque to SQL, so the promise "open the archive with
sqlite3 or Datasette" showed no figure. This table holds the figures (count, money and percent
facts) as plain columns — kind, text, value, unit, qualifier, subject, measure, role, place,
adcode, province, period_start, period_end and where the figure stands in its article's body
(start, end) — written in the article's transaction, so it never disagrees with the blob.
`seq` is the fact's position among all the article's facts (the article page's anchor #f<seq>).

Only figures, and no sentence: places, dates, programmes, organisations and people are 58 % of
the facts, and with them the table made the store 79 % larger (13.1 -> 23.5 KB an article on
bench/synthetic.py's articles); figures alone add 29 %. `unit` is the count's unit, "元" for money
in yuan (else the currency), "%" for percents; `province` is the province of `adcode`; `value` is
NUMERIC, so whole numbers are stored as integers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from jiwen.core.errors import ArchiveError
from jiwen.core.models import CountFact, Fact, MeasuredFact, MoneyFact, fact_kind
from jiwen.store.connection import FACT_TABLE_SCHEMA, Connection

FACT_COLUMNS = (
    "kind", "text", "value", "value_end", "unit", "qualifier", "subject", "measure", "role", "place",
    "adcode", "province", "period_start", "period_end", "start", "end",
)  # fmt: skip
MEASURED_KINDS = ("count", "money", "percent")
MIGRATION_BATCH = 500


def _province_of(adcode: str | None) -> str | None:
    if not adcode or len(adcode) != 6:
        return None
    from jiwen.text.gazetteer import province_by_adcode_prefix

    return province_by_adcode_prefix().get(adcode[:2])


def fact_table_row(article_id: str, seq: int, fact: Fact) -> tuple[object, ...] | None:
    """The `facts` row of one fact, in FACT_COLUMNS order after (article_id, seq); None for a
    fact that is not a figure."""
    if not isinstance(fact, MeasuredFact):
        return None
    kind = fact_kind(fact)
    if isinstance(fact, CountFact):
        unit = fact.unit
    elif isinstance(fact, MoneyFact):
        unit = "元" if fact.currency == "CNY" else fact.currency
    else:
        unit = "%"
    # The role (actual, target, allocation ...) of a figure; read by name so that this module
    # works with fact models that have it and those that do not yet.
    role = getattr(fact, "role", None)
    return (
        article_id, seq, kind, fact.text, fact.value, fact.value_end, unit, fact.qualifier, fact.subject,
        fact.measure, role, fact.place, fact.place_adcode, _province_of(fact.place_adcode),
        fact.period_start, fact.period_end, fact.start, fact.end,
    )  # fmt: skip


def fact_table_rows(article_id: str, facts: Sequence[Fact]) -> Iterator[tuple[object, ...]]:
    for seq, fact in enumerate(facts):
        row = fact_table_row(article_id, seq, fact)
        if row is not None:
            yield row


_INSERT = (
    "INSERT INTO facts (article_id, seq, "
    + ", ".join(f'"{name}"' for name in FACT_COLUMNS)
    + ") VALUES ("
    + ", ".join("?" * (len(FACT_COLUMNS) + 2))
    + ")"
)


def replace_fact_rows(db: sqlite3.Connection, article_id: str, facts: Sequence[Fact]) -> int:
    """Inside the caller's transaction: the article's `facts` rows become its figures of `facts`."""
    db.execute("DELETE FROM facts WHERE article_id = ?", (article_id,))
    return insert_fact_rows(db, article_id, facts)


def insert_fact_rows(db: sqlite3.Connection, article_id: str, facts: Sequence[Fact]) -> int:
    """Insert the figures of `facts`; returns how many."""
    return db.executemany(_INSERT, fact_table_rows(article_id, facts)).rowcount


def build_fact_table(db: sqlite3.Connection) -> int:
    """Schema 2 -> 3 inside the caller's transaction: the `facts` table, filled from every
    article's facts blob. Returns how many figures were written."""
    from jiwen.store.codec import ARTICLE_DECODER
    from jiwen.store.facts import decode_facts

    for statement in FACT_TABLE_SCHEMA.split(";"):  # not executescript: it would commit
        if statement.strip():
            db.execute(statement)
    last_id, written = "", 0
    while True:
        rows = db.execute(
            "SELECT id, data, facts FROM articles WHERE id > ? AND facts IS NOT NULL ORDER BY id LIMIT ?",
            (last_id, MIGRATION_BATCH),
        ).fetchall()
        if not rows:
            return written
        for article_id, data, blob in rows:
            written += insert_fact_rows(db, article_id, decode_facts(ARTICLE_DECODER.decode(data).body, blob))
        last_id = rows[-1][0]


# -- reading the table back ---------------------------------------------------------------------

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


@dataclass(frozen=True)
class FactSelection:
    """Which rows of `facts` a caller wants: each field narrows, None or empty takes all.
    `place_names`/`place_prefixes`: the figure's place is one of the names, or its code starts
    with one of the prefixes (a province's 52 takes its counties' 5226xx). `period`: YYYY or
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

    def where(self) -> tuple[str, list[object]]:
        conditions: list[str] = []
        values: list[object] = []
        if not self.include_all:
            conditions.append("articles.relevant = 1 AND articles.duplicate_of IS NULL")
        if self.kinds:
            conditions.append(f"facts.kind IN ({','.join('?' * len(self.kinds))})")
            values.extend(self.kinds)
        for column in ("measure", "role"):
            value = getattr(self, column)
            if value:
                conditions.append(f"facts.{column} = ?")
                values.append(value)
        if self.place_names or self.place_prefixes:
            alternatives = []
            if self.place_names:
                alternatives.append(f"facts.place IN ({','.join('?' * len(self.place_names))})")
                values.extend(self.place_names)
            for prefix in self.place_prefixes:
                alternatives.append("substr(facts.adcode, 1, ?) = ?")
                values.extend((len(prefix), prefix))
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


class FactTable(Connection):
    """Queries over the `facts` table: `/facts`, `jiwen trends --list`."""

    def has_fact_table(self) -> bool:
        return (
            bool(self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'facts'").fetchone())
            and not self._facts_in_rows()
        )

    def _require_fact_table(self) -> None:
        if not self.has_fact_table():
            raise ArchiveError(
                f"archive {self.directory} has no facts table yet (written by an older jiwen); any writer upgrades it, e.g. 'jiwen reindex'"
            )

    def fact_article_ids(self, selection: FactSelection) -> list[str]:
        """The articles that have a figure `selection` takes, in id order."""
        self._require_fact_table()
        where, values = selection.where()
        return [
            row[0]
            for row in self.db.execute(
                f"SELECT DISTINCT facts.article_id FROM facts JOIN articles ON articles.id = facts.article_id WHERE {where} ORDER BY 1",
                values,
            )
        ]

    def select_facts(self, selection: FactSelection, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Rows of `facts` with their article's url, title, published and site; newest first."""
        self._require_fact_table()
        where, values = selection.where()
        page = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
        cursor = self.db.execute(
            f"SELECT {_ROW_COLUMNS} FROM facts JOIN articles ON articles.id = facts.article_id WHERE {where} "
            f"ORDER BY articles.published DESC, facts.article_id, facts.seq{page}",
            values,
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def iter_facts(self, selection: FactSelection, batch: int = 5000) -> Iterator[dict[str, Any]]:
        """Every row `selection` takes, in `select_facts` order, a batch at a time."""
        offset = 0
        while True:
            rows = self.select_facts(selection, limit=batch, offset=offset)
            yield from rows
            if len(rows) < batch:
                return
            offset += batch

    def count_facts(self, selection: FactSelection) -> int:
        self._require_fact_table()
        where, values = selection.where()
        count: int = self.db.execute(
            f"SELECT COUNT(*) FROM facts JOIN articles ON articles.id = facts.article_id WHERE {where}", values
        ).fetchone()[0]
        return count

    def fact_facets(self, selection: FactSelection, *, top: int = 30) -> dict[str, dict[str, int]]:
        """Counts of the selected facts by kind, measure, role, province, site and year, most first."""
        self._require_fact_table()
        where, values = selection.where()
        facets: dict[str, dict[str, int]] = {}
        for name in FACT_FACETS:
            expression = _FACET_SQL[name]
            rows = self.db.execute(
                f"SELECT {expression} AS facet_value, COUNT(*) FROM facts JOIN articles ON articles.id = facts.article_id "
                f"WHERE {where} AND {expression} IS NOT NULL GROUP BY facet_value ORDER BY 2 DESC, 1 LIMIT {int(top)}",
                values,
            )
            facets[name] = {row[0]: row[1] for row in rows}
        return facets

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
                "WHERE facts.measure IS NOT NULL AND articles.relevant = 1 AND articles.duplicate_of IS NULL "
                "GROUP BY facts.measure ORDER BY 2 DESC, 1"
            )
        ]
