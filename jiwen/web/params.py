"""Query parameters of the web pages, checked before anything runs: a bad one is a `BadRequest`
(HTTP 400 with a page that says what is wrong), never a traceback."""

from __future__ import annotations

import re
from datetime import date

from jiwen.core.models import SearchRequest

MAX_QUERY_CHARACTERS = 500
MAX_PAGE = 1000
MAX_LIMIT = 1000
PAGE_SIZE = 20
FACETS = ("province", "place", "program", "site", "month")
ARTICLE_ID = re.compile(r"^[0-9a-f]{16}$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_SHORT_FIELDS = ("place", "program", "site", "measure")


class BadRequest(Exception):
    """A parameter the page cannot use; the message says which and what to write instead."""


def search_request(params, *, default_limit: int = PAGE_SIZE, facets: list[str] | None = None) -> SearchRequest:
    """`q, place, program, site, since, until, sort, page, all` (and, for the API, `limit`, `facet`)."""
    query = params.get("q", "")
    if len(query) > MAX_QUERY_CHARACTERS:
        raise BadRequest(f"the query has {len(query):,} characters; at most {MAX_QUERY_CHARACTERS} are searched")
    sort = params.get("sort") or "relevance"
    if sort not in ("relevance", "date"):
        raise BadRequest(f"sort={sort!r} is not a sort order; use relevance or date")
    chosen_facets = facets if facets is not None else params.getlist("facet")
    unknown = [facet for facet in chosen_facets if facet not in FACETS]
    if unknown:
        raise BadRequest(f"facet={unknown[0]!r} is not a facet; use {', '.join(FACETS)}")
    return SearchRequest(
        query=query,
        place=short_text(params, "place"),
        program=short_text(params, "program"),
        site=short_text(params, "site"),
        since=day_or_month(params, "since"),
        until=day_or_month(params, "until"),
        sort=sort,
        page=whole_number(params, "page", 1, 1, MAX_PAGE),
        limit=whole_number(params, "limit", default_limit, 1, MAX_LIMIT),
        facets=list(dict.fromkeys(chosen_facets)),
        include_offtopic=flag(params, "all"),
    )


def short_text(params, name: str) -> str | None:
    value = (params.get(name) or "").strip()
    if len(value) > 100:
        raise BadRequest(f"{name} has {len(value):,} characters; a name is at most 100")
    return value or None


def whole_number(params, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"-?\d{1,9}", raw.strip()):
        raise BadRequest(f"{name}={raw[:40]!r} is not a whole number; use {low} to {high}")
    value = int(raw)
    if not low <= value <= high:
        raise BadRequest(f"{name}={value} is out of range; use {low} to {high}")
    return value


def day_or_month(params, name: str) -> str | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    match = _DATE.match(raw)
    problem = f"{name}={raw[:40]!r} is not a date; use YYYY-MM-DD, YYYY-MM or YYYY"
    if not match:
        raise BadRequest(problem)
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        raise BadRequest(problem) from None
    return raw


def flag(params, name: str) -> bool:
    return (params.get(name) or "") in ("1", "true", "on", "yes")


def article_id(raw: str) -> str:
    if not ARTICLE_ID.match(raw):
        raise BadRequest(f"{raw[:40]!r} is not an article id (16 hexadecimal characters)")
    return raw


def trend_params(params) -> tuple[str | None, str | None, str, str]:
    from jiwen.library.indicators import DEFAULT_ROLE, ROLE_CHOICES

    by = params.get("by") or "month"
    if by not in ("month", "quarter", "year"):
        raise BadRequest(f"by={by[:40]!r} is not a period; use month, quarter or year")
    role = params.get("role") or DEFAULT_ROLE
    if role not in ROLE_CHOICES:
        raise BadRequest(f"role={role[:40]!r} is not a figure role; use one of {', '.join(ROLE_CHOICES)}")
    return short_text(params, "measure"), short_text(params, "place"), by, role
