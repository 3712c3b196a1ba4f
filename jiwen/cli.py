"""The `jiwen` command: parses options, calls the library, formats output. No business logic here.

Exit codes: 0 success, 1 a handled error (one line on stderr: `jiwen: ...`), 2 a usage error.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from datetime import UTC
from pathlib import Path

import click
import msgspec

from jiwen import __version__
from jiwen.core.config import resolve_archive_dir
from jiwen.core.errors import JiwenError, WorkerError, storage_failure
from jiwen.core.models import FACT_KINDS, FIGURE_ROLES, SearchRequest

FACETS = ("place", "province", "program", "site", "month")
ROLE_CHOICES = (*FIGURE_ROLES, "any")  # --role of trends and the indicator exports


def archive_option(function):
    return click.option(
        "--archive",
        "archive_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Archive folder (default: $JIWEN_ARCHIVE, else ~/.local/share/jiwen).",
    )(function)


def _not_blank(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A filter given as only spaces is a mistake (a shell variable that was empty), not "no
    filter": said in one line instead of exporting the whole archive."""
    if value is not None and not value.strip():
        raise JiwenError(f"{param.opts[0]} {value!r} is blank; give a name or leave the option out")
    return value


def filter_options(function):
    """The filters `search` and `export` share."""
    options = [
        click.option(
            "--place",
            help="Only what is about this place or a place inside it (贵州省 takes 从江县): articles in search and article exports, facts in fact exports.",
            callback=_not_blank,
        ),
        click.option("--program", help="Only articles naming this programme, e.g. 春风行动.", callback=_not_blank),
        click.option("--site", help="Only articles from this site (its name in sites.toml, or 'local').", callback=_not_blank),
        click.option("--since", help="From this day or month on: 2023-11-01 or 2023-11."),
        click.option("--until", help="Up to this day or month: 2023-11-30 or 2023-11."),
        click.option("--all", "include_all", is_flag=True, help="Include off-topic articles (and, in export, near-duplicates)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _open_archive(archive_dir: Path | None, *, create: bool = False, read_only: bool = False):
    """The archive, closed when the command ends (also when the CLI runs in-process, as in the
    tests: an SQLite connection left open there outlived its command and broke a later writer)."""
    from jiwen.store import Archive

    archive = Archive(resolve_archive_dir(archive_dir), create=create, read_only=read_only)
    context = click.get_current_context(silent=True)
    if context is not None:
        context.find_root().call_on_close(archive.close)
    return archive


def _writer_lock(archive_dir: Path, command: str):
    """The archive's writer lock, as a context manager (one writer per archive). Writers also log
    to <archive>/logs/jiwen.log, so what an unattended run did can be read afterwards."""
    from jiwen.core.lock import ArchiveLock
    from jiwen.core.logs import setup_logging

    setup_logging(archive_dir)
    return ArchiveLock(archive_dir, command=command)


class ProgressBar:
    """A progress bar on stderr for a long command, drawn only when stderr is a terminal: a pipe,
    a file or a test's runner gets nothing extra. `update` is the library's `progress(done,
    total)` callback (None without a terminal); `echo` prints a line above the bar."""

    def __init__(self, description: str, unit: str, *, enabled: bool = True):
        self.bar = None
        self.update = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(desc=description, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=False)
            self.update = self._update

    def _update(self, done: int, total: int | None) -> None:
        bar = self.bar
        if bar is None:
            return
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)
        if total is not None and done >= total:  # finished: the lines after it need no bar
            self.close()

    def echo(self, message: str = "", err: bool = False) -> None:
        if self.bar is not None:
            self.bar.clear()
        click.echo(message, err=err)
        if self.bar is not None:
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class HandledError(click.ClickException):
    """A JiwenError on its way out: one line on stderr, exit code 1."""

    exit_code = 1

    def show(self, file=None) -> None:
        # A message may list several problems (sites.toml), one line each, each prefixed.
        from jiwen.core.terminal import terminal_safe

        for line in self.format_message().splitlines() or [""]:
            click.echo(f"jiwen: {terminal_safe(line)}", err=True)


class JiwenGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except JiwenError as error:
            raise HandledError(str(error)) from None
        except (OSError, sqlite3.Error, WorkerError) as error:
            message = storage_failure(error)
            if message is None and isinstance(error, WorkerError):
                message = f"{error}; the next writer or 'jiwen reindex' indexes what is left"
            if message is None:
                raise
            raise HandledError(message) from None
        except KeyboardInterrupt:
            click.echo("jiwen: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=JiwenGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="jiwen")
def cli() -> None:
    """纪闻 jiwen: archive, extract and search Chinese provincial employment news.

    \b
    Examples:
      jiwen demo                                   # crawl the bundled sample site, then search it
      jiwen ingest ~/news/*.html --archive ./arch  # archive local pages
      jiwen search 劳务协作 --place 贵州省 --facet program
      jiwen export --format facts-jsonl --kind count,money -o facts.jsonl
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@archive_option
@click.option("--force", is_flag=True, help="Re-extract files whose bytes are already archived.")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary line.")
@click.option("--url", help="The page's address as published (one file only): its id, and its date when the URL has one.")
@click.option("--site", help="File the pages under this site name (default: none, shown as local).")
@click.option("--published", help="The publication date (2024-03-05) when neither the text nor the URL states one.")
@click.option("--province", help="The publisher's province (陕西省, 广西): what 我省/本省/全省 mean in the text.")
def ingest(
    paths: tuple[Path, ...],
    archive_dir: Path | None,
    force: bool,
    quiet: bool,
    url: str | None,
    site: str | None,
    published: str | None,
    province: str | None,
) -> None:
    """Archive local .html/.htm/.txt files (folders are searched recursively).

    \b
    Examples:
      jiwen ingest page.html
      jiwen ingest ~/downloads/news/ --archive ./archive
      jiwen ingest ../shared/seed/guizhou-employment.txt
      jiwen ingest story.txt --url https://rst.example.gov.cn/t20240305_1.html --province 贵州省
      jiwen ingest dumps/ --published 2024-03-05 --site my-clippings
    """
    from jiwen.core.terminal import terminal_safe
    from jiwen.library.ingest import Unreadable, find_files, ingest_paths

    found = list(find_files(paths))
    if all(isinstance(item, Unreadable) for item in found):
        # Nothing to read: one line per path, and no archive folder (store, logs, lock) made for it.
        for item in found:
            click.echo(terminal_safe(f"jiwen: {item.path}: {item.message}"), err=True)
        click.echo(_summary({"failed": len(found)} if found else {}))
        sys.exit(1 if found else 0)
    directory = resolve_archive_dir(archive_dir)
    with _writer_lock(directory, "jiwen ingest"), ProgressBar("ingest", "file") as bar:
        archive = _open_archive(directory, create=True)

        def report(path: Path, outcome) -> None:
            if outcome.status == "failed":
                bar.echo(terminal_safe(f"jiwen: {path}: {outcome.message}"), err=True)
            elif not quiet:
                title = outcome.article.title if outcome.article else ""
                bar.echo(terminal_safe(f"{outcome.status:<9} {outcome.article_id or '-'}  {path}  {title or ''}"))

        counts = ingest_paths(
            archive,
            paths,
            force=force,
            on_outcome=report,
            url=url,
            site=site,
            published=published,
            province=province,
            listed=found,
            progress=bar.update,
        )
    click.echo(_summary(counts))
    if counts.get("failed"):
        sys.exit(1)


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help="The page's URL, if known (helps dates and ids).")
@click.option("--province", help="The publisher's province (陕西省, 广西): what 我省/本省/全省 mean in the text.")
@click.option("--no-facts", is_flag=True, help="Only the article, without fact extraction.")
@click.option(
    "--view",
    "view_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write an HTML page with the facts highlighted, standalone (the article view of jiwen serve).",
)
@click.option("--compact", is_flag=True, help="One line of JSON instead of indented.")
def extract(path: Path, url: str | None, province: str | None, no_facts: bool, view_path: Path | None, compact: bool) -> None:
    """Extract one file into an article with facts, as JSON on stdout. The archive is not touched.

    \b
    Examples:
      jiwen extract page.html
      jiwen extract page.html --view facts.html   # then open facts.html in a browser
      jiwen extract dump.txt --no-facts | jq .title
      jiwen extract shaanxi-story.txt --province 陕西   # its 我省 figures are Shaanxi's
    """
    import gc

    global _quick_exit
    # A one-shot extraction makes a few hundred thousand objects that all live until the end (spaCy's
    # registries, the dictionaries); the cyclic collector's passes over them found nothing and cost
    # a tenth of the command's time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _extract_file(path, url, province, no_facts, view_path, compact)
    finally:
        if collecting:
            gc.enable()
    _quick_exit = True


def _extract_file(path: Path, url: str | None, province: str | None, no_facts: bool, view_path: Path | None, compact: bool) -> None:
    from jiwen.core.paths import atomic_write, output_problem
    from jiwen.core.terminal import terminal_safe, terminal_safe_json
    from jiwen.extract import extract_article, extract_facts
    from jiwen.library.ingest import page_from_file
    from jiwen.text.gazetteer import province_named

    if province is not None and province_named(province) is None:
        raise HandledError(f"--province {province!r} is not a province-level name (e.g. 陕西省, 广西)")
    if view_path is not None and (problem := output_problem(view_path)):
        raise HandledError(problem)  # before the extraction, not after it
    page = page_from_file(path)
    article = extract_article(page.body, url=url or page.url, content_type=page.content_type)
    if not no_facts:
        article.facts = extract_facts(article, province=province_named(province).name if province else None)
    if view_path is not None:
        from jiwen.web.factview import render_fact_view_page

        with atomic_write(view_path) as handle:
            handle.write(render_fact_view_page(article).encode("utf-8"))
        click.echo(terminal_safe(f"wrote {view_path}"), err=True)
    encoded = msgspec.json.encode(article)
    if compact:
        click.echo(terminal_safe_json(encoded.decode("utf-8")))
    else:
        click.echo(terminal_safe_json(json.dumps(json.loads(encoded), ensure_ascii=False, indent=2)))


@cli.command()
@click.argument("words", nargs=-1)
@archive_option
@filter_options
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--facet", "facets", multiple=True, type=click.Choice(FACETS), help="Count results by this field (repeatable).")
@click.option("--json", "as_json", is_flag=True, help='Machine output: {"total","hits":[...],"facets":{...}}.')
def search(words, archive_dir, place, program, site, since, until, include_all, sort, limit, page, facets, as_json) -> None:
    """Search the archive. WORDS use Whoosh syntax: words, "phrases", AND/OR/NOT, field:value;
    several words are one query that needs all of them. Traditional characters and full-width
    letters are read as the simplified, half-width text the archive holds.

    \b
    Examples:
      jiwen search 劳务协作
      jiwen search 劳务 协作                # both words
      jiwen search '"技能培训" AND 补贴' --since 2023-01 --sort date
      jiwen search 务工 --place 贵州省 --facet program --facet month
      jiwen search --program 春风行动 --json
      jiwen search 就业 --site local --facet site   # ingested files
    """
    from jiwen.library.search import run_search

    query = " ".join(words)

    request = SearchRequest(
        query=query, place=place, program=program, site=site, since=since, until=until,
        sort=sort, limit=limit, page=page, facets=list(facets), include_offtopic=include_all,
    )  # fmt: skip
    archive = _open_archive(archive_dir, read_only=True)
    response = run_search(archive, request)
    from jiwen.core.terminal import terminal_safe_json
    from jiwen.formatting import format_search

    if as_json:
        click.echo(terminal_safe_json(msgspec.json.encode(response).decode("utf-8")))
        return
    click.echo(format_search(response, request, color=sys.stdout.isatty()))


@cli.command()
@click.argument("words", nargs=-1)
@archive_option
@filter_options
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["json", "jsonl", "facts-jsonl", "csv", "indicators-csv", "indicators-jsonl"]),
    default="jsonl",
    show_default=True,
)
@click.option("--kind", "kinds", help=f"Only these fact kinds, comma-separated ({','.join(FACT_KINDS)}).")
@click.option(
    "--changed-since",
    help="Only articles extracted or changed since this time: an ISO 8601 date or date-time (UTC unless it has an offset), e.g. 2026-11-01 or 2026-11-01T08:00:00+08:00.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE atomically (default: stdout).")
@click.option(
    "--role",
    type=click.Choice(ROLE_CHOICES),
    default="actual",
    show_default=True,
    help="indicators-*: only the figures of this role (any: all of them).",
)
@click.option("--schema", "schema_only", is_flag=True, help="Print the JSON Schema of the chosen format and exit.")
@click.option("--mentioning", help="Only articles that mention this place (what --place means for search).")
@click.option("--bom", is_flag=True, help="Start a CSV with the UTF-8 byte-order mark, so Excel reads its Chinese.")
def export(
    words,
    archive_dir,
    place,
    program,
    site,
    since,
    until,
    include_all,
    format_name,
    kinds,
    changed_since,
    role,
    output,
    schema_only,
    mentioning,
    bom,
) -> None:
    """Export articles with their facts (json, jsonl), the facts alone (facts-jsonl, csv) or the
    numeric facts as a tidy table of indicators (indicators-csv, indicators-jsonl).

    --place means the place a thing is about: for the fact formats (facts-jsonl, csv,
    indicators-*) the facts attributed to that place or a place inside it (a figure by its
    place, a place fact by its name), whatever the article is mainly about; for the article
    formats (json, jsonl) the articles about it, as in search. --mentioning PLACE keeps the
    articles that mention the place, in every format.

    \b
    Examples:
      jiwen export --format json -o archive.json
      jiwen export --format facts-jsonl --kind count,money --place 贵州省 -o facts.jsonl
      jiwen export --format facts-jsonl --mentioning 从江县 -o congjiang-articles-facts.jsonl
      jiwen export 劳务协作 --since 2023-01 --format csv --bom -o facts.csv
      jiwen export --changed-since 2026-11-01T00:00:00 --format jsonl
      jiwen export --schema --format facts-jsonl
      jiwen export --format indicators-csv --place 贵州省 -o indicators.csv
    """
    from jiwen.core.schema import schema_for
    from jiwen.core.terminal import TerminalSafeStream
    from jiwen.library.export import FACT_FORMATS, INDICATOR_FORMATS, atomic_output, select_articles, select_fact_articles, write_export

    if schema_only:
        click.echo(json.dumps(schema_for(format_name), ensure_ascii=False, indent=2))
        return
    from jiwen.library.search import require_searchable_words

    query = " ".join(words)
    kind_list = _parse_kinds(kinds)
    changed_since = _parse_changed_since(changed_since)
    if place and mentioning and format_name not in FACT_FORMATS:
        raise click.UsageError("for the article formats --place and --mentioning are one filter; give one of them")
    # For the fact formats, --place is the place a fact is about (hierarchical), not the article's.
    fact_place = place if format_name in FACT_FORMATS else None
    request = SearchRequest(
        query=query, place=mentioning or (None if fact_place else place), program=program, site=site,
        since=since, until=until, kinds=kind_list, sort="date", include_offtopic=include_all,
    )  # fmt: skip
    archive = _open_archive(archive_dir, read_only=True)
    require_searchable_words(query, archive.index_dir)
    from jiwen.library.names import place_problem, raise_problems

    raise_problems({"place": place_problem(place), "mentioning": place_problem(mentioning, "mentioning")})
    if fact_place and format_name not in INDICATOR_FORMATS:
        articles = select_fact_articles(archive, request, fact_place, changed_since=changed_since, include_all=include_all)
    else:
        articles = select_articles(archive, request, changed_since=changed_since, include_all=include_all)
    figure_place = fact_place if format_name in INDICATOR_FORMATS else None
    stdout = sys.stdout.buffer
    if output is None and (format_name not in ("csv", "indicators-csv") or sys.stdout.isatty()):
        # Page text never reaches a terminal raw: JSON is escaped losslessly wherever it goes; CSV
        # is cleaned only on a terminal (a redirected CSV keeps the text as archived).
        stdout = TerminalSafeStream(stdout, lossless_json=format_name not in ("csv", "indicators-csv"))
    # No bar while the export itself scrolls past on the same terminal.
    with (
        ProgressBar("export", "article", enabled=output is not None or not sys.stdout.isatty()) as bar,
        atomic_output(output, stdout) as stream,
    ):
        count = write_export(
            articles,
            format_name,
            stream,
            figure_place=figure_place,
            role=role if format_name in INDICATOR_FORMATS else None,
            bom=bom,
            progress=bar.update,
        )
    unit = "articles" if format_name in ("json", "jsonl") else "facts"
    click.echo(f"exported {count} {unit}" + (f" to {output}" if output else ""), err=True)


@cli.command()
@click.argument("measure", required=False, default="")
@archive_option
@click.option("--place", help="Only figures about this place or a place inside it (贵州省 takes 从江县).", callback=_not_blank)
@click.option("--by", "period", type=click.Choice(["month", "quarter", "year"]), default="month", show_default=True)
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path), help="Also draw the chart into FILE.png or FILE.svg.")
@click.option(
    "--role",
    type=click.Choice(ROLE_CHOICES),
    default="actual",
    show_default=True,
    help="Which figures to compare: results (actual), targets, allocations, standards, changes, or any.",
)
@click.option("--json", "as_json", is_flag=True, help='Machine output: {"measure","by","role","points":[...]}.')
@click.option("--list", "list_only", is_flag=True, help="List the indicators: figures, places and latest period of each.")
def trends(measure, archive_dir, place, period, role, plot_path, as_json, list_only) -> None:
    """An indicator over time, by place: the latest figure reported per place and period.

    MEASURE is a normalized indicator name (default: the archive's most reported one; --list
    shows them). A figure belongs to the period of its period_end, else of its article's
    publication date. Only figures of one role are compared (results by default): a plan is never
    plotted as a result. An unknown indicator or place exits 1 with the closest known names.

    \b
    Examples:
      jiwen trends --list
      jiwen trends 农村劳动力转移就业人数 --by year
      jiwen trends 城镇新增就业人数 --place 贵州省 --by quarter --plot trend.png
      jiwen trends 失业率 --json
      jiwen trends 农村劳动力转移就业人数 --role target     # the plans, apart from the results
    """
    from jiwen.core.paths import output_problem
    from jiwen.library.trends import archive_trend, plot_series

    if plot_path is not None and (problem := output_problem(plot_path)):
        raise JiwenError(problem)
    archive = _open_archive(archive_dir, read_only=True)
    if list_only:
        from jiwen.library.facts import list_indicators

        summaries = list_indicators(archive)
        if as_json:
            click.echo(msgspec.json.encode(summaries).decode("utf-8"))
            return
        from jiwen.formatting import format_indicators

        click.echo(format_indicators(summaries))
        return
    series = archive_trend(archive, measure or None, place=place, by=period, role=role)
    if plot_path is not None:
        plot_series(series, plot_path)
        click.echo(f"wrote {plot_path}", err=True)
    if as_json:
        click.echo(msgspec.json.encode(series).decode("utf-8"))
        return
    from jiwen.formatting import format_trend

    click.echo(format_trend(series))


@cli.command()
@archive_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback belongs behind a reverse proxy with authentication.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8023, show_default=True)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    help="Also answer requests for this host name (repeatable): the name a reverse proxy forwards. Others get 403.",
)
def serve(archive_dir, host, port, allow_hosts) -> None:
    """Browse the archive in a web browser: search with facets, articles with their facts, trends, sites.

    Read-only: it never writes the archive and serves while a crawl or an ingest writes it.

    \b
    Examples:
      jiwen serve                         # then open http://127.0.0.1:8023/
      jiwen serve --archive ./archive --port 9000
      jiwen serve --allow-host jiwen.example.org   # behind a proxy that forwards that name
    """
    from jiwen.web.app import check_archive, run_server

    directory = resolve_archive_dir(archive_dir)
    check_archive(directory)
    run_server(directory, host=host, port=port, allow_hosts=allow_hosts, echo=click.echo)


@cli.command()
@archive_option
@click.option(
    "--merge", "merge_only", is_flag=True,
    help="Only merge the index's segments into one (no rebuild): after many crawls and ingests, "
    "searches look each word up once instead of once per segment.",
)  # fmt: skip
def reindex(archive_dir: Path | None, merge_only: bool) -> None:
    """Rebuild the search index from the store (it is derived data), merged into one segment.

    \b
    Examples:
      jiwen reindex --archive ./archive
      jiwen reindex --merge               # keep the index, merge its segments
    """
    from jiwen.library.maintenance import merge_index
    from jiwen.library.maintenance import reindex as rebuild

    directory = resolve_archive_dir(archive_dir)
    archive = _open_archive(directory)
    if merge_only:
        with _writer_lock(directory, "jiwen reindex"):
            before, after = merge_index(archive)
        click.echo(f"index segments: {before} before, {after} after")
        return
    with _writer_lock(directory, "jiwen reindex"), ProgressBar("reindex", "article") as bar:
        count = rebuild(archive, progress=bar.update)
    click.echo(f"indexed {count} articles")


@cli.command()
@archive_option
@click.option("--site", "site_name", help="Only this site's pages (after editing its [site.extract] in sites.toml).")
@click.option("--quiet", "-q", is_flag=True, help="Only the summary line.")
@click.option(
    "--workers", type=click.IntRange(1, 64), default=1, show_default=True,
    help="Processes that extract pages (one process still stores them, in order). On two cores, worth it when "
    "few articles change (1.7x; unchanged ones are not indexed again); when most do, the indexer takes the second core.",
)  # fmt: skip
def reextract(archive_dir: Path | None, site_name: str | None, quiet: bool, workers: int) -> None:
    """Re-run extraction over the stored raw pages (after jiwen improves, or after a site's
    extraction overrides changed), then update the index.

    \b
    Examples:
      jiwen reextract --archive ./archive
      jiwen reextract --site hrss-guangdong
    """
    from jiwen.crawler.sites import find_site, load_sites
    from jiwen.library.maintenance import reextract as run_reextract

    if site_name:
        chosen = find_site(load_sites(), site_name)  # a broken sites file or unknown name: one line
        overrides = {chosen.name: chosen.extract} if chosen.extract else {}
    else:
        try:
            overrides = {site.name: site.extract for site in load_sites() if site.extract}
        except JiwenError:
            overrides = {}  # a broken sites file must not keep the archive from re-extracting

    directory = resolve_archive_dir(archive_dir)
    archive = _open_archive(directory)

    from jiwen.core.terminal import terminal_safe

    with _writer_lock(directory, "jiwen reextract"), ProgressBar("reextract", "page") as bar:

        def report(outcome) -> None:
            if outcome.status == "failed":
                bar.echo(terminal_safe(f"jiwen: {outcome.url}: {outcome.message}"), err=True)
            elif not quiet:
                bar.echo(terminal_safe(f"{outcome.status:<9} {outcome.article_id}  {outcome.url}"))

        counts = run_reextract(
            archive, on_outcome=report, site=site_name, overrides=overrides, progress=bar.update, workers=workers
        )  # fmt: skip
    click.echo(_summary(counts))


@cli.command()
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Machine output.")
def stats(archive_dir: Path | None, as_json: bool) -> None:
    """Counts of pages, articles and facts, by kind, site and month.

    \b
    Example:
      jiwen stats --archive ./archive
    """
    archive = _open_archive(archive_dir, read_only=True)
    numbers = archive.stats()
    from jiwen.core.terminal import terminal_safe_json
    from jiwen.formatting import format_stats

    if as_json:
        click.echo(terminal_safe_json(json.dumps(numbers, ensure_ascii=False, indent=2)))
        return

    click.echo(format_stats(numbers, archive.directory))


@cli.command()
@archive_option
@click.option("--repair", is_flag=True, help="Rebuild the index from the store when they disagree.")
def check(archive_dir: Path | None, repair: bool) -> None:
    """Verify that the index agrees with the store; --repair rebuilds it when not.

    \b
    Example:
      jiwen check --repair
    """
    from jiwen.library.maintenance import check as run_check
    from jiwen.library.maintenance import reindex as rebuild

    directory = resolve_archive_dir(archive_dir)
    # With --repair, opened as a writer even when nothing needs rebuilding: a writer settles the
    # runs of killed processes (`jiwen runs` stops showing them as running) without the lock.
    archive = _open_archive(directory, read_only=not repair)
    state = run_check(archive)
    click.echo(
        f"store: {state.stored} indexable articles; index: {state.indexed}; "
        f"missing: {state.missing_from_index}; extra: {state.extra_in_index}; pending: {state.pending}"
    )
    if state.consistent:
        click.echo("consistent")
        return
    if not repair:
        raise JiwenError("index and store disagree; run 'jiwen check --repair' to rebuild the index")
    archive.close()
    with _writer_lock(directory, "jiwen check --repair"):
        count = rebuild(_open_archive(directory))
    click.echo(f"repaired: re-indexed {count} articles")


render_option = click.option(
    "--render",
    type=click.Choice(["auto", "browser", "http"]),
    help="Every site's pages: 'auto' (plain HTTP, headless chromium after a JavaScript challenge), 'browser' or 'http' (default: each site's `render`).",
)


@cli.command()
@archive_option
@click.option("--site", "site_names", multiple=True, help="A site from sites.toml (repeatable).")
@click.option("--url", "urls", multiple=True, help="Crawl from this URL (its host only) without a sites.toml entry.")
@click.option("--all-sites", is_flag=True, help="Every site in sites.toml.")
@click.option("--no-throttle", is_flag=True, help="No politeness delays (only for your own servers).")
@render_option
@click.option(
    "--workers", type=click.IntRange(1, 8),
    help="Processes that extract pages once the crawl keeps the page pipeline busy (default: 2 on two or more cores; 1: "
    "the pipeline extracts them itself, least memory). Pages are stored in the order they came, whatever the number.",
)  # fmt: skip
def crawl(archive_dir, site_names, urls, all_sites, no_throttle, render, workers) -> None:
    """Crawl configured sites (or a URL) into the archive; already archived articles are skipped.

    \b
    Examples:
      jiwen crawl --site hrss-guizhou
      jiwen crawl --url http://127.0.0.1:8000/ --archive ./archive
      jiwen crawl --all-sites        # cron-safe: a second crawl on one archive exits with a message
      jiwen crawl --url http://127.0.0.1:8000/ --render browser   # pages built by JavaScript
    """
    from jiwen.crawler.sites import load_sites
    from jiwen.library.crawl import crawl as crawl_into_archive

    if not (site_names or urls or all_sites):
        raise click.UsageError("name a --site, a --url or --all-sites")
    from jiwen.schedule import SCHEDULER_PID_ENV, stop_when_orphaned

    if (parent := os.environ.get(SCHEDULER_PID_ENV, "")).isdigit():
        stop_when_orphaned(int(parent))  # started by `jiwen schedule`: do not outlive it
    sites = None
    if site_names or all_sites:
        configured = {site.name: site for site in load_sites()}
        unknown = [name for name in site_names if name not in configured]
        if unknown:
            raise JiwenError(f"no site named {', '.join(unknown)} in sites.toml; 'jiwen sites' lists them")
        # --all-sites means what `jiwen schedule` crawls: entries with enabled = false stay out;
        # a disabled site named with --site is still crawled (the user asked for it).
        enabled = [site for site in configured.values() if site.enabled]
        sites = enabled if all_sites else [configured[name] for name in site_names]
    directory = resolve_archive_dir(archive_dir)
    overrides = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0} if no_throttle else {}
    if render:
        overrides["JIWEN_RENDER"] = render
    with _writer_lock(directory, "jiwen crawl"):
        report = crawl_into_archive(directory, sites=sites, urls=list(urls) or None, settings_overrides=overrides, extract_workers=workers)
    from jiwen.formatting import format_crawl_report

    click.echo(format_crawl_report(report))
    if report.get("browser_missing"):
        click.echo(f"jiwen: {report['browser_missing']}", err=True)
        sys.exit(1)
    if report.get("nothing_found"):
        click.echo(f"jiwen: nothing crawled: {report['nothing_found']}", err=True)
        sys.exit(1)
    if report.get("outcome") == "failed":
        sys.exit(1)


@cli.command()
@archive_option
@click.option(
    "--site", "site_names", multiple=True, help="Only these sites (default: every enabled site in sites.toml, unless --url is given)."
)
@click.option("--url", "urls", multiple=True, help="Crawl this URL (its host only) on the --every interval (default 6h).")
@click.option("--every", help="Override every interval: '30m', '6h', '1d', or a cron expression '0 */6 * * *'.")
@click.option("--max-runs", type=click.IntRange(1), help="Stop after this many crawl runs, skipped ones included (for testing).")
@click.option(
    "--now", "at_once", is_flag=True, help="Crawl every site at once first, however recently it was crawled; then keep the intervals."
)
@render_option
def schedule(archive_dir, site_names, urls, every, max_runs, at_once, render) -> None:
    """Run in the foreground and crawl each site at its interval, until SIGINT/SIGTERM.

    Suitable for systemd (see contrib/jiwen-schedule.service) or a terminal. Each crawl runs as
    its own `jiwen crawl` process under the archive lock. SIGHUP re-reads sites.toml.

    \b
    Examples:
      jiwen schedule
      jiwen schedule --site hrss-guizhou --every 6h
      jiwen schedule --now                # the first round at once, not at each site's next time
      jiwen schedule --url http://127.0.0.1:8000/ --every 30m --archive ./archive
      jiwen schedule --render browser     # every crawl renders its pages in headless chromium
    """
    from jiwen.schedule import run_schedule

    run_schedule(
        resolve_archive_dir(archive_dir),
        site_names=list(site_names),
        urls=list(urls),
        every=every,
        max_runs=max_runs,
        echo=click.echo,
        now=at_once,
        render=render,
    )


@cli.group(invoke_without_command=True)
@archive_option
@click.option("--health", is_flag=True, help="Per site: last run, new articles per day, blocked/errors, next run, stale columns.")
@click.option("--json", "as_json", is_flag=True, help="With --health: machine output.")
@click.pass_context
def sites(ctx: click.Context, archive_dir: Path | None, health: bool, as_json: bool) -> None:
    """List the configured sites (sites.toml), or their health; `sites discover` adopts a new one.

    \b
    Examples:
      jiwen sites
      jiwen sites --health
      jiwen sites --health --json
      jiwen sites discover https://rst.example.gov.cn/ --write
    """
    if ctx.invoked_subcommand is not None:
        return
    from jiwen.core.terminal import terminal_safe, terminal_safe_json
    from jiwen.crawler.sites import load_sites

    configured = load_sites()
    if health:
        from jiwen.formatting import format_health
        from jiwen.library.health import site_health

        report = site_health(_open_archive(archive_dir), configured)
        if as_json:
            click.echo(terminal_safe_json(msgspec.json.encode(report).decode("utf-8")))
        else:
            click.echo(terminal_safe(format_health(report), multiline=True))
        return
    for site in configured:
        state = "" if site.enabled else "  (disabled)"
        click.echo(terminal_safe(f"{site.name:<18} {site.interval:<16} {', '.join(site.start_urls)}{state}"))


@sites.command()
@click.argument("url")
@click.option("--depth", type=click.IntRange(0, 5), default=2, show_default=True, help="Links followed from URL.")
@click.option("--max-pages", type=click.IntRange(1, 500), default=60, show_default=True, help="Pages fetched at most, samples included.")
@click.option("--name", help="The site's name (default: derived from the host).")
@click.option("--interval", default="6h", show_default=True, help="How often `jiwen schedule` crawls it.")
@click.option("--write", is_flag=True, help="Append the entry to your sites.toml ($JIWEN_SITES, else ~/.config/jiwen/sites.toml).")
@click.option("--no-throttle", is_flag=True, help="No politeness delays (only for your own servers).")
@render_option
def discover(
    url: str, depth: int, max_pages: int, name: str | None, interval: str, write: bool, no_throttle: bool, render: str | None
) -> None:
    """Find a site's news columns from its address and print a [[site]] entry for sites.toml.

    Follows in-site links DEPTH deep (robots.txt and delays obeyed), reads a few articles of each
    list it finds and keeps the columns that are mostly employment news. The entry goes to
    stdout, one comment line per column found; --write appends it to your sites.toml.

    \b
    Examples:
      jiwen sites discover https://rst.example.gov.cn/
      jiwen sites discover https://rst.example.gov.cn/ --name rst-example --write
      jiwen sites discover https://rst.example.gov.cn/ --render browser   # columns drawn by scripts
    """
    from jiwen.crawler.site_entry import append_site_entry, render_site_entry, user_sites_file
    from jiwen.crawler.spiders.discover import discover_site

    overrides: dict = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0} if no_throttle else {}
    if render:
        overrides["JIWEN_RENDER"] = render  # the crawl's setting (crawler/browser.py)
    with ProgressBar("discover", "page") as bar:
        found = discover_site(url, depth=depth, max_pages=max_pages, settings_overrides=overrides, progress=bar.update)
    entry = render_site_entry(found, name=name, interval=interval)
    click.echo(entry, nl=False)
    if write:
        path = append_site_entry(user_sites_file(), entry)
        click.echo(f"appended to {path}; `jiwen crawl --site NAME` crawls it", err=True)


@cli.group()
def watch() -> None:
    """Saved searches that tell you when a new article matches: after every crawl the new matches
    are recorded and counted; `watch check` lists them; `jiwen serve` has a feed of each
    (/watch/NAME.atom).

    \b
    Examples:
      jiwen watch add guizhou-labour 劳务协作 --place 贵州省
      jiwen watch add spring --program 春风行动 --site hrss-guizhou
      jiwen watch list
      jiwen watch check
      jiwen watch remove spring
    """


@watch.command("add")
@click.argument("name")
@click.argument("words", nargs=-1)
@archive_option
@click.option("--place", help="Only articles about this place or a place inside it.")
@click.option("--program", help="Only articles naming this programme.")
@click.option("--site", help="Only articles from this site (or 'local').")
def watch_add(name, words, archive_dir, place, program, site) -> None:
    """Save a watch NAME for the search WORDS (and filters); what it matches now counts as seen."""
    from jiwen.library.watches import add_watch

    directory = resolve_archive_dir(archive_dir)
    with _writer_lock(directory, "jiwen watch add"):
        added = add_watch(_open_archive(directory), name, " ".join(words), place=place, program=program, site=site)
    click.echo(f"watch {added.name} added; {added.matches} articles match already (counted as seen)")


@watch.command("list")
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Machine output.")
def watch_list(archive_dir, as_json) -> None:
    """The watches, with how many articles each has matched."""
    from jiwen.core.terminal import terminal_safe
    from jiwen.library.watches import list_watches

    watches = list_watches(_open_archive(archive_dir, read_only=True))
    if as_json:
        click.echo(msgspec.json.encode(watches).decode("utf-8"))
        return
    if not watches:
        click.echo("no watches; 'jiwen watch add NAME QUERY' makes one")
    for item in watches:
        filters = " ".join(
            f"--{key} {value}" for key, value in (("place", item.place), ("program", item.program), ("site", item.site)) if value
        )
        click.echo(
            terminal_safe(f"{item.name:<20} {item.matches:>5} matches  last {item.last_match or '-'}  {item.query} {filters}".rstrip())
        )


@watch.command("remove")
@click.argument("name")
@archive_option
def watch_remove(name, archive_dir) -> None:
    """Forget the watch NAME and its matches."""
    from jiwen.library.watches import remove_watch

    directory = resolve_archive_dir(archive_dir)
    with _writer_lock(directory, "jiwen watch remove"):
        remove_watch(_open_archive(directory), name)
    click.echo(f"watch {name} removed")


@watch.command("check")
@archive_option
@click.option("--json", "as_json", is_flag=True, help='Machine output: {"NAME": [hits...]}.')
def watch_check(archive_dir, as_json) -> None:
    """Record and list every watch's new matches since the last check (a crawl checks too)."""
    from jiwen.core.terminal import terminal_safe
    from jiwen.library.watches import check_watches

    directory = resolve_archive_dir(archive_dir)
    with _writer_lock(directory, "jiwen watch check"):
        new = check_watches(_open_archive(directory))
    if as_json:
        click.echo(msgspec.json.encode(new).decode("utf-8"))
        return
    if not new:
        click.echo("no watches; 'jiwen watch add NAME QUERY' makes one")
    for name, hits in new.items():
        click.echo(terminal_safe(f"{name}: {len(hits)} new"))
        for hit in hits:
            click.echo(terminal_safe(f"  {(hit.published or 'undated')[:10]}  {hit.title or '(untitled)'}  {hit.url or hit.id}"))


@cli.command()
@archive_option
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def runs(archive_dir: Path | None, limit: int, as_json: bool) -> None:
    """The history of crawls, ingests and re-extractions, newest first.

    \b
    Example:
      jiwen runs --limit 5
    """
    archive = _open_archive(archive_dir, read_only=True)
    history = archive.runs(limit)
    from jiwen.core.terminal import terminal_safe_json
    from jiwen.formatting import format_runs

    if as_json:
        click.echo(terminal_safe_json(json.dumps(history, ensure_ascii=False, indent=2)))
        return

    click.echo(format_runs(history))


@cli.command()
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the demo archive here (default: a new temporary folder).",
)
@click.option("--query", "queries", multiple=True, help="Search these after the crawl (default: a few typical ones).")
def demo(archive_dir: Path | None, queries: tuple[str, ...]) -> None:
    """Serve the bundled sample site on 127.0.0.1, crawl it, index it and search it.

    \b
    Examples:
      jiwen demo
      jiwen demo --archive ./demo-archive --query 春风行动
    """
    from jiwen.demo.run import run_demo

    with ProgressBar("crawl", "page") as bar:
        run_demo(archive_dir, list(queries), echo=bar.echo, progress=bar.update)


def _parse_kinds(kinds: str | None) -> list[str]:
    if not kinds:
        return []
    chosen = [kind.strip() for kind in kinds.split(",") if kind.strip()]
    unknown = [kind for kind in chosen if kind not in FACT_KINDS]
    if unknown:
        raise click.BadParameter(f"unknown kind {', '.join(unknown)}; choose from {', '.join(FACT_KINDS)}", param_hint="--kind")
    return chosen


def _parse_changed_since(value: str | None) -> str | None:
    """An ISO 8601 date or date-time as the store writes its times (UTC, to the second), so the
    store's text comparison is a comparison of times. Anything else is refused: 'yesterday'
    compared as text matched nothing, "'" matched everything."""
    if value is None:
        return None
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise JiwenError(
            f"bad --changed-since {value!r}: give an ISO 8601 date or date-time, e.g. 2026-11-01 or "
            "2026-11-01T08:00:00 (UTC) or 2026-11-01T08:00:00+08:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _summary(counts: dict[str, int]) -> str:
    if not counts:
        return "nothing to do"
    return ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))


# Set by a one-shot command that holds nothing to clean up (no archive, lock, log file or worker):
# its process may end without the interpreter's teardown, which frees every object spaCy, the
# dictionaries and the segmenter made one by one (a fifth of `jiwen extract`'s CPU time).
_quick_exit = False


def main() -> None:
    try:
        cli(prog_name="jiwen")
    except SystemExit as done:
        if _quick_exit and done.code in (0, None):
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except OSError:  # a reader that left (| head): the ordinary exit handles it
                raise done from None
            os._exit(0)
        raise
    except BrokenPipeError:
        # `jiwen export | head`: the reader left; not an error worth a traceback.
        sys.stderr.close()
        sys.exit(0)
