"""What keeping /facts' summaries (jiwen/store/fact_summary.py) costs a writer: `save_article` of
bench/synthetic.py articles (58 figures each) into a fresh store, new and then saved again (what
`jiwen reextract` does), with the summaries kept and with their upkeep switched off in this
process (the store as schema 3 wrote it). Best of ROUNDS, milliseconds an article.

    python bench/fact_summary_cost.py --articles 2000 --rounds 3 [--attributed]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))

import attribution
import synthetic

from jiwen.core.models import Article, FetchedPage, MeasuredFact, fact_kind
from jiwen.extract.facts.sentences import sentence_at
from jiwen.store import Archive, articles


def _prepared(count: int, attributed: bool) -> list[tuple[FetchedPage, Article, bool]]:
    prepared = []
    for article in synthetic.generate_articles(count):
        facts = [msgspec.structs.replace(fact, sentence=sentence_at(article.body, fact.start)) for fact in article.facts]
        if attributed:  # as bench/attribution.py gives an archive's figures (more keys an article)
            facts = [_attributed(article, seq, fact) for seq, fact in enumerate(facts)]
        fields = {name: getattr(article, name) for name in Article.__struct_fields__}
        fields["facts"] = facts
        page = FetchedPage(
            url=article.url, body=article.body.encode(), status=200, site=article.site, fetched_at="2025-01-01T00:00:00+00:00"
        )
        prepared.append((page, Article(**fields), article.relevant))
    return prepared


def _attributed(article, seq: int, fact):
    if not isinstance(fact, MeasuredFact):
        return fact
    measure, role, place, adcode, _province, start, end = attribution.attribution(
        article.url, seq, fact_kind(fact), article.published, article.site
    )
    return msgspec.structs.replace(fact, measure=measure, role=role, place=place, place_adcode=adcode, period_start=start, period_end=end)


def _timed(prepared, folder: Path) -> tuple[float, float]:
    """(ms an article saved new, ms an article saved again), 200 articles a transaction."""
    rng = random.Random(3)
    times = []
    with Archive(folder) as archive:
        for _ in ("new", "again"):
            started = time.perf_counter()
            for first in range(0, len(prepared), 200):
                with archive.transaction():
                    for page, article, relevant in prepared[first : first + 200]:
                        page_id, _ = archive.add_page(page)
                        archive.save_article(
                            page_id, page, article, relevant=relevant, relevance=1.0, fingerprint=rng.getrandbits(64), duplicate_of=None
                        )
            times.append((time.perf_counter() - started) * 1000 / len(prepared))
    return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--attributed", action="store_true", help="figures with bench/attribution.py's measure, place, role, period")
    options = parser.parse_args()
    prepared = _prepared(options.articles, options.attributed)
    kept = (articles.article_figures, articles.update_article_figures)
    off = (lambda db, article_id: None, lambda db, before, after: None)
    results: dict[str, list[tuple[float, float]]] = {"summaries kept": [], "no summaries (schema 3)": []}
    for _ in range(options.rounds):
        for label in results:
            articles.article_figures, articles.update_article_figures = off if label.startswith("no") else kept
            with tempfile.TemporaryDirectory() as folder:
                results[label].append(_timed(prepared, Path(folder)))
    articles.article_figures, articles.update_article_figures = kept
    kind = "attributed " if options.attributed else ""
    print(f"save_article, {options.articles:,} synthetic articles ({kind}figures), best of {options.rounds}: ms an article")
    print(f"  {'':<26} {'new':>8} {'again':>8}")
    for label, times in results.items():
        print(f"  {label:<26} {min(t[0] for t in times):8.2f} {min(t[1] for t in times):8.2f}")


if __name__ == "__main__":
    main()
