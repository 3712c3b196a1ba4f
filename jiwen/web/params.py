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
FACT_FILTERS = ("kind", "measure", "role", "place", "mentioning", "period", "site")
ARTICLE_ID = re.compile(r"^[0-9a-f]{16}$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_SHORT_FIELDS = ("place", "program", "site", "measure")


class BadRequest(Exception):
    """Parameters the page cannot use: `problems` is {parameter: what is wrong and what to write
    instead}, every bad parameter of the request, not only the first."""

    def __init__(self, problems: str | dict[str, str]) -> None:
        self.problems = problems if isinstance(problems, dict) else {"": problems}
        super().__init__("; ".join(self.problems.values()))


class Checked:
    """Parses parameters one by one and keeps every problem, so one 400 names them all."""

    def __init__(self) -> None:
        self.problems: dict[str, str] = {}

    def take(self, name: str, parse, *args, default=None):
        try:
            return parse(*args)
        except BadRequest as error:
            self.problems[name] = str(error)
            return default

    def done(self) -> None:
        if self.problems:
            raise BadRequest(self.problems)


def _query_text(params) -> str:
    query = params.get("q", "")
    if len(query) > MAX_QUERY_CHARACTERS:
        raise BadRequest(f"the query has {len(query):,} characters; at most {MAX_QUERY_CHARACTERS} are searched")
    return query


def _sort(params) -> str:
    sort = params.get("sort") or "relevance"
    if sort not in ("relevance", "date"):
        raise BadRequest(f"sort={sort[:40]!r} is not a sort order; use relevance or date")
    return sort


def _facets(chosen: list[str]) -> list[str]:
    unknown = [facet for facet in chosen if facet not in FACETS]
    if unknown:
        raise BadRequest(f"facet={unknown[0][:40]!r} is not a facet; use {', '.join(FACETS)}")
    return list(dict.fromkeys(chosen))


def search_request(params, *, default_limit: int = PAGE_SIZE, facets: list[str] | None = None) -> SearchRequest:
    """`q, place, program, site, since, until, sort, page, all` (and, for the API, `limit`, `facet`)."""
    checked = Checked()
    request = SearchRequest(
        query=checked.take("q", _query_text, params, default=""),
        place=checked.take("place", short_text, params, "place"),
        program=checked.take("program", short_text, params, "program"),
        site=checked.take("site", short_text, params, "site"),
        since=checked.take("since", day_or_month, params, "since"),
        until=checked.take("until", day_or_month, params, "until"),
        sort=checked.take("sort", _sort, params, default="relevance"),
        page=checked.take("page", whole_number, params, "page", 1, 1, MAX_PAGE, default=1),
        limit=checked.take("limit", whole_number, params, "limit", default_limit, 1, MAX_LIMIT, default=default_limit),
        facets=checked.take("facet", _facets, facets if facets is not None else params.getlist("facet"), default=[]),
        include_offtopic=flag(params, "all"),
    )
    checked.done()
    return request


def kept_form(params) -> dict[str, str]:
    """The values a page's form shows again after a 400, as the user typed them (cut short)."""
    return {key: value[:MAX_QUERY_CHARACTERS] for key, value in params.items()}


def facts_query(params, *, default_limit: int = 50):
    """`/facts`: `kind, measure, role, place, mentioning, period, site, all, page` (and `limit`)."""
    from jiwen.library.facts import FactQuery

    checked = Checked()
    query = FactQuery(
        kind=checked.take("kind", short_text, params, "kind"),
        measure=checked.take("measure", short_text, params, "measure"),
        role=checked.take("role", short_text, params, "role"),
        place=checked.take("place", short_text, params, "place"),
        mentioning=checked.take("mentioning", short_text, params, "mentioning"),
        period=checked.take("period", short_text, params, "period"),
        site=checked.take("site", short_text, params, "site"),
        include_all=flag(params, "all"),
        page=checked.take("page", whole_number, params, "page", 1, 1, MAX_PAGE, default=1),
        limit=checked.take("limit", whole_number, params, "limit", default_limit, 1, MAX_LIMIT, default=default_limit),
    )
    checked.done()
    return query


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
    """An article id from a path; anything else names no article of the archive: 404, like an
    id the archive does not hold."""
    if not ARTICLE_ID.match(raw):
        from starlette.exceptions import HTTPException

        raise HTTPException(404, f"no article {raw[:40]!r} in this archive ({raw[:40]!r} is not an article id: 16 hexadecimal characters)")
    return raw


def _period(params) -> str:
    by = params.get("by") or "month"
    if by not in ("month", "quarter", "year"):
        raise BadRequest(f"by={by[:40]!r} is not a period; use month, quarter or year")
    return by


def _role(params) -> str:
    from jiwen.library.indicators import DEFAULT_ROLE, ROLE_CHOICES

    role = params.get("role") or DEFAULT_ROLE
    if role not in ROLE_CHOICES:
        raise BadRequest(f"role={role[:40]!r} is not a figure role; use one of {', '.join(ROLE_CHOICES)}")
    return role


def trend_params(params) -> tuple[str | None, str | None, str, str]:
    from jiwen.library.indicators import DEFAULT_ROLE

    checked = Checked()
    found = (
        checked.take("measure", short_text, params, "measure"),
        checked.take("place", short_text, params, "place"),
        checked.take("by", _period, params, default="month"),
        checked.take("role", _role, params, default=DEFAULT_ROLE),
    )
    checked.done()
    return found
