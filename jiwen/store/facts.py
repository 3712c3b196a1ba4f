"""The `facts` table: one row per fact of an article (kind, text, offsets, the fact's JSON)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..models import Fact, fact_kind
from .codec import ARTICLE_ENCODER, FACT_DECODER
from .connection import Connection


class Facts(Connection):
    """Replacing an article's facts and reading them back in order."""

    def _replace_facts(self, article_id: str, facts: Sequence[Fact]) -> None:
        """Inside the caller's transaction: the article's fact rows become `facts`."""
        self.db.execute("DELETE FROM facts WHERE article_id = ?", (article_id,))
        self.db.executemany(
            'INSERT INTO facts (article_id, seq, kind, text, start, "end", data) VALUES (?, ?, ?, ?, ?, ?, ?)',
            [
                (article_id, seq, fact_kind(fact), fact.text, fact.start, fact.end, ARTICLE_ENCODER.encode(fact))
                for seq, fact in enumerate(facts)
            ],
        )

    def _facts_of(self, article_ids: Sequence[str]) -> dict[str, list[Fact]]:
        """The facts of these articles (at most a few hundred ids), in their stored order."""
        marks = ",".join("?" * len(article_ids))
        facts_by_article: dict[str, list[Fact]] = {}
        for row in self.db.execute(
            f"SELECT article_id, data FROM facts WHERE article_id IN ({marks}) ORDER BY article_id, seq",
            list(article_ids),
        ):
            facts_by_article.setdefault(row[0], []).append(FACT_DECODER.decode(row[1]))
        return facts_by_article

    # -- figures, for trends ---------------------------------------------------------------
    # The article's fact JSON is stored as a BLOB; CAST keeps SQLite >= 3.45 from reading it as JSONB.
    _MEASURED = (
        "FROM facts JOIN articles ON articles.id = facts.article_id "
        "WHERE facts.kind IN ('count', 'money', 'percent') AND articles.relevant = 1 AND articles.duplicate_of IS NULL"
    )

    def measure_counts(self) -> dict[str, int]:
        """How many figures (count, money, percent facts) of each measure the on-topic,
        not duplicated articles report, most first."""
        rows = self.db.execute(
            f"SELECT json_extract(CAST(facts.data AS TEXT), '$.measure') AS measure, COUNT(*) {self._MEASURED} "
            "AND measure IS NOT NULL GROUP BY measure ORDER BY 2 DESC, 1"
        )
        return {row[0]: row[1] for row in rows}

    def measured_facts(self, measure: str) -> Iterator[tuple[dict, Fact]]:
        """(article fields, fact) for every figure of `measure` in the on-topic, not duplicated
        articles, without reading the articles' bodies: what `jiwen trends` needs."""
        rows = self.db.execute(
            "SELECT articles.id, articles.url, articles.title, articles.published, articles.site, facts.data "
            f"{self._MEASURED} AND json_extract(CAST(facts.data AS TEXT), '$.measure') = ? "
            "ORDER BY facts.article_id, facts.seq",
            (measure,),
        )
        for row in rows:
            yield {"id": row[0], "url": row[1], "title": row[2], "published": row[3], "site": row[4]}, FACT_DECODER.decode(row[5])
