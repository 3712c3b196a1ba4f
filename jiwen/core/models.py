"""The one data model every stage shares: fetched pages, articles and facts.

The crawler's items carry a `FetchedPage`, `jiwen.extract` turns its bytes into an `Article`
with `Fact`s, the store keeps both (the article as this model's JSON), the index builds its
documents from an `Article`, and export writes the same JSON. The export JSON Schema is derived
from these classes (`jiwen.core.schema`), never written by hand.

msgspec Structs rather than dataclasses: facts are a tagged union on `kind` (so each kind carries
exactly its own fields in the flat JSON the contract asks for), and encoding 100,000 articles for
an export is several times faster than with the stdlib json module.
"""

from __future__ import annotations

from typing import Literal, Union

import msgspec

Qualifier = Literal["exact", "about", "more_than", "at_least", "under"]
PlaceLevel = Literal["province", "prefecture", "county", "township", "region", "foreign"]
# What kind of figure a count, money or percent is (the facts dev set's conventions.role): a reported
# result or current level; a plan, goal or forecast; money arranged or budgeted but not reported paid;
# a per-unit rate, norm or cap; a difference or growth; anything else.
FigureRole = Literal["actual", "target", "allocation", "standard", "change", "other"]
FIGURE_ROLES: tuple[str, ...] = ("actual", "target", "allocation", "standard", "change", "other")
DateGranularity = Literal["day", "month", "season", "year", "relative", "recurring"]


class FactBase(msgspec.Struct, kw_only=True, tag_field="kind"):
    """What every fact has: where it stands in the exported body (body[start:end] == text)."""

    text: str
    start: int
    end: int
    sentence: str = ""


class MeasuredFact(FactBase, kw_only=True):
    """A figure (count, money, percent) with its attribution: what it counts, where and when.

    The attribution contract (README "Facts"): `subject` is what is counted as the text says it
    (农村劳动力, 省外输出); `measure` a normalized indicator name from extract's indicator data file
    (农村劳动力转移就业人数 …) or null; `place` the canonical name of the administrative area the
    figure is about, "全国" for national figures, or null, with its `place_adcode`;
    `period_start`/`period_end` the time the figure covers as YYYY-MM-DD, or null; `role` what
    kind of figure it is (`FigureRole`), null only for facts made before roles existed.
    """

    value: int | float
    qualifier: Qualifier = "exact"
    value_end: int | float | None = None  # for ranges such as 3至5万人
    subject: str | None = None
    measure: str | None = None
    place: str | None = None
    place_adcode: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    role: FigureRole | None = None


class CountFact(MeasuredFact, tag="count"):
    unit: str


class MoneyFact(MeasuredFact, tag="money"):
    # `value` is in yuan (or in `currency`)
    currency: str = "CNY"


class PercentFact(MeasuredFact, tag="percent"):
    pass


class PlaceFact(FactBase, tag="place"):
    name: str  # canonical full name, e.g. 黔东南苗族侗族自治州
    level: PlaceLevel
    adcode: str | None = None
    province: str | None = None
    prefecture: str | None = None  # for a county: the prefecture that holds it


class ProgramFact(FactBase, tag="program"):
    name: str


class DateFact(FactBase, tag="date"):
    date: str | None  # YYYY-MM-DD, YYYY-MM or YYYY; null when relative and unresolved
    granularity: DateGranularity
    date_end: str | None = None


class OrgFact(FactBase, tag="org"):
    name: str


class PersonFact(FactBase, tag="person"):
    name: str
    role: str | None = None


Fact = Union[CountFact, MoneyFact, PercentFact, PlaceFact, ProgramFact, DateFact, OrgFact, PersonFact]  # noqa: UP007 - a runtime alias msgspec reads
FACT_KINDS: tuple[str, ...] = ("count", "money", "percent", "place", "program", "date", "org", "person")


def fact_kind(fact: Fact) -> str:
    """The `kind` of a fact: msgspec keeps a tagged union's tag on the class, not the instance."""
    return str(type(fact).__struct_config__.tag)


class Discarded(msgspec.Struct, kw_only=True):
    """Text the extractor saw on the page and left out of the body, and why."""

    text: str
    reason: str  # e.g. "sidebar", "navigation", "footer", "credit", "comment"


class Article(msgspec.Struct, kw_only=True):
    """A clean article. `body` is the normalized text (simplified, half-width digits,
    paragraphs joined by "\\n"); every fact's offsets point into it."""

    url: str | None = None
    title: str | None = None
    published: str | None = None  # ISO 8601: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]+08:00
    author: str | None = None
    source: str | None = None
    body: str = ""
    facts: list[Fact] = []
    subtitle: str | None = None
    site_name: str | None = None
    keywords: list[str] = []
    encoding: str | None = None  # the encoding the text was decoded with
    warnings: list[str] = []  # e.g. doubtful decoding, damaged runs that could not be repaired
    discarded: list[Discarded] = []
    # From a 政府信息公开 page's metadata table: 文号 (人社部发〔2023〕12号) and 发布机构.
    doc_number: str | None = None
    issuer: str | None = None


