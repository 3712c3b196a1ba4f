"""An archive of articles whose numeric facts carry attribution, built through the store from
tests/fixtures/indicators/articles.toml (fixture data written for jiwen), for the trends,
indicators-export and web tests."""

from __future__ import annotations

import tomllib
from pathlib import Path

from jiwen.core.models import Article, CountFact, FetchedPage, MoneyFact, PercentFact
from jiwen.store import Archive

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "indicators" / "articles.toml"
KINDS = {"count": CountFact, "money": MoneyFact, "percent": PercentFact}


def fixture_articles() -> list[tuple[str | None, Article]]:
    """(site, Article) for every fixture article; offsets found from each fact's text."""
    data = tomllib.loads(FIXTURE.read_text("utf-8"))
    articles = []
    for entry in data["article"]:
        body = entry["body"]
        facts = []
        for fields in entry["facts"]:
            fields = dict(fields)
            kind = KINDS[fields.pop("kind")]
            fields.setdefault("role", "actual")  # the fixture's figures are reported results
            start = body.index(fields["text"])
            sentence_start = max(body.rfind("。", 0, start) + 1, 0)
            sentence_end = body.find("。", start)
            sentence = body[sentence_start : sentence_end + 1 if sentence_end >= 0 else len(body)]
            facts.append(kind(start=start, end=start + len(fields["text"]), sentence=sentence, **fields))
        article = Article(
            url=entry["url"], title=entry["title"], published=entry.get("published"), body=body, facts=facts, encoding="utf-8"
        )
        articles.append((entry.get("site"), article))
    return articles


def add_indicator_articles(archive: Archive) -> list[str]:
    """Store every fixture article (page and article, as the pipeline would); returns their ids."""
    ids = []
    for site, article in fixture_articles():
        page = FetchedPage(
            url=article.url, body=f"<html><body><h1>{article.title}</h1><p>{article.body}</p></body></html>".encode(),
            status=200, fetched_at="2024-05-01T00:00:00+00:00", site=site, content_type="text/html",
        )  # fmt: skip
        page_id, _ = archive.add_page(page)
        article_id, _ = archive.save_article(page_id, page, article, relevant=True, relevance=5.0, fingerprint=None, duplicate_of=None)
        ids.append(article_id)
    return ids
