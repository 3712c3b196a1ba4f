"""Names a user types, checked: `jiwen trends --list`, and "did you mean …" with exit 1 for an
unknown indicator, place, programme or site (jiwen.library.names)."""

from __future__ import annotations

import json

import pytest

from jiwen.library.names import closest, place_problem, programme_problem, site_problem
from jiwen.store import Archive
from tests.conftest import invoke_jiwen
from tests.indicator_archive import add_indicator_articles

RURAL = "农村劳动力转移就业人数"


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("names") / "archive"
    with Archive(directory) as archive:
        add_indicator_articles(archive)
    assert invoke_jiwen("reindex", "--archive", str(directory)).returncode == 0
    return directory


def test_trends_list_shows_each_indicator_with_figures_places_and_latest_period(archive_dir):
    result = invoke_jiwen("trends", "--list", "--archive", str(archive_dir))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["indicator", "figures", "places", "latest"]
    assert lines[1].startswith(RURAL)
    listed = json.loads(invoke_jiwen("trends", "--list", "--json", "--archive", str(archive_dir)).stdout)
    rural = next(item for item in listed if item["measure"] == RURAL)
    assert rural["figures"] >= 8 and rural["places"] >= 3 and rural["latest"].startswith("2024")
    assert [item["figures"] for item in listed] == sorted((item["figures"] for item in listed), reverse=True)


@pytest.mark.parametrize(
    "arguments, expected",
    [
        (["trends", "农村劳动力转移"], f"jiwen: no indicator '农村劳动力转移'; did you mean {RURAL}?"),
        (["trends", RURAL, "--place", "贵洲省"], "jiwen: no place '贵洲省'; did you mean 贵州省?"),
        (["search", "就业", "--place", "贵洲省"], "jiwen: no place '贵洲省'; did you mean 贵州省?"),
        (["search", "就业", "--program", "春凤行动"], "jiwen: no programme '春凤行动'; did you mean 春风行动"),
        (["search", "就业", "--site", "hrss-guizhuo"], "jiwen: no site 'hrss-guizhuo'; did you mean hrss-guizhou"),
    ],
)
def test_an_unknown_name_exits_1_with_one_line_that_suggests_the_closest(archive_dir, arguments, expected):
    result = invoke_jiwen(*arguments, "--archive", str(archive_dir))
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith(expected) and len(result.stderr.strip().splitlines()) == 1


def test_a_known_name_with_nothing_found_is_still_an_empty_answer():
    assert place_problem("贵州省") is None and place_problem("黔东南") is None and place_problem("全国") is None
    assert programme_problem("春风行动") is None and site_problem("local") is None


def test_closest_takes_the_longer_name_a_short_one_begins():
    assert closest("城镇新增", ["城镇新增就业人数", "失业率"]) == ["城镇新增就业人数"]
