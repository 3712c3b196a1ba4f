"""What a crawl's report says beyond its counts: per site, what the site answered instead of
articles and what to do about it (once per site and kind), which columns discovery chose, and,
when a crawl found nothing at all, why."""

from __future__ import annotations

from scrapy.crawler import Crawler

from jiwen.crawler.blocked import explain, load_answer_rules
from jiwen.crawler.browser import missing_browser_line, render_explanations

NOT_FOUND_KIND = "soft_404"


def add_diagnosis(report: dict, names: list[str], crawlers: list[Crawler]) -> None:
    """Adds `explanations` (lines for the crawl's output) and, when nothing was crawled,
    `nothing_found` (why) to a crawl report."""
    explanations: list[str] = []
    nothing_reasons: list[str] = []
    for name, crawler in zip(names, crawlers):
        stats = crawler.stats.get_stats()
        spider = getattr(crawler, "spider", None)
        discovery = getattr(spider, "discovery", None)
        if discovery is not None and discovery.started:
            explanations.append(f"{name}: {discovery.summary()}")
        if learned := getattr(spider, "learned_shapes", None):
            shapes = "; ".join(f"{pattern} (from {url})" for pattern, url in learned.items())
            explanations.append(f"{name}: article URLs of a shape no known CMS has, learned from the dated items of its lists: {shapes}")
        for kind in answer_kinds():
            if stats.get(f"jiwen/blocked/{kind}"):
                explanations.append(explain(kind, stats[f"jiwen/blocked/{kind}"], name))
        if stats.get("jiwen/not_found"):
            explanations.append(explain(NOT_FOUND_KIND, stats["jiwen/not_found"], name))
        explanations.extend(render_explanations(name, crawler))
        if stats.get("finish_reason") == "blocked":
            explanations.append(f"{name}: stopped early: every answer so far was a block or challenge page")
        reason = nothing_reason(stats, discovery)
        if reason:
            nothing_reasons.append(f"{name}: {reason}")
    report["by_site"] = {name: site_summary(crawler.stats.get_stats()) for name, crawler in zip(names, crawlers)}
    for name, crawler in zip(names, crawlers):
        if learned := getattr(getattr(crawler, "spider", None), "learned_shapes", None):
            report["by_site"][name]["learned_patterns"] = list(learned)
    if explanations:
        report["explanations"] = explanations
    if missing := missing_browser_line(crawlers):
        report["browser_missing"] = missing
    if len(nothing_reasons) == len(names):
        report["nothing_found"] = "; ".join(nothing_reasons)


def site_summary(stats: dict) -> dict:
    """One site's part of a crawl, for `jiwen sites --health` (a crawl may hold several sites)."""

    def under(prefix: str) -> dict[str, int]:
        return dict(sorted((key[len(prefix) :], value) for key, value in stats.items() if key.startswith(prefix)))

    links, new = under("jiwen/column_links/"), under("jiwen/column_new/")
    return {
        "finish_reason": stats.get("finish_reason", "unknown"),
        "new": stats.get("jiwen/outcome/new", 0),
        "blocked": under("jiwen/blocked/"),
        "not_found": stats.get("jiwen/not_found", 0),
        "errors": under("jiwen/error/"),
        "columns": {url: {"article_links": links.get(url, 0), "new": new.get(url, 0)} for url in sorted(set(links) | set(new))},
    }


def answer_kinds() -> list[str]:
    return [rule.kind for rule in load_answer_rules().rules if rule.counted_as == "blocked"]


def nothing_reason(stats: dict, discovery=None) -> str | None:
    """Why a site's crawl yielded no article at all, or None when it did yield some."""
    processed = sum(
        stats.get(f"jiwen/outcome/{outcome}", 0) for outcome in ("new", "updated", "unchanged", "duplicate", "offtopic", "failed")
    )
    if processed or stats.get("jiwen/skipped_archived", 0) or stats.get("jiwen/error/pipeline", 0):
        return None
    blocked = sum(value for key, value in stats.items() if key.startswith("jiwen/blocked/"))
    errors = {key.rsplit("/", 1)[1]: value for key, value in stats.items() if key.startswith("jiwen/error/")}
    fetched = sum(value for key, value in stats.items() if key.startswith("jiwen/fetched/"))
    if blocked and blocked + stats.get("jiwen/not_found", 0) >= stats.get("jiwen/fetched/article", 0):
        return "every answer was a block or challenge page (see above)"
    if stats.get("robotstxt/forbidden", 0) and not fetched:
        return "robots.txt disallows the start pages; jiwen obeys it"
    shown = ", ".join(f"{kind}={count}" for kind, count in sorted(errors.items()))
    # Errors are counted by the kind of page they hit (jiwen/failed/<kind>): only list pages that
    # failed make "the start pages could not be fetched".
    lists_read = stats.get("jiwen/fetched/list", 0) - stats.get("jiwen/failed/list", 0)
    if errors and lists_read <= 0:
        return f"the start pages could not be fetched ({shown}); see `jiwen runs --json` and the archive's fetch_errors"
    if errors and stats.get("jiwen/failed/article", 0):
        return (
            f"the list pages were read, but none of their article links could be fetched ({shown}); "
            "see `jiwen runs --json` and the archive's fetch_errors"
        )
    if stats.get("jiwen/refused_links", 0) and not stats.get("jiwen/fetched/article", 0):
        return (
            f"the list pages were read, but their links were refused ({stats['jiwen/refused_links']} not http(s), "
            "e.g. file: or javascript:); jiwen fetches only http and https"
        )
    if discovery is not None and discovery.started and not discovery.chosen:
        return discovery.nothing_reason()
    if stats.get("jiwen/not_found", 0):
        return "the pages it reached say they do not exist (soft-404s): the column has probably moved"
    return (
        "the start pages link to no article page: no link matched the article URL shapes "
        "(set article_patterns in sites.toml, or run `jiwen sites discover URL`)"
    )
