"""What `/facts` reads instead of the facts table (schema 4): counts of the figures by the page's
filters, and which articles hold the figures of a measure, a place or a period.

Why: the page, its total and its six facet counts were each a scan of the facts table joined to
articles — 5.2 s at 10,000 articles, about ten times that at 100,000. The facts table is kept
(it is what SQL users read); beside it the store keeps, in the same transaction as the facts rows
they count (insert, re-extraction, an article turning duplicate or off-topic):

- `fact_counts`: how many figures per (on-topic, kind, measure, role, region, year, site), where
  `region` is the figure's province code (52) or, for a figure without a code, its place's name
  (全国), and `year` that of its period end, else of its article's date. Its size is bounded by
  the product of those few values, not by the size of the archive (128,515 rows at 100,000
  articles whose figures carry bench/attribution.py's attribution). Every facet and total whose
  filter names no month and no place smaller than a province is a sum over it (fact_cube.py
  holds it in memory for that).
- `fact_keys`: (key, published, article id) for each measure (m:城镇新增就业人数), code prefix
  (a:52, a:5226, a:522633), place without a code (n:全国) and period (d:2024, d:2024-03) an
  article's figures have, in the page's order. A page filtered by one of them walks the articles
  that have it, newest first, instead of every article; the counts of a month, a prefecture or
  a county are read from the figures of the articles that hold it.

Counts by month and by prefecture were kept too at first (`fact_counts_monthly`): at 100,000
articles it had 1.5 million rows, one per four figures, and with the indexes that made it fast
weighed 337 MB, two fifths of the facts table, for the two filters that the articles' keys
narrow to a hundredth of the archive anyway.

One scan of the facts table fills each of them (`build_fact_summary`, the upgrade 3 -> 4, which
also rebuilds them when run again). The same SELECTs, narrowed to one article, read its share
before and after the store rewrites it, and only the difference is written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from jiwen.store.connection import FACT_SUMMARY_SCHEMA

ON_TOPIC = "(articles.relevant = 1 AND articles.duplicate_of IS NULL)"
PERIOD = "COALESCE(facts.period_end, articles.published)"
_FROM = "facts JOIN articles ON articles.id = facts.article_id"

# (column of fact_counts, the SQL that computes it from a facts row and its article), in the
# table's order; the count (figures) comes last. `province` depends on the code: not in the key.
_COUNT_COLUMNS = (
    ("on_topic", ON_TOPIC),
    ("kind", "facts.kind"),
    ("measure", "COALESCE(facts.measure, '')"),
    ("role", "COALESCE(facts.role, '')"),
    ("region", "CASE WHEN facts.adcode IS NOT NULL THEN substr(facts.adcode, 1, 2) ELSE COALESCE(facts.place, '') END"),
    ("province", "COALESCE(facts.province, '')"),
    ("year", f"COALESCE(substr({PERIOD}, 1, 4), '')"),
    ("site", "COALESCE(articles.site, '')"),
)
_COUNT_NAMES = [name for name, _ in _COUNT_COLUMNS]
_PROVINCE = _COUNT_NAMES.index("province")

# The keys of `fact_keys` one figure gives (NULL: none): its measure; its code's province,
# prefecture and county prefixes (as a place filter names them: 52, 5226, 522633); the name of a
# place without a code; the month and the year of its period.
_KEY_PARTS = (
    "'m:' || facts.measure",
    "'a:' || substr(facts.adcode, 1, 2)",
    "CASE WHEN substr(facts.adcode, 3, 2) != '00' THEN 'a:' || substr(facts.adcode, 1, 4) END",
    "CASE WHEN substr(facts.adcode, 5, 2) != '00' THEN 'a:' || facts.adcode END",
    "CASE WHEN facts.adcode IS NULL THEN 'n:' || facts.place END",
    f"'d:' || substr({PERIOD}, 1, 7)",
    f"'d:' || substr({PERIOD}, 1, 4)",
)
_KEYS_SELECT = (
    "SELECT DISTINCT CASE parts.column1 "
    + " ".join(f"WHEN {number} THEN {part}" for number, part in enumerate(_KEY_PARTS))
    + f" END AS key, COALESCE(articles.published, '') AS published, facts.article_id FROM {_FROM} "
    + f"JOIN (VALUES {', '.join(f'({number})' for number in range(len(_KEY_PARTS)))}) AS parts "
    + "WHERE {where} AND key IS NOT NULL"
)


def _count_select(where: str) -> str:
    """fact_counts' rows (each key with its province and count) of the figures `where` takes."""
    expressions = [f"MAX({sql})" if name == "province" else sql for name, sql in _COUNT_COLUMNS]
    group = ", ".join(str(position) for position, name in enumerate(_COUNT_NAMES, 1) if name != "province")
    return f"SELECT {', '.join(expressions)}, COUNT(*) FROM {_FROM} WHERE {where} GROUP BY {group}"


