"""An indicator over time, by place: the series behind `jiwen trends`, `/trends` and `/api/trends`.

What a point is, so the numbers can be trusted:
- **Which figures**: the numeric facts whose `measure` is the indicator asked for (the normalized
  names of extract's indicator data file, e.g. 农村劳动力转移就业人数), from the articles an export
  would write (on topic, not near-duplicates), read from the articles the store's `figures` table names (no other article is decoded); with `--place`, only figures about that place or a
  place inside it (`jiwen.library.indicators.PlaceScope`, hierarchical like search's `--place`).
- **Which period**: the figure's `period_end` (the end of the time it covers: 截至10月底 -> 10-31),
  else the article's publication date; figures with neither are counted as `undated` and left out.
- **Which role**: results (`actual`) unless asked (`role`): a target is never plotted as a result,
  a per-person standard or a budget never sits among paid-out totals.
- **One figure, many reports**: a point lists every article that reported the very same figure
  (`sources`: same period and value), and the other values reported for the same measure, place,
  role and period (`conflicting_values`): kept and flagged, never averaged away.
- **Which value**: labour-market figures are mostly cumulative (今年以来/截至…累计) and one figure is
  repeated by several articles, so figures are never summed. A point is the *latest* figure reported
  for that place in that period: the one with the latest period end, then the latest publication,
  then the largest value. `reports` says how many figures the point was chosen from. Places are
  kept apart (a province's figure and its counties' figures are different points), so nothing is
  counted twice.
"""

from __future__ import annotations

import functools
import io
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from jiwen.core.errors import JiwenError
from jiwen.core.models import FigureRole, IndicatorRow, TrendPeriod, TrendPoint, TrendSeries
from jiwen.core.paths import atomic_write
from jiwen.library.indicators import DEFAULT_ROLE, ROLE_CHOICES, PlaceScope, indicator_row, role_matches
from jiwen.store import Archive

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PERIODS = ("month", "quarter", "year")
DATED_BY = "period_end, else published"
PLOT_FORMATS = (".png", ".svg")
MAX_PLOTTED_PLACES = 8
# Fonts with CJK glyphs that Debian packages install (fonts-noto-cjk, fonts-wqy-zenhei,
# fonts-wqy-microhei, fonts-arphic-*), in order of preference. Without one, the chart's labels
# fall back to text that needs no CJK glyphs (see `_labels`).
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)
# Where those packages put their files. matplotlib knows a font only from its font cache, built the
# first time it ran on the machine: a font installed after that is invisible to it until the cache
# is rebuilt. The chart registers these files itself, so it does not depend on when the cache was made.
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


def measure_counts(archive: Archive) -> Counter[str]:
    """How many figures of each measure the archive reports (on-topic, not duplicated articles)."""
    return Counter(archive.measure_counts())


def most_reported(counts: Counter[str]) -> str | None:
    """The measure with the most figures (ties: the first in Unicode order), or None."""
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0] if counts else None


def archive_trend(
    archive: Archive, measure: str | None = None, *, place: str | None = None, by: str = "month", role: str = DEFAULT_ROLE
) -> TrendSeries:
    """The series of `measure` (default: the archive's most reported one) in `archive`, of the
    figures of `role` ("any": all)."""
    _check_period(by)
    _check_role(role)
    if not measure:
        measure = most_reported(measure_counts(archive))
        if measure is None:
            raise JiwenError(
                f"archive {archive.directory} has no figure with a measure yet; "
                "measures come from extraction (jiwen reextract after upgrading)"
            )
    from jiwen.library.names import measure_problem, place_problem, raise_problems

    counts = archive.measure_counts()
    raise_problems({"measure": measure_problem(measure, counts), "place": place_problem(place)})
    rows = (row for article, fact in archive.measured_facts(measure.strip()) if (row := indicator_row(article, fact)) is not None)
    return trend_series(rows, measure, place=place, by=by, role=role)


