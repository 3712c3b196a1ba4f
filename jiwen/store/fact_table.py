"""The `facts` table (schema 3): one plain row per figure, for sqlite3, Datasette and `/facts`.

The articles row keeps all its facts as a compact blob (facts.py): that is what export, search
and the article page decode. The blob is opaque to SQL, so the promise "open the archive with
sqlite3 or Datasette" showed no figure. This table holds the figures (count, money and percent
facts) as plain columns — kind, text, value, unit, qualifier, subject, measure, role, place,
adcode, province, period_start, period_end and where the figure stands in its article's body
(start, end) — written in the article's transaction, so it never disagrees with the blob.
`seq` is the fact's position among all the article's facts (the article page's anchor #f<seq>).
Reading it back: fact_queries.py; the counts and keys kept beside it: fact_summary.py.

Only figures, and no sentence: places, dates, programmes, organisations and people are 58 % of
the facts, and with them the table made the store 79 % larger (13.1 -> 23.5 KB an article on
bench/synthetic.py's articles); figures alone add 29 %. `unit` is the count's unit, "元" for money
in yuan (else the currency), "%" for percents; `province` is the province of `adcode`; `value` is
NUMERIC, so whole numbers are stored as integers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from jiwen.core.models import CountFact, Fact, MeasuredFact, MoneyFact, fact_kind
from jiwen.store.connection import FACT_TABLE_SCHEMA

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
