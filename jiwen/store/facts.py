"""The `facts` table: one row per fact of an article (kind, text, offsets, the fact's JSON)."""

from __future__ import annotations

from collections.abc import Sequence

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
