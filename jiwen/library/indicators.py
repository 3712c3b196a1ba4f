"""Indicators: every numeric fact (count, money, percent) of the archive as one tidy row.

`indicator_rows(articles)` turns the articles an export selects (`jiwen.library.export.select_articles`,
the same filters as search) into `IndicatorRow`s, streamed; `jiwen export --format
indicators-csv|indicators-jsonl` writes them and `jiwen.library.trends` builds its series from them.

Places are matched the way search matches them: hierarchically. `PlaceScope("贵州省")` takes a
figure about 贵州省 itself and one about 从江县 (a county inside it), by the administrative codes of
China's divisions (a province 52xxxx holds its prefectures 5226xx and their counties 522633), read
from extract's gazetteer so short forms such as 贵州 or 黔东南 work too.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Literal

from jiwen.core.models import FIGURE_ROLES, ArchivedArticle, CountFact, Fact, IndicatorRow, MoneyFact, PercentFact

if TYPE_CHECKING:
    from jiwen.store.facts import ArticleHead
    from jiwen.text.gazetteer import Place

MEASURED_KINDS = ("count", "money", "percent")
# `--role` takes one of the figure roles, or "any" for every figure whatever its role.
ROLE_CHOICES = (*FIGURE_ROLES, "any")
DEFAULT_ROLE = "actual"

INDICATOR_COLUMNS = tuple(IndicatorRow.__struct_fields__)


def indicator_rows(articles: Iterable[ArchivedArticle]) -> Iterator[IndicatorRow]:
    """One row per numeric fact of each article, in the article's fact order."""
    for article in articles:
        head: ArticleHead = {
            "id": article.id,
            "url": article.url,
            "title": article.title,
            "published": article.published,
            "site": article.site,
        }
        for fact in article.facts:
            row = indicator_row(head, fact)
            if row is not None:
                yield row


def indicator_row(article: ArticleHead, fact: Fact) -> IndicatorRow | None:
    """The row of one fact of `article` (its id, url, title, published, site), or None when the
    fact is not a figure."""
    kind: Literal["count", "money", "percent"]
    if isinstance(fact, CountFact):
        kind, unit = "count", fact.unit
    elif isinstance(fact, MoneyFact):
        kind, unit = "money", "元" if fact.currency == "CNY" else fact.currency
    elif isinstance(fact, PercentFact):
        kind, unit = "percent", "%"
    else:
        return None
    adcode = fact.place_adcode
    key = observation_key(fact.measure, fact.place, fact.period_start, fact.period_end, fact.role, fact.value, unit)
    return IndicatorRow(
        measure=fact.measure,
        subject=fact.subject,
        place=fact.place,
        place_adcode=adcode,
        province=_province_by_prefix().get(adcode[:2]) if adcode and len(adcode) == 6 else None,
        period_start=fact.period_start,
        period_end=fact.period_end,
        role=fact.role,
        value=fact.value,
        value_end=fact.value_end,
        unit=unit,
        qualifier=fact.qualifier,
        kind=kind,
        text=fact.text,
        sentence=fact.sentence,
        article_id=article["id"],
        url=article["url"],
        title=article["title"],
        published=article["published"],
        site=article["site"],
        observation=key,
    )


def observation_key(
    measure: str | None,
    place: str | None,
    period_start: str | None,
    period_end: str | None,
    role: str | None,
    value: float | None,
    unit: str | None,
) -> str:
    """A short stable key of one figure as reported: the same measure, place, period, role, value
    and unit in several articles is one observation (16 hex digits of a SHA-256)."""
    text = "\x1f".join("" if part is None else str(part) for part in (measure, place, period_start, period_end, role, value, unit))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def role_matches(row: IndicatorRow, role: str | None) -> bool:
    """Whether `row` is a figure of `role` ("any" or None: every figure)."""
    return role in (None, "any") or row.role == role


class PlaceScope:
    """Which figures a `--place` names: the place itself and, for a Chinese division, every place
    inside it (by administrative code prefix); names outside the gazetteer ("全国", a foreign
    country) match exactly."""

    def __init__(self, name: str) -> None:
        self.name = name.strip()
        self.names = {self.name}
        self.prefixes: set[str] = set()
        for place in _gazetteer_forms().get(self.name, ()):
            self.names.add(place.name)
            if place.adcode:
                self.prefixes.add(_adcode_prefix(place.adcode))

    def __contains__(self, row: IndicatorRow) -> bool:
        if row.place in self.names:
            return True
        adcode = row.place_adcode
        return adcode is not None and any(adcode.startswith(prefix) for prefix in self.prefixes)


def division_of(name: str) -> Place | None:
    """The Chinese administrative division a canonical name (or a short form) names, with its
    level, province and prefecture (extract's gazetteer `Place`), or None."""
    for place in _gazetteer_forms().get(name.strip(), ()):
        if place.adcode:
            return place
    return None


def _adcode_prefix(adcode: str) -> str:
    """520000 -> 52, 522600 -> 5226, 522633 -> 522633: the digits every place inside shares."""
    if adcode.endswith("0000"):
        return adcode[:2]
    if adcode.endswith("00"):
        return adcode[:4]
    return adcode


@functools.cache
def _gazetteer_forms() -> dict[str, list[Place]]:
    from jiwen.text.gazetteer import gazetteer

    return gazetteer().by_form


@functools.cache
def _province_by_prefix() -> dict[str, str]:
    from jiwen.text.gazetteer import gazetteer

    return {place.adcode[:2]: name for name, place in gazetteer().provinces.items() if place.adcode}