class FetchedPage(msgspec.Struct, kw_only=True):
    """A page exactly as fetched (or read from disk): the unit the archive keeps forever."""

    url: str
    body: bytes
    final_url: str | None = None
    status: int | None = None
    fetched_at: str = ""  # ISO 8601 UTC
    headers: dict[str, str] = {}  # only the ones that matter: content-type, etag, last-modified...
    site: str | None = None
    content_type: str | None = None


class ArchivedArticle(Article, kw_only=True):
    """An article as export writes it: the `jiwen extract` shape plus archive bookkeeping."""

    id: str = ""
    site: str | None = None
    fetched_at: str | None = None
    relevant: bool = True
    duplicate_of: str | None = None
    duplicates: list[str] = []


class SearchRequest(msgspec.Struct, kw_only=True):
    """One search, shared by `jiwen search` and the filters of `jiwen export`."""

    query: str = ""
    place: str | None = None  # hierarchical: a province also matches its counties
    program: str | None = None
    site: str | None = None
    since: str | None = None  # YYYY-MM-DD or YYYY-MM (inclusive)
    until: str | None = None
    kinds: list[str] = []  # fact kinds the article must contain
    sort: Literal["relevance", "date"] = "relevance"
    limit: int = 10
    page: int = 1
    facets: list[str] = []  # of place, province, program, site, month
    include_offtopic: bool = False


class SearchHit(msgspec.Struct, kw_only=True):
    id: str
    url: str | None
    title: str | None
    published: str | None
    score: float
    snippet: str  # the passage with the query's words in marks (【】), for a terminal
    site: str | None = None
    text: str = ""  # the same passage without marks
    highlights: list[list[int]] = []  # [start, end) of each marked word in `text`


class SearchResponse(msgspec.Struct, kw_only=True):
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = {}  # facet -> value -> count, most frequent first


class IndicatorRow(msgspec.Struct, kw_only=True):
    """One numeric fact (count, money, percent) as a row of the tidy indicators table
    (`jiwen export --format indicators-csv|indicators-jsonl`): the figure with its attribution and
    the article it comes from, so a data frame or a spreadsheet needs nothing else.

    `unit` is the count's unit, "元" for money in yuan (else the currency code), "%" for percents;
    `province` is the province of `place_adcode` (null for "全国", foreign or unattributed places)."""

    measure: str | None
    subject: str | None
    place: str | None
    place_adcode: str | None
    province: str | None
    period_start: str | None
    period_end: str | None
    role: FigureRole | None
    value: int | float
    value_end: int | float | None
    unit: str
    qualifier: Qualifier
    kind: Literal["count", "money", "percent"]
    # The same figure reported by several articles: rows with one (measure, place, period, role,
    # value, unit) share this key (`jiwen.library.indicators.observation_key`).
    observation: str
    text: str
    sentence: str
    article_id: str
    url: str | None
    title: str | None
    published: str | None
    site: str | None


TrendPeriod = Literal["month", "quarter", "year"]


class TrendPoint(msgspec.Struct, kw_only=True):
    """The figure an indicator had for one place in one period: the latest one reported (see
    `jiwen.library.trends`), with the report it comes from and how many reports the period had."""

    period: str  # 2024-03, 2024-Q1 or 2024
    place: str | None
    place_adcode: str | None
    value: int | float
    unit: str
    qualifier: Qualifier
    reports: int  # numeric facts of this measure, place and period (the point is one of them)
    period_end: str | None
    published: str | None
    article_id: str
    url: str | None
    sentence: str
    role: FigureRole | None = None
    # Every article that reported this very figure (same period and value): one observation.
    sources: list[str] = []
    # Other values reported for the same measure, place, role and period (start and end): a conflict.
    conflicting_values: list[int | float] = []


class TrendSeries(msgspec.Struct, kw_only=True):
    """`jiwen trends --json` and `/api/trends`: one indicator over time, a point per place and period."""

    measure: str
    place: str | None  # the --place filter as asked (hierarchical), or null
    by: TrendPeriod
    dated_by: str  # how a figure is put in a period: "period_end, else published"
    points: list[TrendPoint]
    role: FigureRole | Literal["any"] = "actual"  # the figures compared: results unless asked
    undated: int = 0  # figures of this measure with neither a period end nor a publication date
