"""The pages and the JSON API of `jiwen serve`. Each handler checks its parameters, makes the
library call the CLI makes (search, export's article, trends, runs) and hands the result to a
template; the blocking work runs in Starlette's thread pool."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from jiwen.core.csvcells import spreadsheet_safe_row
from jiwen.core.errors import JiwenError, QuerySyntaxError
from jiwen.core.models import FIGURE_ROLES, SearchRequest
from jiwen.library.indicators import ROLE_CHOICES
from jiwen.library.names import UnknownName
from jiwen.library.search import run_search
from jiwen.store import article_id_for
from jiwen.web import params
from jiwen.web.highlight import fact_view, facts_stylesheet, snippet_segments
from jiwen.web.i18n import translate
from jiwen.web.security import RAW_FRAME_POLICY

_JSON = msgspec.json.Encoder()


def json_response(value, status: int = 200) -> Response:
    return Response(_JSON.encode(value), status_code=status, media_type="application/json")


def safe_link(url: str | None) -> str | None:
    """An href for a page's own URL only when it is http(s): javascript:, data: and the rest
    are shown as text, never linked."""
    if url and urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return None


class Handlers:
    def __init__(self, state, page: Callable[..., HTMLResponse]) -> None:
        self.state = state
        self.page = page

    # -- search ------------------------------------------------------------------------

    def _search(self, request: SearchRequest):
        with self.state.open_archive() as archive:
            return self.state.with_index(lambda index: run_search(archive, request, index=index))

    async def search_page(self, request: Request) -> Response:
        try:
            search = params.search_request(request.query_params, facets=list(params.FACETS))

            def work():
                response = self._search(search)
                hidden = 0
                if not search.include_offtopic:
                    everything = msgspec.structs.replace(search, include_offtopic=True, facets=[], limit=1, page=1)
                    hidden = self._search(everything).total - response.total
                return response, hidden

            response, hidden = await run_in_threadpool(work)
        except (params.BadRequest, UnknownName, QuerySyntaxError) as error:
            return self._kept_form("search.html", request, error, ("place", "program", "site"), nav="search")
        current = {key: value for key, value in request.query_params.items() if key != "page" and value}
        last_page = max(1, -(-response.total // search.limit))
        downloads = {key: value for key, value in current.items() if key not in ("sort",)}
        return self.page(
            "search.html",
            search=search,
            response=response,
            hidden=hidden,
            form=dict(request.query_params),
            json_url="/search.json?" + urlencode(downloads),
            csv_url="/search.csv?" + urlencode(downloads),
            feed_url="/feed.atom?" + urlencode(downloads),
            facets=_facet_view(response.facets, current),
            first=(search.page - 1) * search.limit + 1,
            last_page=last_page,
            page_url=lambda number: "/?" + urlencode({**current, "page": number}),
            without=lambda key: "/?" + urlencode({k: v for k, v in current.items() if k != key}),
            with_all="/?" + urlencode({**current, "all": "1"}),
            snippet=snippet_segments,
            filters=[(key, current[key]) for key in ("place", "program", "site", "since", "until") if key in current],
            nav="search",
        )

    def _kept_form(self, template: str, request: Request, error: Exception, names: tuple[str, ...] = (), **context) -> Response:
        """The page's own form again, as the user filled it, under the error that names every
        bad parameter: HTTP 400. `names`: the parameters that name things (place, measure …),
        checked too when the error came from another parameter, so that all are named at once."""
        from jiwen.library.names import name_problems

        problems = dict(getattr(error, "problems", None) or {"": str(error)})
        form = params.kept_form(request.query_params)
        if isinstance(error, params.BadRequest) and names:
            wanted = {name: (form.get(name) or "").strip()[:100] or None for name in names if name not in problems}
            with self.state.open_archive() as archive:
                problems.update(name_problems(archive, **wanted))
        return self.page(template, 400, error=problems, form=form, **context)

    async def search_download(self, request: Request) -> Response:
        """/search.json and /search.csv: every article the search page's query finds (up to
        MAX_LIMIT), as `jiwen search --json` hits or one CSV row per hit."""
        search = params.search_request(request.query_params, default_limit=params.MAX_LIMIT)
        response = await run_in_threadpool(self._search, msgspec.structs.replace(search, page=1))
        if request.url.path.endswith(".json"):
            return json_response(response)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        columns = ("id", "title", "published", "site", "url", "score", "snippet")
        writer.writerow(columns)
        for hit in response.hits:
            writer.writerow(["" if getattr(hit, name) is None else getattr(hit, name) for name in columns])
        return Response(
            buffer.getvalue(), media_type="text/csv; charset=utf-8",
            headers={"content-disposition": "attachment; filename=search.csv"},
        )  # fmt: skip

    # -- feeds -------------------------------------------------------------------------

    async def search_feed(self, request: Request) -> Response:
        """/feed.atom: the newest 50 articles the search page's query and filters find."""
        from jiwen.web.feeds import atom_feed

        search = params.search_request(request.query_params)
        search = msgspec.structs.replace(search, sort="date", page=1, limit=min(search.limit, 50), facets=[])
        response = await run_in_threadpool(self._search, search)
        current = {key: value for key, value in request.query_params.items() if value}
        title = "jiwen: " + (
            " · ".join(value for key, value in current.items() if key in ("q", "place", "program", "site")) or "newest articles"
        )
        body = atom_feed(
            title=title, feed_url="/feed.atom?" + urlencode(current), page_url="/?" + urlencode(current),
            base_url=_base_url(request), hits=response.hits,
        )  # fmt: skip
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    async def watch_feed(self, request: Request) -> Response:
        """/watch/NAME.atom: a watch's newest 50 matches."""
        from jiwen.library.watches import watch_hits
        from jiwen.web.feeds import atom_feed

        name = request.path_params["name"]
        if not re.fullmatch(r"[\w\u4e00-\u9fff-]{1,40}", name):
            raise params.BadRequest(f"{name[:40]!r} is not a watch name")

        def work():
            with self.state.open_archive() as archive:
                return self.state.with_index(lambda index: watch_hits(archive, name, 50, index=index))

        try:
            watch, response = await run_in_threadpool(work)
        except JiwenError as error:
            raise HTTPException(404, str(error)) from None
        page = {
            key: value
            for key, value in (
                ("q", watch.query),
                ("place", watch.place),
                ("program", watch.program),
                ("site", watch.site),
                ("sort", "date"),
            )
            if value
        }
        body = atom_feed(
            title=f"jiwen watch {watch.name}", feed_url=f"/watch/{name}.atom", page_url="/?" + urlencode(page),
            base_url=_base_url(request), hits=response.hits,
        )  # fmt: skip
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    # -- facts -------------------------------------------------------------------------

    def _facts(self, query):
        from jiwen.library.facts import browse_facts

        with self.state.open_archive() as archive:
            return browse_facts(archive, query, self.state)

    async def facts_page(self, request: Request) -> Response:
        """Every figure of the archive, filtered, with counts by kind, measure, role, province,
        site and year, each linked to its sentence in its article."""
        try:
            query = params.facts_query(request.query_params)
            result = await run_in_threadpool(self._facts, query)
        except (params.BadRequest, UnknownName) as error:
            return self._kept_form("facts.html", request, error, ("place", "site", "measure"), roles=FIGURE_ROLES, nav="facts")
        current = {key: value for key, value in request.query_params.items() if key != "page" and value}
        last_page = max(1, -(-result.total // query.limit))
        return self.page(
            "facts.html",
            query=query,
            result=result,
            form=current,
            facets=_fact_facet_view(result.facets, current),
            first=(query.page - 1) * query.limit + 1,
            last_page=last_page,
            page_url=lambda number: "/facts?" + urlencode({**current, "page": number}),
            without=lambda key: "/facts?" + urlencode({k: v for k, v in current.items() if k != key}),
            csv_url="/facts.csv?" + urlencode(current),
            json_url="/facts.json?" + urlencode(current),
            filters=[
                (key, translate(current[key]) if key in ("kind", "role") else current[key]) for key in params.FACT_FILTERS if key in current
            ],
            roles=FIGURE_ROLES,
            nav="facts",
        )

    async def facts_download(self, request: Request) -> Response:
        """/facts.csv and /facts.json: every figure the current filter selects (not one page)."""
        from jiwen.library.facts import all_facts, write_facts

        query = params.facts_query(request.query_params)
        as_csv = request.url.path.endswith(".csv")

        def work() -> bytes:
            with self.state.open_archive() as archive:
                rows = list(all_facts(archive, query, self.state))
            if not as_csv:
                return _JSON.encode(rows)
            out = io.BytesIO()
            write_facts(rows, "csv", out, bom=flag_bom(request))
            return out.getvalue()

        body = await run_in_threadpool(work)
        if as_csv:
            return Response(body, media_type="text/csv; charset=utf-8", headers={"content-disposition": "attachment; filename=facts.csv"})
        return Response(body, media_type="application/json")

    async def api_search(self, request: Request) -> Response:
        """`jiwen search --json` with the same parameters (limit 10 unless `limit` is given)."""
        search = params.search_request(request.query_params, default_limit=10)
        return json_response(await run_in_threadpool(self._search, search))

    # -- one article -------------------------------------------------------------------

    def _article(self, article_id: str):
        with self.state.open_archive() as archive:
            found = archive.get_articles([article_id])
        if not found:
            raise HTTPException(404, f"no article {article_id} in this archive")
        return found[0]

    async def article_page(self, request: Request) -> Response:
        article_id = params.article_id(request.path_params["article_id"])
        article = await run_in_threadpool(self._article, article_id)
        return self.page(
            "article.html",
            article=article,
            link=safe_link(article.url),
            **fact_view(article.body, article.facts),
            duplicates=[(url, article_id_for(url)) for url in article.duplicates],
            nav="search",
        )

    async def api_article(self, request: Request) -> Response:
        """The article as `jiwen export --format jsonl` writes it."""
        article_id = params.article_id(request.path_params["article_id"])
        return json_response(await run_in_threadpool(self._article, article_id))

    # -- the archived page -------------------------------------------------------------

    def _raw(self, article_id: str):
        with self.state.open_archive() as archive:
            found = archive.get_articles([article_id])
            page = archive.page_of_article(article_id)
        if not found or page is None:
            raise HTTPException(404, f"no archived page for article {article_id}")
        article = found[0]
        codec = article.encoding or "utf-8"
        try:
            text = page.body.decode(codec, errors="replace")
        except LookupError:
            codec, text = "utf-8", page.body.decode("utf-8", errors="replace")
        return article, page, codec, text

    async def raw_page(self, request: Request) -> Response:
        article_id = params.article_id(request.path_params["article_id"])
        view = request.query_params.get("view") or "text"
        if view not in ("text", "frame"):
            raise params.BadRequest(f"view={view[:40]!r} is not a view; use text or frame")
        article, page, codec, text = await run_in_threadpool(self._raw, article_id)
        return self.page(
            "raw.html", article=article, page=page, codec=codec, text=text, view=view,
            size=len(page.body), link=safe_link(page.url), nav="search",
        )  # fmt: skip

    async def raw_frame(self, request: Request) -> Response:
        """The archived page itself, for /raw's sandboxed frame: its own CSP forbids every script
        and every load, so nothing on the page runs or calls out."""
        article_id = params.article_id(request.path_params["article_id"])
        _, page, _, text = await run_in_threadpool(self._raw, article_id)
        is_html = "html" in (page.content_type or "text/html")
        return Response(
            text,
            media_type="text/html; charset=utf-8" if is_html else "text/plain; charset=utf-8",
            headers={"content-security-policy": RAW_FRAME_POLICY},
        )

    # -- trends ------------------------------------------------------------------------

    def _trend(self, measure: str | None, place: str | None, by: str, role: str):
        from jiwen.library.trends import archive_trend, measure_counts, most_reported

        key = (measure, place, by, role, self.state.store_stamp())
        cached = self.state.trend_cache.get(key)
        if cached is not None:
            return cached
        with self.state.open_archive() as archive:
            counts = measure_counts(archive)
            measure = measure or most_reported(counts)
            series = archive_trend(archive, measure, place=place, by=by, role=role) if measure else None
        result = (series, counts)
        if len(self.state.trend_cache) > 32:
            self.state.trend_cache.clear()
        self.state.trend_cache[key] = result
        return result

    async def trends_page(self, request: Request) -> Response:
        try:
            measure, place, by, role = params.trend_params(request.query_params)
            series, counts = await run_in_threadpool(self._trend, measure, place, by, role)
        except (params.BadRequest, UnknownName) as error:
            form = params.kept_form(request.query_params)
            return self._kept_form(
                "trends.html", request, error, ("measure", "place"), series=None, counts=[], place=form.get("place", ""),
                by=form.get("by", "month"), role=form.get("role", "actual"), roles=ROLE_CHOICES, query="", nav="trends",
            )  # fmt: skip
        query = urlencode(
            {
                key: value
                for key, value in (("measure", series.measure if series else None), ("place", place), ("by", by), ("role", role))
                if value
            }
        )
        return self.page(
            "trends.html", series=series, counts=counts.most_common(30), place=place or "", by=by, role=role,
            roles=ROLE_CHOICES, query=query, nav="trends",
        )  # fmt: skip

    async def trends_chart(self, request: Request) -> Response:
        from jiwen.library.trends import render_svg

        measure, place, by, role = params.trend_params(request.query_params)
        series, _ = await run_in_threadpool(self._trend, measure, place, by, role)
        if series is None:
            raise HTTPException(404, "this archive has no figure with a measure yet")
        svg = await run_in_threadpool(render_svg, series, translate)
        # The SVG's own styles are inline (matplotlib writes them so); no script is allowed in it.
        return Response(svg, media_type="image/svg+xml", headers={"content-security-policy": CHART_POLICY})

    async def trends_csv(self, request: Request) -> Response:
        measure, place, by, role = params.trend_params(request.query_params)
        series, _ = await run_in_threadpool(self._trend, measure, place, by, role)
        if series is None:
            raise HTTPException(404, "this archive has no figure with a measure yet")
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        fields = [name for name in series.points[0].__struct_fields__] if series.points else ["period"]
        writer.writerow(["measure", *fields])  # cells below: formula-like text made plain text
        for point in series.points:
            writer.writerow(spreadsheet_safe_row([series.measure, *_csv_cells(msgspec.structs.astuple(point))]))
        return Response(
            buffer.getvalue(), media_type="text/csv; charset=utf-8",
            headers={"content-disposition": "attachment; filename=trend.csv"},
        )  # fmt: skip

    async def api_trends(self, request: Request) -> Response:
        """`jiwen trends --json` with the same parameters (measure, place, by, role)."""
        from jiwen.core.errors import JiwenError

        measure, place, by, role = params.trend_params(request.query_params)
        series, _ = await run_in_threadpool(self._trend, measure, place, by, role)
        if series is None:
            raise JiwenError("this archive has no figure with a measure yet")
        return json_response(series)

    # -- sites -------------------------------------------------------------------------

    def _sites(self):
        from jiwen.core.errors import ConfigError
        from jiwen.crawler.sites import load_sites
        from jiwen.library.health import site_health

        try:
            configured, config_error = load_sites(), None
        except ConfigError as error:
            configured, config_error = [], str(error)
        with self.state.open_archive() as archive:
            history = archive.runs(200)
            by_site = archive.stats()["articles_by_site"]
            # The same library call as `jiwen sites --health`.
            health = {item.name: item for item in site_health(archive, configured)}
        last_run: dict[str, dict] = {}
        run_count: dict[str, int] = {}
        for run in history:
            site = run.get("site")
            if site:
                last_run.setdefault(site, run)
                run_count[site] = run_count.get(site, 0) + 1
        names = [site.name for site in configured]
        seen = [name for name in by_site if name not in names and name != "(local)"]
        rows = [
            {"name": site.name, "interval": site.interval, "enabled": site.enabled, "start_urls": site.start_urls,
             "articles": by_site.get(site.name, 0), "last": last_run.get(site.name), "runs": run_count.get(site.name, 0),
             "health": health.get(site.name)}
            for site in configured
        ] + [
            {"name": name, "interval": None, "enabled": None, "start_urls": [], "articles": by_site.get(name, 0),
             "last": last_run.get(name), "runs": run_count.get(name, 0), "health": None}
            for name in seen
        ]  # fmt: skip
        return rows, history[:50], config_error

    async def sites_page(self, request: Request) -> Response:
        rows, history, config_error = await run_in_threadpool(self._sites)
        return self.page("sites.html", rows=rows, history=history, config_error=config_error, report_keys=RUN_REPORT_KEYS, nav="sites")

    async def facts_css(self, request: Request) -> Response:
        return Response(facts_stylesheet(), media_type="text/css", headers={"cache-control": "max-age=3600"})


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def flag_bom(request: Request) -> bool:
    return params.flag(request.query_params, "bom")


def _fact_facet_view(facets: dict[str, dict[str, int]], current: dict[str, str]) -> list[dict]:
    """The /facts facets as clickable filters: (label, count, url, active)."""
    parameter = {"kind": "kind", "measure": "measure", "role": "role", "province": "place", "site": "site", "year": "period"}
    views = []
    for name, counts in facets.items():
        if not counts:
            continue
        key = parameter[name]
        entries = [
            {
                # Kinds, roles and 'local' are words jiwen chose (in English in the URL); places,
                # measures, sites and years are the archive's own.
                "label": translate(value) if name in ("kind", "role") or (name, value) == ("site", "local") else value,
                "count": count,
                "url": "/facts?" + urlencode({**current, key: value}),
                "active": current.get(key) == str(value),
            }
            for value, count in counts.items()
        ]
        if name == "year":
            entries.sort(key=lambda entry: entry["label"], reverse=True)
        views.append({"name": name, "entries": entries})
    return views


# The counters of a run's report the run history shows (`jiwen runs --json` has the whole report).
RUN_REPORT_KEYS = (
    "pages_fetched", "new", "updated", "unchanged", "duplicate", "offtopic", "failed", "robots_disallowed", "not_found", "elapsed_seconds",
)  # fmt: skip

# The chart's SVG carries matplotlib's inline styles; scripts stay forbidden.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def _facet_view(facets: dict[str, dict[str, int]], current: dict[str, str]) -> list[dict]:
    """Facets as clickable filters: (label, count, url, active); places nested under their
    province and prefecture, as the gazetteer places them."""
    from jiwen.library.indicators import division_of

    parameter = {"province": "place", "place": "place", "program": "program", "site": "site", "month": "month"}
    views = []
    for name in ("province", "place", "program", "site", "month"):
        counts = facets.get(name)
        if not counts:
            continue
        entries = []
        for value, count in counts.items():
            if name == "month":
                if not value or value == "0000-00":
                    continue
                chosen = {**current, "since": value, "until": value}
                active = current.get("since") == value and current.get("until") == value
            else:
                chosen = {**current, parameter[name]: value}
                active = current.get(parameter[name]) == value
            depth = 0
            if name == "place":
                division = division_of(value)
                depth = {"province": 0, "prefecture": 1, "county": 2}.get(division.level, 0) if division else 0
            entries.append({"label": value, "count": count, "url": "/?" + urlencode(chosen), "active": active, "depth": depth})
        if name == "place":
            entries = _nest_places(entries)
        if name == "month":
            entries.sort(key=lambda entry: entry["label"], reverse=True)
        views.append({"name": name, "entries": entries})
    return views


def _nest_places(entries: list[dict]) -> list[dict]:
    """Each province followed by its prefectures and each prefecture by its counties, by count."""
    from jiwen.library.indicators import division_of

    by_label = {entry["label"]: entry for entry in entries}
    children: dict[str | None, list[dict]] = {}
    for entry in entries:
        division = division_of(entry["label"])
        parent = None
        if division is not None and division.level == "county":
            parent = division.prefecture if division.prefecture in by_label else division.province
        elif division is not None and division.level == "prefecture":
            parent = division.province
        if parent not in by_label:
            parent = None
        children.setdefault(parent, []).append(entry)
    ordered: list[dict] = []

    def walk(parent: str | None, depth: int) -> None:
        for entry in sorted(children.get(parent, []), key=lambda e: (-e["count"], e["label"])):
            ordered.append({**entry, "depth": depth})
            walk(entry["label"], depth + 1)

    walk(None, 0)
    return ordered


def _csv_cells(values) -> list:
    """A trend point's values as CSV cells: nulls empty, lists (sources, conflicting values) joined by ;."""
    return ["" if value is None else ";".join(map(str, value)) if isinstance(value, list) else value for value in values]
