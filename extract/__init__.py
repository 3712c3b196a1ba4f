"""Page -> article -> facts. Pure functions: bytes or text in, `jiwen.models` out; no store, no
network, no global state beyond dictionaries loaded once."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from jiwen.models import Article

if TYPE_CHECKING:
    from .article import extract_article
    from .article.overrides import ExtractionOverrides
    from .facts import extract_facts


def __getattr__(name: str):
    # Imported on first use (PEP 562): `jiwen search` needs only the segmenter in facts/nlp.py,
    # and importing this package must not load the page extractor (lxml, OpenCC) for it.
    if name == "extract_article":
        from .article import extract_article

        return extract_article
    if name == "extract_facts":
        from .facts import extract_facts

        return extract_facts
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    from .article import extract_article
    from .facts import extract_facts

    article = extract_article(data, url=url, content_type=content_type, fetched_at=fetched_at, overrides=overrides)
    article.facts = extract_facts(article, province=overrides.province if overrides else None)
    return article


__all__ = ["ExtractionOverrides", "extract_article", "extract_facts", "process_page"]