def trend_series(
    rows: Iterable[IndicatorRow], measure: str, *, place: str | None = None, by: str = "month", role: str = DEFAULT_ROLE
) -> TrendSeries:
    """The latest figure of `measure` per place and period (see the module's docstring)."""
    _check_period(by)
    _check_role(role)
    measure = measure.strip()
    scope = PlaceScope(place) if place and place.strip() else None
    chosen: dict[tuple[str, str | None], IndicatorRow] = {}
    reports: Counter[tuple[str, str | None]] = Counter()
    # (point, period start, period end, role) -> value -> the articles that reported it
    reported: dict[tuple[tuple[str, str | None], str | None, str | None, FigureRole | None], dict[float, list[str]]] = {}
    undated = 0
    for row in rows:
        if row.measure != measure or not role_matches(row, role) or (scope is not None and row not in scope):
            continue
        period = period_of(row, by)
        if period is None:
            undated += 1
            continue
        key = (period, row.place)
        reports[key] += 1
        sources = reported.setdefault((key, row.period_start, row.period_end, row.role), {}).setdefault(row.value, [])
        if row.article_id not in sources:
            sources.append(row.article_id)
        if key not in chosen or _recency(row) > _recency(chosen[key]):
            chosen[key] = row

    def observed(key: tuple[str, str | None], row: IndicatorRow) -> tuple[list[str], list[float]]:
        values = reported.get((key, row.period_start, row.period_end, row.role), {})
        return values.get(row.value, [row.article_id]), sorted(value for value in values if value != row.value)

    points = [
        TrendPoint(
            period=key[0],
            place=row.place,
            place_adcode=row.place_adcode,
            value=row.value,
            unit=row.unit,
            qualifier=row.qualifier,
            reports=reports[key],
            period_end=row.period_end,
            published=row.published,
            article_id=row.article_id,
            url=row.url,
            sentence=row.sentence,
            role=row.role,
            sources=observed(key, row)[0],
            conflicting_values=observed(key, row)[1],
        )
        for key, row in sorted(chosen.items(), key=lambda item: (item[0][0], item[0][1] or ""))
    ]
    # by and role are checked above (_check_period, _check_role)
    return TrendSeries(
        measure=measure,
        place=place or None,
        by=cast(TrendPeriod, by),
        dated_by=DATED_BY,
        points=points,
        undated=undated,
        role=cast(Any, role),
    )


def period_of(row: IndicatorRow, by: str) -> str | None:
    """The period a figure belongs to: 2024-03, 2024-Q1 or 2024, from its period end, else the
    article's publication date; None when neither gives what `by` needs."""
    date = row.period_end or (row.published[:10] if row.published else None)
    if not date or len(date) < 4 or not date[:4].isdigit():
        return None
    if by == "year":
        return date[:4]
    if len(date) < 7 or not date[5:7].isdigit() or not 1 <= int(date[5:7]) <= 12:
        return None
    if by == "month":
        return date[:7]
    return f"{date[:4]}-Q{(int(date[5:7]) - 1) // 3 + 1}"


def period_range(periods: list[str], by: str) -> list[str]:
    """Every period from the first to the last of `periods` (sorted), so a chart's spacing is
    time and a period without figures shows as a gap."""
    if not periods:
        return []

    def number(period: str) -> int:
        year = int(period[:4])
        if by == "year":
            return year
        if by == "quarter":
            return year * 4 + int(period[6]) - 1
        return year * 12 + int(period[5:7]) - 1

    def label(value: int) -> str:
        if by == "year":
            return str(value)
        if by == "quarter":
            return f"{value // 4}-Q{value % 4 + 1}"
        return f"{value // 12}-{value % 12 + 1:02d}"

    return [label(value) for value in range(number(periods[0]), number(periods[-1]) + 1)]


def _recency(row: IndicatorRow) -> tuple[str, str, float]:
    return (row.period_end or "", row.published or "", row.value)


def _check_role(role: str) -> None:
    if role not in ROLE_CHOICES:
        raise JiwenError(f"unknown role {role!r}; use one of {', '.join(ROLE_CHOICES)}")


def _check_period(by: str) -> None:
    if by not in PERIODS:
        raise JiwenError(f"unknown period {by!r}; use one of {', '.join(PERIODS)}")


# -- charts ------------------------------------------------------------------------------


