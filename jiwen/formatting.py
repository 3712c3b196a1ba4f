"""Human-readable output of the CLI. Machine output is the models' JSON (--json).

Everything printed that came from a page, a file name or a config file goes through
`terminal_safe` (text) or `terminal_safe_json` (JSON): page text is untrusted, and a title with
ESC]0;…BEL, ESC[2J or OSC 52 would set the window title, clear the screen or write the clipboard.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import click

from jiwen.core.models import SearchRequest, SearchResponse
from jiwen.core.terminal import terminal_safe

# The index marks matched terms in snippets with these; the terminal shows them in colour.
HIGHLIGHT = re.compile(r"【(.+?)】")


def format_search(response: SearchResponse, request: SearchRequest, *, color: bool = False) -> str:
    lines = []
    first = (request.page - 1) * request.limit + 1
    last = first + len(response.hits) - 1
    if response.total == 0:
        lines.append("no articles found")
    elif not response.hits:
        pages = (response.total + request.limit - 1) // request.limit
        noun = "result" if response.total == 1 else "results"
        page_noun = "page" if pages == 1 else "pages"
        lines.append(f"no results on page {request.page} ({response.total} {noun}, {pages} {page_noun})")
    else:
        noun = "article" if response.total == 1 else "articles"
        lines.append(f"{response.total} {noun}; showing {first}-{last}")
    for number, hit in enumerate(response.hits, start=first):
        published = (hit.published or "undated")[:10]
        lines.append("")
        lines.append(f"{number:>3}. {terminal_safe(hit.title or '(untitled)')}")
        lines.append(
            f"     {terminal_safe(published)}  {terminal_safe(hit.site or 'local')}  {terminal_safe(hit.url or '')}  [{terminal_safe(hit.id)}]"
        )
        snippet = terminal_safe(hit.snippet)
        if color:
            snippet = HIGHLIGHT.sub(lambda match: click.style(match.group(1), fg="red", bold=True), snippet)
        lines.append(f"     {snippet}")
    for facet, counts in response.facets.items():
        lines.append("")
        lines.append(f"by {facet}:")
        for value, count in counts.items():
            lines.append(f"  {count:>6}  {terminal_safe(value)}")
    return "\n".join(lines)


def format_stats(numbers: dict, directory: Path) -> str:
    lines = [
        f"archive {terminal_safe(directory)}",
        f"  pages     {numbers['pages']:>8}   ({numbers['raw_bytes'] / 1e6:.1f} MB raw, {numbers['pages_failed']} not extractable)",
        f"  articles  {numbers['articles']:>8}   ({numbers['relevant']} on topic, {numbers['offtopic']} off-topic, {numbers['duplicates']} near-duplicates)",
        f"  facts     {numbers['facts']:>8}",
    ]
    for title, key in (
        ("facts by kind", "facts_by_kind"),
        ("articles by site", "articles_by_site"),
        ("articles by month", "articles_by_month"),
    ):
        if numbers[key]:
            lines.append(f"{title}:")
            lines.extend(f"  {count:>8}  {terminal_safe(value)}" for value, count in numbers[key].items())
    return "\n".join(lines)


def format_runs(history: list[dict]) -> str:
    if not history:
        return "no runs yet"
    lines = [f"{'id':>4}  {'kind':<9} {'site':<18} {'started (UTC)':<19} {'took':>7}  {'outcome':<14} report"]
    for run in history:
        # A run that did not end well (failed, killed, interrupted) shouts, before the long report.
        outcome = run["outcome"] if run["outcome"] in ("finished", "running") else run["outcome"].upper() + " <--"
        report = {key: value for key, value in run["report"].items() if key not in ("run_id", "sites", "outcome")}
        if isinstance(report.get("errors"), dict):
            report["errors"] = sum(report["errors"].values())
        summary = ", ".join(f"{key}={value}" for key, value in report.items() if not isinstance(value, (dict, list)))
        lines.append(
            terminal_safe(
                f"{run['id']:>4}  {run['kind']:<9} {(run['site'] or '-'):<18} {run['started_at'][:19].replace('T', ' '):<19} "
                f"{_took(run['started_at'], run['finished_at']):>7}  {outcome:<14} {summary}"
            )
        )
    return "\n".join(lines)


def _took(started: str, finished: str | None) -> str:
    if not finished:
        return "-"
    try:
        seconds = int((datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds())
    except ValueError:
        return "?"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


def format_crawl_report(report: dict) -> str:
    parts = [f"{key}: {value}" for key, value in report.items() if not isinstance(value, (dict, list)) and key != "nothing_found"]
    lines = ["crawl finished: " + ", ".join(parts)]
    for key, value in report.items():
        if isinstance(value, dict) and value and key != "by_site":
            lines.append(f"  {key}: " + ", ".join(f"{k}={v}" for k, v in value.items()))
    # What sites answered instead of articles, what discovery chose: one line each.
    lines.extend(f"  {line}" for line in report.get("explanations", ()))
    return "\n".join(terminal_safe(line) for line in lines)


def format_trend(series) -> str:
    """`jiwen trends`: one line per place and period, the latest figure reported."""
    where = f" in {series.place} (and places inside it)" if series.place else ""
    lines = [f"{series.measure}{where}, by {series.by} (period: {series.dated_by}; latest figure per place and period)"]
    if not series.points:
        lines.append("no figures")
    else:
        width = max(_display_width(terminal_safe(point.place or "(not stated)")) for point in series.points)
        lines.append(f"{'period':<9} {_pad('place', width)} {'value':>14} {'unit':<4} {'reports':>7}  {'period end':<10}  article")
        for point in series.points:
            value = f"{point.value:,.0f}" if float(point.value).is_integer() else f"{point.value:,}"
            lines.append(
                f"{point.period:<9} {_pad(terminal_safe(point.place or '(not stated)'), width)} {value:>14} {_pad(point.unit, 4)} "
                f"{point.reports:>7}  {point.period_end or '-':<10}  {point.article_id}"
            )
    if series.undated:
        noun = "figure" if series.undated == 1 else "figures"
        lines.append(f"({series.undated} {noun} without a period end or publication date left out)")
    return "\n".join(terminal_safe(line) for line in lines)


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    """Left-aligned to `width` terminal columns (a CJK character takes two)."""
    return text + " " * max(0, width - _display_width(text))


SPARK = " ▁▂▃▄▅▆▇█"


def format_health(report: list) -> str:
    """`jiwen sites --health`: one block per site (the structs of jiwen.library.health)."""
    if not report:
        return "no sites configured"
    lines = []
    for site in report:
        state = "STALE <--" if site.stale else ("disabled" if not site.enabled else "ok" if site.last_run else "not crawled yet")
        peak = max(site.new_per_day) or 1
        spark = "".join(SPARK[0 if not count else max(1, round(count / peak * 8))] for count in site.new_per_day)
        lines.append(f"{site.name}  [{state}]  {site.title}")
        last = f"{_moment(site.last_run)} ({site.last_outcome})" if site.last_run else "not crawled yet"
        lines.append(f"  last crawl      {last}; {site.crawls_30_days} crawl(s) in 30 days")
        lines.append(f"  last new        {_moment(site.last_new_article) if site.last_new_article else 'none yet'}")
        lines.append(f"  new per day     |{spark}|  {site.new_30_days} in 30 days (oldest left, today right)")
        if site.blocked or site.not_found:
            shown = ", ".join(f"{kind}={count}" for kind, count in site.blocked.items())
            lines.append(f"  blocked         {shown or '-'}; not found: {site.not_found}")
        if site.errors:
            lines.append("  errors          " + ", ".join(f"{kind}={count}" for kind, count in site.errors.items()))
        lines.append(f"  next crawl      {_moment(site.next_run) if site.next_run else '- (disabled)'} (every {site.interval})")
        for column in site.columns:
            mark = "STALE" if column.stale else "ok"
            since = f", {column.crawls_since_new} crawls without a new article" if column.crawls_since_new else ""
            lines.append(f"  column [{mark:<5}] {column.url}: {column.new_articles} new{since}")
    return "\n".join(lines)


def _moment(value: str) -> str:
    return value[:19].replace("T", " ") + " UTC"


def format_indicators(summaries) -> str:
    """`jiwen trends --list`: one line per indicator, most reported first."""
    if not summaries:
        return "no indicators yet: figures get a measure from extraction (jiwen reextract after upgrading)"
    width = max(_display_width(terminal_safe(item.measure)) for item in summaries)
    lines = [f"{_pad('indicator', width)} {'figures':>8} {'places':>7}  latest"]
    for item in summaries:
        lines.append(f"{_pad(terminal_safe(item.measure), width)} {item.figures:>8} {item.places:>7}  {item.latest or '-'}")
    return "\n".join(lines)
