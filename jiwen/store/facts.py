"""An article's facts, kept in its own row as one compact blob (schema 2).

Schema 1 kept one row per fact in a `facts` table, each with its text, its sentence and the whole
fact as JSON: at 137 facts an article, each carrying a copy of its sentence, the facts were two
thirds of the archive (27 KB of 43 KB an article). Both the text (`body[start:end]`) and the
sentence are in the body already, so a fact now keeps offsets instead: `sentence_start` and
`sentence_end` into the body, its other fields as they are, and nothing that equals a default or
its own text (a place's `name` is usually its text). An article's facts are one msgpack list,
zstd-compressed, in `articles.facts` (about 2 KB for 137 facts), with a count per kind in
`articles.fact_kinds` for `jiwen stats`. `jiwen trends` finds the articles reporting an
indicator through the facts table's summaries (schema 4: `fact_keys`' m: keys, `fact_counts`);
schemas 2-4 kept a slim `figures` row (article, position, measure) per figure for it, dropped at 5.

Lossless by construction: a text or sentence the body does not hold at those offsets (a fact made
by hand, say) is kept as it is; decoding rebuilds the very same `Fact` (test_store_facts compares
an export before and after the migration byte for byte).

Migration from schema 1 (`migrate_fact_rows`) runs in the caller's transaction: an archive killed
while migrating is left exactly as it was, and the next writer migrates it again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, TypedDict

import msgspec

from jiwen.core.models import Fact, fact_kind
from jiwen.store.codec import ARTICLE_DECODER, COMPRESSOR, DECOMPRESSOR, FACT_DECODER
from jiwen.store.connection import Connection

_ENCODER = msgspec.msgpack.Encoder()
_DEFAULTS: dict[type, dict[str, object]] = {}
MIGRATION_BATCH = 500


def _defaults(kind: type[msgspec.Struct]) -> dict[str, object]:
    found = _DEFAULTS.get(kind)
    if found is None:
        names = kind.__struct_fields__
        defaults = kind.__struct_defaults__
        found = _DEFAULTS[kind] = dict(zip(names[len(names) - len(defaults) :], defaults))
    return found


def compact_fact(body: str, fact: Fact, located: dict[str, int] | None = None) -> dict[str, Any]:
    """The fact as a map without what the body (or the defaults) give back. `located` remembers
    where the article's sentences were found (most facts share their sentence with others)."""
    fields = msgspec.structs.asdict(fact)
    for name, default in _defaults(type(fact)).items():
        if fields[name] == default and type(fields[name]) is type(default):
            del fields[name]
    fields["kind"] = fact_kind(fact)
    text, start, end = fact.text, fact.start, fact.end
    if 0 <= start <= end <= len(body) and body[start:end] == text:
        del fields["text"]
    if fields.get("name") == text:
        del fields["name"]
    sentence = fact.sentence
    if sentence:
        position = located.get(sentence, -1) if located is not None else -1
        if position < 0 or not position <= start < position + len(sentence):
            position = body.find(sentence, max(0, start - len(sentence)))
            if position < 0:
                position = body.find(sentence)
            if located is not None and position >= 0:
                located[sentence] = position
        if position >= 0:
            del fields["sentence"]
            fields["sentence_start"] = position
            fields["sentence_end"] = position + len(sentence)
    return fields


def _full_fact(body: str, fields: dict[str, Any]) -> dict[str, Any]:
    if "text" not in fields:
        fields["text"] = body[fields["start"] : fields["end"]]
    if "sentence_start" in fields:
        fields["sentence"] = body[fields.pop("sentence_start") : fields.pop("sentence_end")]
    if "name" not in fields and fields["kind"] in _NAMED:
        fields["name"] = fields["text"]
    return fields


_NAMED = frozenset({"place", "program", "org", "person"})


def encode_facts(body: str, facts: Sequence[Fact]) -> tuple[bytes | None, str | None]:
    """(the facts blob, their counts by kind as JSON) for an articles row; (None, None) for none."""
    if not facts:
        return None, None
    kinds: dict[str, int] = {}
    for fact in facts:
        kind = fact_kind(fact)
        kinds[kind] = kinds.get(kind, 0) + 1
    located: dict[str, int] = {}
    blob = COMPRESSOR.compress(_ENCODER.encode([compact_fact(body, fact, located) for fact in facts]))
    return blob, json.dumps(kinds, ensure_ascii=False)