def build_fact_summary(db: sqlite3.Connection) -> int:
    """Schema 3 -> 4 inside the caller's transaction: the summaries, filled from the facts table
    in one scan each (run again, they are rebuilt: the upgrade is idempotent). Returns how many
    figures they count."""
    for statement in FACT_SUMMARY_SCHEMA.split(";"):  # not executescript: it would commit
        if statement.strip():
            db.execute(statement)
    db.execute("DELETE FROM fact_counts")
    db.execute("DELETE FROM fact_keys")
    db.execute(f"INSERT INTO fact_counts ({', '.join(_COUNT_NAMES)}, figures) {_count_select('1')}")
    # Sorted first: the keys then go into the table's B-tree in order, not at random places.
    db.execute(f"INSERT OR IGNORE INTO fact_keys {_KEYS_SELECT.format(where='1')} ORDER BY 1, 2 DESC, 3")
    _counts_changed(db)
    figures: int = db.execute("SELECT COALESCE(SUM(figures), 0) FROM fact_counts").fetchone()[0]
    return figures


def _counts_changed(db: sqlite3.Connection) -> None:
    """A new fact_counts_version in meta (see fact_cube.py), in the caller's transaction."""
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('fact_counts_version', '1') "
        "ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
    )


CountKey = tuple[object, ...]  # fact_counts' key columns but province, in _COUNT_NAMES' order
KeyRow = tuple[str, str, str]  # a fact_keys row: key, published, article_id


@dataclass(frozen=True)
class ArticleFigures:
    """What one article adds to the summaries: its counts by fact_counts' key (with their
    province) and its fact_keys rows."""

    counts: dict[CountKey, tuple[str, int]]
    keys: set[KeyRow]


def article_figures(db: sqlite3.Connection, article_id: str) -> ArticleFigures:
    """The article's share of the summaries, read from its facts rows and its articles row as
    they are now (the same SQL as the upgrade's, narrowed to one article)."""
    counts: dict[CountKey, tuple[str, int]] = {}
    for *row, count in db.execute(_count_select("facts.article_id = ?"), (article_id,)):
        counts[tuple(value for position, value in enumerate(row) if position != _PROVINCE)] = (row[_PROVINCE], count)
    keys = {tuple(row) for row in db.execute(_KEYS_SELECT.format(where="facts.article_id = ?"), (article_id,))}
    return ArticleFigures(counts, keys)


def update_article_figures(db: sqlite3.Connection, before: ArticleFigures | None, after: ArticleFigures) -> None:
    """Inside the caller's transaction: the summaries go from counting the article as `before`
    (None: not at all) to counting it as `after`. Only what differs is written: an article
    extracted again to the same figures (most of `jiwen reextract`) writes nothing."""
    before = before or ArticleFigures({}, set())
    changes: list[tuple[object, ...]] = []
    shrank = False
    for key in before.counts.keys() | after.counts.keys():
        province, count = after.counts.get(key) or before.counts[key]
        delta = (after.counts[key][1] if key in after.counts else 0) - (before.counts[key][1] if key in before.counts else 0)
        if delta:
            row = list(key)
            row.insert(_PROVINCE, province)
            changes.append((*row, delta))
            shrank = shrank or delta < 0
    if changes:
        db.executemany(
            f"INSERT INTO fact_counts ({', '.join(_COUNT_NAMES)}, figures) VALUES ({', '.join('?' * (len(_COUNT_NAMES) + 1))}) "
            f"ON CONFLICT ({', '.join(name for name in _COUNT_NAMES if name != 'province')}) "
            "DO UPDATE SET figures = figures + excluded.figures",
            changes,
        )
        if shrank:
            db.execute("DELETE FROM fact_counts WHERE figures = 0")  # through the partial index: only those
    gone, new = before.keys - after.keys, after.keys - before.keys
    db.executemany("DELETE FROM fact_keys WHERE key = ? AND published = ? AND article_id = ?", sorted(gone))
    db.executemany("INSERT OR IGNORE INTO fact_keys (key, published, article_id) VALUES (?, ?, ?)", sorted(new))
    if changes or gone or new:
        _counts_changed(db)


def place_keys(names: Sequence[str], prefixes: Sequence[str]) -> list[str]:
    """The `fact_keys` keys of a place filter: every figure it takes has one of them."""
    return [f"a:{prefix}" for prefix in prefixes] + [f"n:{name}" for name in names]
