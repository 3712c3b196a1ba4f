"""Trends: the latest figure per place and period, over a real store of the fixture articles
(tests/fixtures/indicators/articles.toml), the `jiwen trends` CLI and its charts."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from jiwen.core.errors import JiwenError
from jiwen.library.trends import _labels, archive_trend, period_range, plot_series
from jiwen.store import Archive
from tests.conftest import invoke_jiwen
from tests.indicator_archive import add_indicator_articles

RURAL = "农村劳动力转移就业人数"


@pytest.fixture(scope="module")
def trend_archive(tmp_path_factory):
    directory = tmp_path_factory.mktemp("trends") / "archive"
    with Archive(directory) as archive:
        add_indicator_articles(archive)
    assert invoke_jiwen("reindex", "--archive", str(directory)).returncode == 0
    with Archive(directory, read_only=True) as archive:
        yield archive


def points(series) -> list[tuple]:
    return [(point.period, point.place, point.value, point.reports) for point in series.points]


def test_a_yearly_series_keeps_the_latest_figure_of_each_place_never_a_sum(trend_archive):
    series = archive_trend(trend_archive, RURAL, place="贵州省", by="year")
    assert points(series) == [
        ("2023", "从江县", 142000, 1),
        ("2023", "贵州省", 6552000, 4),  # the year-end figure, not the sum of four reports
        ("2023", "黔东南苗族侗族自治州", 987000, 1),
        ("2024", "贵州省", 6201000, 1),
    ]
    assert series.undated == 1 and series.dated_by == "period_end, else published"


def test_of_two_reports_of_one_period_the_later_published_wins(trend_archive):
    series = archive_trend(trend_archive, RURAL, place="贵州省", by="quarter")
    second_quarter = [point for point in series.points if point.period == "2023-Q2" and point.place == "贵州省"]
    assert [(point.value, point.reports, point.published[:10]) for point in second_quarter] == [(6410000, 2, "2023-07-25")]


def test_a_figure_without_a_period_end_goes_by_its_article_publication_date(trend_archive):
    series = archive_trend(trend_archive, RURAL, place="黔东南", by="month")
    assert points(series) == [("2023-03", "从江县", 142000, 1), ("2023-05", "黔东南苗族侗族自治州", 987000, 1)]
    assert series.points[1].period_end is None and series.points[1].published.startswith("2023-05-08")


def test_without_a_place_every_place_is_its_own_line(trend_archive):
    series = archive_trend(trend_archive, "城镇新增就业人数", by="year")
    assert points(series) == [("2023", "全国", 12440000, 1), ("2023", "贵州省", 352000, 2)]


def test_without_a_measure_the_most_reported_one_is_chosen(trend_archive):
    assert archive_trend(trend_archive, by="year").measure == RURAL


def test_an_unknown_measure_is_an_error_with_the_closest_names_and_so_is_a_bad_period(trend_archive):
    with pytest.raises(JiwenError, match="no indicator '农村劳动力转移'; did you mean 农村劳动力转移就业人数"):
        archive_trend(trend_archive, "农村劳动力转移", by="year")
    with pytest.raises(JiwenError, match="unknown period 'week'"):
        archive_trend(trend_archive, RURAL, by="week")


def test_periods_between_the_first_and_last_are_all_on_the_axis():
    assert period_range(["2023-Q3", "2024-Q2"], "quarter") == ["2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
    assert period_range(["2023-11", "2024-02"], "month") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert period_range(["2021", "2023"], "year") == ["2021", "2022", "2023"]


def test_jiwen_trends_prints_the_table_and_json(trend_archive):
    archive = ["--archive", str(trend_archive.directory)]
    table = invoke_jiwen("trends", RURAL, "--place", "贵州省", "--by", "year", *archive)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].startswith(f"{RURAL} in 贵州省") and len([line for line in lines if line.startswith("202")]) == 4
    assert any("6,552,000" in line and "贵州省" in line for line in lines)
    printed = json.loads(invoke_jiwen("trends", RURAL, "--by", "year", "--json", *archive).stdout)
    assert printed["measure"] == RURAL and printed["by"] == "year" and len(printed["points"]) == 5


def test_plot_writes_a_real_png(trend_archive, tmp_path):
    from PIL import Image

    target = tmp_path / "trend.png"
    result = invoke_jiwen("trends", RURAL, "--by", "quarter", "--plot", str(target), "--archive", str(trend_archive.directory))
    assert result.returncode == 0 and f"wrote {target}" in result.stderr
    with Image.open(target) as image:
        assert image.format == "PNG" and image.size[0] >= 600 and image.size[1] >= 300
        assert len(image.convert("RGB").getcolors(1 << 20)) > 20  # lines, markers, text: not a blank canvas


def test_plot_writes_a_real_svg_with_one_line_per_place(trend_archive, tmp_path):
    target = tmp_path / "trend.svg"
    plot_series(archive_trend(trend_archive, RURAL, place="贵州省", by="quarter"), target)
    root = ElementTree.parse(target).getroot()
    assert root.tag.endswith("svg")
    lines = [element for element in root.iter() if element.get("id", "").startswith("line2d_")]
    text = ElementTree.tostring(root, encoding="unicode")
    assert "贵州省" in text and "从江县" in text and len(lines) >= 3


def test_plot_to_an_unknown_format_or_folder_is_one_line(trend_archive, tmp_path):
    archive = ["--archive", str(trend_archive.directory)]
    wrong = invoke_jiwen("trends", RURAL, "--plot", str(tmp_path / "trend.gif"), *archive)
    assert wrong.returncode == 1 and wrong.stderr.strip() == "jiwen: cannot draw trend.gif: the chart is written as .png or .svg"
    missing = invoke_jiwen("trends", RURAL, "--plot", str(tmp_path / "no" / "trend.png"), *archive)
    assert missing.returncode == 1 and missing.stderr.startswith("jiwen: cannot write") and missing.stderr.count("\n") == 1


def test_an_archive_without_measures_says_so_in_one_line(tmp_path):
    from tests.store.test_store import make_article, make_page

    with Archive(tmp_path / "archive") as archive:
        page = make_page()
        archive.save_article(
            archive.add_page(page)[0], page, make_article(), relevant=True, relevance=1, fingerprint=None, duplicate_of=None
        )
    result = invoke_jiwen("trends", "--archive", str(tmp_path / "archive"))
    assert result.returncode == 1 and "has no figure with a measure yet" in result.stderr


def test_chart_labels_need_no_cjk_glyphs_when_no_cjk_font_is_installed(trend_archive):
    series = archive_trend(trend_archive, RURAL, by="year")
    title, legend = _labels(series, ["贵州省", "从江县", None], cjk=False)
    assert title.isascii() and all(label.isascii() for label in legend)
    assert legend[:2] == ["520000", "522633"]


def test_the_svg_chart_escapes_names_so_no_markup_gets_in():
    from jiwen.core.models import TrendPoint, TrendSeries
    from jiwen.library.trends import render_svg

    point = TrendPoint(
        period="2024-01", place='<script>alert("x")</script>&', place_adcode=None, value=3, unit="人",
        qualifier="exact", reports=1, period_end=None, published=None, article_id="0", url=None, sentence="",
    )  # fmt: skip
    svg = render_svg(TrendSeries(measure="<b>m</b>", place=None, by="month", dated_by="", points=[point]))
    root = ElementTree.fromstring(svg)
    assert not [element for element in root.iter() if element.tag.rsplit("}", 1)[-1] in ("script", "b", "foreignObject")]
    assert "&lt;script&gt;" in svg and "<script" not in svg


def test_the_chart_finds_a_cjk_font_installed_after_matplotlib_built_its_font_cache():
    """A font cache made before fonts-noto-cjk was installed lists no CJK font; the chart still
    finds the font, from the Debian package's file."""
    from matplotlib import font_manager

    from jiwen.library import trends

    files = [path for path in trends.CJK_FONT_FILES if Path(path).is_file()]
    if not files:
        pytest.skip("no Debian CJK font file is installed here (apt-get install fonts-noto-cjk; .ci/run does)")
    manager = font_manager.fontManager
    saved = list(manager.ttflist)
    manager.ttflist[:] = [entry for entry in saved if entry.name not in trends.CJK_FONTS]  # the stale cache
    trends.cjk_font.cache_clear()
    try:
        assert trends.cjk_font() in trends.CJK_FONTS
    finally:
        manager.ttflist[:] = saved
        trends.cjk_font.cache_clear()


