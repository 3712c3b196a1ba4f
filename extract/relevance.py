"""Is this article employment news? A keyword score whose terms, weights and threshold are data
(extract/data/relevance.toml), so a user following another beat changes a file, not code."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from jiwen.core.models import Article


@dataclass(frozen=True)
class RelevanceRules:
    terms: dict[str, float]
    threshold: float
    title_factor: float
    cap: int


@lru_cache(maxsize=1)
def load_rules() -> RelevanceRules:
    raw = tomllib.loads(resources.files("jiwen.extract.data").joinpath("relevance.toml").read_text("utf-8"))
    return RelevanceRules(
        terms={term: float(weight) for term, weight in raw["terms"].items()},
        threshold=float(raw["threshold"]),
        title_factor=float(raw["title_factor"]),
        cap=int(raw["cap"]),
    )


def score_relevance(article: Article, rules: RelevanceRules | None = None) -> float:
    rules = rules or load_rules()
    title, body = article.title or "", article.body
    score = 0.0
    for term, weight in rules.terms.items():
        occurrences = min(body.count(term), rules.cap) + rules.title_factor * min(title.count(term), 1)
        score += weight * occurrences
    return score


def is_relevant(article: Article, rules: RelevanceRules | None = None) -> tuple[bool, float]:
    rules = rules or load_rules()
    score = score_relevance(article, rules)
    return score >= rules.threshold, score
