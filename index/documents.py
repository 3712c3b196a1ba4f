"""An `ArchivedArticle` as a Whoosh document (a dict of field values), and back for hits."""

from __future__ import annotations

import zlib

from jiwen.core.models import ArchivedArticle, PlaceFact, ProgramFact, fact_kind
from jiwen.index.schema import KEYWORD_SEPARATOR


def article_places(article: ArchivedArticle) -> tuple[list[str], list[str]]:
    """Place names the article is about, each with the divisions above it (a county's article
    also counts for its prefecture and province), and the provinces alone. First-seen order.
    Regions (两广, 长三角) are no division: they stay out of the place and province facets."""
    places: dict[str, None] = {}
    provinces: dict[str, None] = {}
    for fact in article.facts:
        if not isinstance(fact, PlaceFact) or fact.level == "region":
            continue
        for name in (fact.name, fact.prefecture, fact.province):
            if name:
                places[name] = None
        province = fact.province or (fact.name if fact.level == "province" else None)
        if province:
            provinces[province] = None
    return list(places), list(provinces)


def date_number(published: str | None) -> int:
    """`2024-03-05T10:00+08:00` -> 20240305; a month alone counts as its first day; 0 if none."""
    if not published or len(published) < 7:
        return 0
    digits = published[:10].replace("-", "")
    if len(digits) == 6:
        digits += "01"
    return int(digits) if digits.isdigit() and len(digits) == 8 else 0


def compress_body(body: str) -> bytes:
    return zlib.compress(body.encode("utf-8"), 6)


def decompress_body(data: bytes | None) -> str:
    return zlib.decompress(data).decode("utf-8") if data else ""


def _keywords(values) -> str:
    return KEYWORD_SEPARATOR.join(value.replace(KEYWORD_SEPARATOR, " ") for value in values)


def article_document(article: ArchivedArticle) -> dict:
    places, provinces = article_places(article)
    programs = list(dict.fromkeys(f.name for f in article.facts if isinstance(f, ProgramFact)))
    kinds = list(dict.fromkeys(fact_kind(fact) for fact in article.facts))
    date = date_number(article.published)
    title = article.title or ""
    document = {
        "id": article.id,
        "title": title,
        "body": article.body,
        "body_zlib": compress_body(article.body),
        "published": article.published,
        "date": date,
        "place": _keywords(places),
        "province": _keywords(provinces),
        "program": _keywords(programs),
        "kinds": _keywords(kinds),
        "facts": len(article.facts),
        "relevant": article.relevant,
    }
    if article.url:
        document["url"] = article.url
    if article.site:
        document["site"] = article.site
    if date:
        document["month"] = f"{date // 10000:04d}-{date // 100 % 100:02d}"
    return document