def plot_series(series: TrendSeries, path: Path) -> Path:
    """Draw the series with matplotlib (offline, Agg) into a .png or .svg file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PLOT_FORMATS:
        raise JiwenError(f"cannot draw {path.name}: the chart is written as .png or .svg")
    figure = _figure(series)
    try:
        with _style(), atomic_write(path) as handle:  # a regular file, never through a symlink
            figure.savefig(handle, format=suffix[1:], dpi=110, metadata=_metadata(suffix))
    except OSError as error:
        raise JiwenError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        _close(figure)
    return path


def _same(text: str, **values: Any) -> str:
    return text.format(**values) if values else text


def render_svg(series: TrendSeries, translate: Callable[..., str] = _same) -> str:
    """The chart as SVG text (for the web page). Text stays text (svg.fonttype none), escaped by
    matplotlib's SVG writer, so the browser draws the CJK labels with its own fonts. `translate`:
    the page's words (jiwen.web.i18n) for the chart's own ("by quarter", "no figures")."""
    figure = _figure(series, translate)
    buffer = io.StringIO()
    try:
        with _style():
            figure.savefig(buffer, format="svg", metadata=_metadata(".svg"))
    finally:
        _close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


@functools.cache
def cjk_font() -> str | None:
    """The first font with CJK glyphs on this machine, or None: one matplotlib's cache knows, else
    one of the Debian font files, registered with matplotlib here."""
    from matplotlib import font_manager

    available = {entry.name for entry in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in available), None)
    if found is not None:
        return found
    for path in CJK_FONT_FILES:
        if Path(path).is_file():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # an unreadable or damaged font file
                continue
            available = {entry.name for entry in font_manager.fontManager.ttflist}
            found = next((name for name in CJK_FONTS if name in available), None)
            if found is not None:
                return found
    return None


def _style() -> AbstractContextManager[None]:
    """matplotlib settings for drawing and saving: a CJK font when there is one, SVG text kept as
    text, stable SVG ids."""
    import matplotlib

    font = cjk_font()
    return matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "jiwen", "font.family": [font] if font else ["DejaVu Sans"]})


def _metadata(suffix: str) -> dict[str, str | None]:
    # No creation date, so the same series gives the same file.
    return {"Date": None} if suffix == ".svg" else {"Software": "jiwen"}


def _figure(series: TrendSeries, translate: Callable[..., str] = _same) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    font = cjk_font()
    periods = period_range(sorted({point.period for point in series.points}), series.by)
    position = {period: index for index, period in enumerate(periods)}
    by_place: dict[str | None, list[TrendPoint]] = {}
    for point in series.points:
        by_place.setdefault(point.place, []).append(point)
    ranked = sorted(by_place.items(), key=lambda item: (-len(item[1]), item[0] or ""))
    shown, hidden = ranked[:MAX_PLOTTED_PLACES], len(ranked) - MAX_PLOTTED_PLACES
    title, legend = _labels(series, [place for place, _ in shown], cjk=font is not None, translate=translate)
    with _style():
        figure = Figure(figsize=(8, 4.2))
        axes = figure.add_subplot()
        for (_place, points), label in zip(shown, legend):
            axes.plot([position[p.period] for p in points], [p.value for p in points], marker="o", label=label)
        step = max(1, len(periods) // 16)
        axes.set_xticks(
            range(0, len(periods), step),
            periods[::step],
            rotation=45 if len(periods) > 8 else 0,
            ha="right" if len(periods) > 8 else "center",
        )
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}" if abs(value) >= 100 else f"{value:g}"))
        unit = series.points[0].unit if series.points else ""
        axes.set_ylabel(unit if font or unit.isascii() else "")
        axes.set_title(title + (translate(" (+{n} places not drawn)", n=hidden) if hidden > 0 and font else ""))
        axes.grid(True, alpha=0.3)
        if shown:
            axes.legend(fontsize="small")
        if not series.points:
            axes.text(0.5, 0.5, translate("no figures") if font else "no figures", ha="center", va="center", transform=axes.transAxes)
        figure.tight_layout()
    return figure


def _labels(series: TrendSeries, places: list[str | None], *, cjk: bool, translate: Callable[..., str] = _same) -> tuple[str, list[str]]:
    """The title and legend entries; without a CJK font, administrative codes and ASCII words
    stand in for Chinese names (the table beside the chart keeps the names)."""
    if cjk:
        by = translate("(by {by})", by=translate(series.by))
        title = f"{series.measure}" + (f" · {series.place}" if series.place else "") + f" {by}"
        return title, [place or translate("(place not stated)") for place in places]
    codes = {point.place: point.place_adcode for point in series.points}
    return f"indicator by {series.by}", [codes.get(place) or f"place {index + 1}" for index, place in enumerate(places)]


def _close(figure: Figure) -> None:
    figure.clear()
