"""Dates: absolute, partial, ranges, recurring seasons and relative words resolved against the
publication date (unresolved without it, text kept)."""

from __future__ import annotations

import pytest

from jiwen.core.models import DateFact
from jiwen.extract.facts import facts_of_text


def dates_in(text: str, published: str | None = None) -> list[tuple]:
    return [(f.text, f.date, f.date_end, f.granularity) for f in facts_of_text(text, published) if isinstance(f, DateFact)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("截至2023年11月3日，全省兑现补贴。", ("2023年11月3日", "2023-11-03", None, "day")),
        ("韦发2023年初乘坐直通车。", ("2023年初", "2023", None, "year")),
        ("2022年底，全省建成站点。", ("2022年底", "2022", None, "year")),
        ("二〇二三年十一月三日发布。", ("二〇二三年十一月三日", "2023-11-03", None, "day")),
        ("2023年1月至10月，全省新增就业。", ("2023年1月至10月", "2023-01", "2023-10", "month")),
        ("发布时间2024-03-05。", ("2024-03-05", "2024-03-05", None, "day")),
    ],
)
def test_absolute_and_partial_dates(text, expected):
    assert dates_in(text) == [expected]


def test_a_recurring_season_has_no_single_date():
    assert dates_in("每年11月到次年4月，两广地区需求量大。", "2023-11-20") == [("每年11月到次年4月", None, None, "recurring")]


def test_relative_words_resolve_against_the_publication_date():
    text = "近日，全省召开会议。今年1至10月新增就业，去年同期较少，上月开展招聘，11月3日至5日举办活动，今年前三季度增长。"
    assert dates_in(text, "2023-11-20") == [
        ("近日", "2023-11-20", None, "relative"),
        ("今年1至10月", "2023-01", "2023-10", "month"),
        ("去年", "2022", None, "year"),
        ("上月", "2023-10", None, "month"),
        ("11月3日至5日", "2023-11-03", "2023-11-05", "day"),
        ("今年前三季度", "2023-01", "2023-09", "season"),
    ]


def test_relative_words_stay_unresolved_without_a_publication_date():
    assert dates_in("近日，全省召开会议。今年以来新增就业，上月开展招聘。") == [
        ("近日", None, None, "relative"),
        ("今年以来", None, None, "year"),
        ("上月", None, None, "month"),
    ]


def test_full_width_digits_are_dates_too():
    assert dates_in("今年１至１０月，全省新增就业。", "2023-12-05") == [("今年１至１０月", "2023-01", "2023-10", "month")]


def test_durations_and_counts_are_not_dates():
    assert dates_in("培训3年，服务12个月，组织5天。") == []


def test_the_first_months_of_a_year_are_a_month_range():
    assert dates_in("今年前4个月，全省新增返乡创业人员2.6万人。", "2024-05-16") == [("今年前4个月", "2024-01", "2024-04", "month")]


def test_a_range_of_years_is_one_date_with_its_end():
    from jiwen.core.models import DateFact
    from jiwen.extract.facts import facts_of_text

    dates = [
        (f.text, f.date, f.date_end) for f in facts_of_text("推进就业帮扶三年计划(2018-2020年)。", "2018-01-10") if isinstance(f, DateFact)
    ]
    assert dates == [("2018-2020年", "2018", "2020")]