def _row(value, *, role="actual", article="a1", place="贵州省", period_end="2024-03-31", published="2024-04-10"):
    from jiwen.core.models import IndicatorRow
    from jiwen.library.indicators import observation_key

    return IndicatorRow(
        measure=RURAL, subject=None, place=place, place_adcode="520000", province="贵州省", period_start="2024-01-01",
        period_end=period_end, role=role, value=value, value_end=None, unit="人", qualifier="exact", kind="count",
        text=f"{value}人", sentence="", article_id=article, url=None, title=None, published=published, site=None,
        observation=observation_key(RURAL, place, "2024-01-01", period_end, role, value, "人"),
    )  # fmt: skip


def test_a_target_is_never_plotted_as_a_result_and_is_there_when_asked_for():
    from jiwen.library.trends import trend_series

    rows = [_row(3200), _row(5000, role="target", period_end="2024-12-31", article="plan")]
    actual = trend_series(rows, RURAL, by="quarter")
    assert [(p.period, p.value, p.role) for p in actual.points] == [("2024-Q1", 3200, "actual")] and actual.role == "actual"
    planned = trend_series(rows, RURAL, by="quarter", role="target")
    assert [(p.period, p.value, p.role) for p in planned.points] == [("2024-Q4", 5000, "target")]
    assert len(trend_series(rows, RURAL, by="quarter", role="any").points) == 2


def test_one_figure_in_several_articles_is_one_observation_with_all_its_sources():
    from jiwen.library.trends import trend_series

    rows = [_row(3200, article="a1"), _row(3200, article="a2"), _row(3200, article="a3", published="2024-04-12")]
    (point,) = trend_series(rows, RURAL, by="quarter").points
    assert point.value == 3200 and point.reports == 3 and sorted(point.sources) == ["a1", "a2", "a3"]
    assert point.conflicting_values == []
    assert len({row.observation for row in rows}) == 1


def test_different_values_for_the_same_place_period_and_role_are_kept_and_flagged():
    from jiwen.library.trends import trend_series

    rows = [_row(3200, article="a1"), _row(3500, article="a2", published="2024-04-12")]
    (point,) = trend_series(rows, RURAL, by="quarter").points
    assert point.value == 3500 and point.sources == ["a2"] and point.conflicting_values == [3200]


def test_an_unknown_role_is_a_one_line_error(trend_archive):
    with pytest.raises(JiwenError, match="unknown role 'plan'"):
        archive_trend(trend_archive, RURAL, role="plan")
