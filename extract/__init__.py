"""Page -> article -> facts. Pure functions: bytes or text in, `jiwen.core.models` out; no store, no
network, no global state beyond dictionaries loaded once."""

from __future__ import annotations

from datetime import datetime

from jiwen.core.models import Article
from jiwen.extract.article import extract_article
from jiwen.extract.article.overrides import ExtractionOverrides
from jiwen.extract.facts import extract_facts


def process_page(
    data: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    fetched_at: datetime | None = None,
    overrides: ExtractionOverrides | None = None,
) -> Article:
    """The whole extraction stage: the article with its facts. `overrides`: the page's site's
    `[site.extract]` settings from sites.toml (XPaths, the publisher's province), if it has any."""
    article = extract_article(data, url=url, content_type=content_type, fetched_at=fetched_at, overrides=overrides)
    article.facts = extract_facts(article, province=overrides.province if overrides else None)
    return article


__all__ = ["ExtractionOverrides", "extract_article", "extract_facts", "process_page"]