def _fact_maps(blob: bytes) -> list[dict[str, Any]]:
    """An articles row's facts blob as its list of compact fact maps."""
    maps: list[dict[str, Any]] = msgspec.msgpack.decode(DECOMPRESSOR.decompress(blob))
    return maps


def decode_facts(body: str, blob: bytes | None) -> list[Fact]:
    if not blob:
        return []
    maps = _fact_maps(blob)
    return msgspec.convert([_full_fact(body, fields) for fields in maps], list[Fact])


def migrate_fact_rows(db: sqlite3.Connection) -> int:
    """Schema 1 -> 2 inside the caller's transaction: every article's fact rows become its facts
    blob, then the `facts` table goes. Returns how many articles were rewritten."""
    db.execute("ALTER TABLE articles ADD COLUMN facts BLOB")
    db.execute("ALTER TABLE articles ADD COLUMN fact_kinds TEXT")
    last_id, rewritten = "", 0
    while True:
        rows = db.execute("SELECT id, data FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last_id, MIGRATION_BATCH)).fetchall()
        if not rows:
            break
        ids = [row[0] for row in rows]
        old = _fact_rows(db, ids)
        updates = []
        for article_id, data in rows:
            facts = old.get(article_id)
            if facts:
                updates.append((*encode_facts(ARTICLE_DECODER.decode(data).body, facts), article_id))
        db.executemany("UPDATE articles SET facts = ?, fact_kinds = ? WHERE id = ?", updates)
        rewritten += len(updates)
        last_id = ids[-1]
    db.execute("DROP TABLE facts")
    return rewritten


def drop_figures(db: sqlite3.Connection) -> None:
    """Schema 4 -> 5 inside the caller's transaction: the `figures` table of schemas 2-4 (a row
    per figure with a measure, for `jiwen trends`) goes. The facts table (schema 3) has the
    measure of every figure and its summaries (schema 4) count them by measure (fact_counts) and
    list the articles that have each (fact_keys' m: keys): at 1,000,000 articles with 58
    attributed figures each, it was 2.4 KB an article, a tenth of the store."""
    db.execute("DROP INDEX IF EXISTS figures_measure")
    db.execute("DROP TABLE IF EXISTS figures")


def _fact_rows(db: sqlite3.Connection, article_ids: Sequence[str]) -> dict[str, list[Fact]]:
    """Schema 1's fact rows of these articles, in their stored order."""
    marks = ",".join("?" * len(article_ids))
    found: dict[str, list[Fact]] = {}
    for article_id, data in db.execute(
        f"SELECT article_id, data FROM facts WHERE article_id IN ({marks}) ORDER BY article_id, seq",
        list(article_ids),
    ):
        found.setdefault(article_id, []).append(FACT_DECODER.decode(data))
    return found


class Facts(Connection):
    """Reading an article's facts back, in either layout (`Connection._facts_in_rows`)."""

    def _facts_of_row(self, row: sqlite3.Row, body: str, old_rows: dict[str, list[Fact]] | None) -> list[Fact]:
        if old_rows is not None:
            return old_rows.get(row["id"], [])
        return decode_facts(body, row["facts"])

    def _old_facts_of(self, article_ids: Sequence[str]) -> dict[str, list[Fact]] | None:
        return _fact_rows(self.db, article_ids) if self._facts_in_rows() else None

    # -- figures, for trends ---------------------------------------------------------------
    _ON_TOPIC = "articles.relevant = 1 AND articles.duplicate_of IS NULL"

    def _figures_in(self) -> str:
        """Where the figures of a measure are found in this archive (a reader may open one that
        no writer has upgraded): "summaries" (schema 4 on: fact_counts and fact_keys),
        "figures" (schemas 2 and 3: the figures table), "rows" (schema 1: facts as JSON rows)."""
        if self._facts_in_rows():
            return "rows"
        found = self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fact_keys'").fetchone()
        return "summaries" if found else "figures"

    def measure_counts(self) -> dict[str, int]:
        """How many figures (count, money, percent facts) of each measure the on-topic,
        not duplicated articles report, most first (ties: in Unicode order)."""
        layout = self._figures_in()
        if layout == "summaries":  # fact_counts holds them: no figure is read
            rows = self.db.execute(
                "SELECT measure, SUM(figures) FROM fact_counts WHERE on_topic = 1 AND measure != '' "
                "GROUP BY measure HAVING SUM(figures) > 0 ORDER BY 2 DESC, 1"
            )
        elif layout == "figures":
            rows = self.db.execute(
                "SELECT figures.measure, COUNT(*) FROM figures JOIN articles ON articles.id = figures.article_id "
                f"WHERE {self._ON_TOPIC} GROUP BY figures.measure ORDER BY 2 DESC, 1"
            )
        else:
            rows = self.db.execute(
                "SELECT json_extract(CAST(facts.data AS TEXT), '$.measure') AS measure, COUNT(*) "
                f"FROM facts JOIN articles ON articles.id = facts.article_id WHERE {self._ON_TOPIC} "
                "AND measure IS NOT NULL GROUP BY measure ORDER BY 2 DESC, 1"
            )
        return {row[0]: row[1] for row in rows}

    def has_measure(self, measure: str) -> bool:
        """Whether any article reports a figure of `measure` (one look-up in an index, where
        `measure_counts` counts them all)."""
        layout = self._figures_in()
        if layout == "summaries":
            found = self.db.execute("SELECT 1 FROM fact_keys WHERE key = ? LIMIT 1", (f"m:{measure}",)).fetchone()
        elif layout == "figures":
            found = self.db.execute("SELECT 1 FROM figures WHERE measure = ? LIMIT 1", (measure,)).fetchone()
        else:
            return measure in self.measure_counts()
        return found is not None

    def measured_facts(self, measure: str) -> Iterator[tuple[ArticleHead, Fact]]:
        """(article fields, fact) for every figure of `measure` in the on-topic, not duplicated
        articles, in article and fact order: what `jiwen trends` needs. Only the articles that
        report the measure are read (their body gives the facts' texts and sentences back)."""
        layout = self._figures_in()
        if layout == "rows":
            rows = self.db.execute(
                "SELECT articles.id, articles.url, articles.title, articles.published, articles.site, facts.data "
                f"FROM facts JOIN articles ON articles.id = facts.article_id WHERE {self._ON_TOPIC} "
                "AND json_extract(CAST(facts.data AS TEXT), '$.measure') = ? ORDER BY facts.article_id, facts.seq",
                (measure,),
            )
            for row in rows:
                yield _head(row), FACT_DECODER.decode(row[5])
            return
        if layout == "summaries":  # the articles with a figure of the measure: its key in fact_keys
            rows = self.db.execute(
                "SELECT articles.id, articles.url, articles.title, articles.published, articles.site, "
                "articles.data, articles.facts FROM fact_keys JOIN articles ON articles.id = fact_keys.article_id "
                f"WHERE fact_keys.key = ? AND {self._ON_TOPIC} ORDER BY articles.id",
                (f"m:{measure}",),
            )
        else:
            rows = self.db.execute(
                "SELECT articles.id, articles.url, articles.title, articles.published, articles.site, "
                "articles.data, articles.facts FROM articles WHERE articles.id IN "
                f"(SELECT article_id FROM figures WHERE measure = ?) AND {self._ON_TOPIC} ORDER BY articles.id",
                (measure,),
            )
        for row in rows:
            body = ARTICLE_DECODER.decode(row[5]).body
            head = _head(row)
            for fields in _fact_maps(row[6]):
                if fields.get("measure") == measure:
                    yield head, msgspec.convert(_full_fact(body, fields), Fact)


class ArticleHead(TypedDict):
    """The fields of an article that a figure is listed with (`Facts.measured_facts`)."""

    id: str
    url: str | None
    title: str | None
    published: str | None
    site: str | None


def _head(row: sqlite3.Row) -> ArticleHead:
    return {"id": row[0], "url": row[1], "title": row[2], "published": row[3], "site": row[4]}
