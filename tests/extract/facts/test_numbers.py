"""Counts, money and percents: values, units, qualifiers, ranges and what is not a number."""

from __future__ import annotations

import pytest

from jiwen.core.models import CountFact, MoneyFact, PercentFact
from jiwen.extract.facts import facts_of_text


def numbers_in(text: str) -> list:
    return [f for f in facts_of_text(text) if isinstance(f, (CountFact, MoneyFact, PercentFact))]


def only(text: str, kind):
    found = [f for f in numbers_in(text) if isinstance(f, kind)]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "value", "unit", "qualifier"),
    [
        ("组织输送626名农村劳动力到广东务工。", 626, "名", "exact"),
        ("吸纳4万多名农村劳动力稳岗就业。", 40000, "名", "more_than"),
        ("服务9.92万名外出务工人员。", 99200, "名", "exact"),
        ("处理维权事项7000余件。", 7000, "件", "more_than"),
        ("常年保持在600万人左右。", 6000000, "人", "about"),
        ("计划组织十二万名农村劳动力转移就业。", 120000, "名", "exact"),
        ("在省外设立服务站点一百零八个。", 108, "个", "exact"),
        ("组织３１０名彝族青年赴浙江务工。", 310, "名", "exact"),
        ("已向天津输送农村劳动力不少于1.6万人。", 16000, "人", "at_least"),
        ("其中定西市输送近千人。", 1000, "人", "about"),
        ("累计派出劳务人员1.2万人次。", 12000, "人次", "exact"),
    ],
)
def test_counts_read_value_unit_and_qualifier(text, value, unit, qualifier):
    fact = only(text, CountFact)
    assert (fact.value, fact.unit, fact.qualifier) == (value, unit, qualifier)


def test_a_count_takes_the_noun_phrase_after_its_unit_as_subject():
    fact = only("吸纳4万多名农村劳动力稳岗就业。", CountFact)
    assert fact.subject == "农村劳动力"
    assert fact.text == "4万多名农村劳动力"


def test_a_count_with_nothing_after_it_takes_its_subject_from_before():
    facts = numbers_in("目前，全省共建立225个劳务协作站，其中省级总站4个、市州分站17个。")
    assert [(f.value, f.subject) for f in facts] == [(225, "劳务协作站"), (4, "省级总站"), (17, "市州分站")]


def test_a_range_keeps_both_ends_and_shares_the_multiplier():
    fact = only("达成就业意向约3至5万人。", CountFact)
    assert (fact.value, fact.value_end, fact.qualifier) == (30000, 50000, "about")


def test_money_is_converted_to_yuan_exactly():
    fact = only("兑现交通补贴81836.46万元。", MoneyFact)
    assert (fact.value, fact.currency) == (818364600, "CNY")
    assert only("发放扩岗补助1.86亿元。", MoneyFact).value == 186000000


def test_money_in_a_foreign_currency_keeps_its_currency():
    fact = only("月工资约合2000美元。", MoneyFact)
    assert (fact.value, fact.currency, fact.qualifier) == (2000, "USD", "about")


def test_a_money_range_that_repeats_its_unit_is_one_fact():
    fact = only("平均月薪4500元至6000元。", MoneyFact)
    assert (fact.value, fact.value_end, fact.text) == (4500, 6000, "4500元至6000元")


@pytest.mark.parametrize(
    ("text", "value", "qualifier", "value_end"),
    [
        ("占农村家庭总收入40%以上。", 40, "at_least", None),
        ("完成年度目标任务的１０３％。", 103, "exact", None),
        ("占比达到百分之六十以上。", 60, "at_least", None),
        ("农村劳动力占比超过六成。", 60, "more_than", None),
        ("收入高出30%至40%。", 30, "exact", 40),
        ("失业率控制在3.5%以内。", 3.5, "under", None),
    ],
)
def test_percents_in_signs_words_and_tenths(text, value, qualifier, value_end):
    fact = only(text, PercentFact)
    assert (fact.value, fact.qualifier, fact.value_end) == (value, qualifier, value_end)


@pytest.mark.parametrize(
    "text",
    [
        "这是从江县近期输送的第三批务工人员。",  # an ordinal
        "咨询可拨打服务热线0531-12333。",  # a phone number
        "咨询编号SD2024031。",  # an ID
        "我省印发2023年劳务协作工作要点。",  # a year
        "这是我省开展技能培训的一个缩影。",  # 一个 as an article
        "服务千家万户。",  # an idiom
        "比上年提高2.5个百分点。",  # percentage points are not a count
    ],
)
def test_ordinals_phones_ids_years_and_idioms_are_not_numbers(text):
    assert numbers_in(text) == []


def test_chinese_numerals_count_places_only_as_numbers_of_places():
    fact = only("分别与广东、浙江、福建、江苏四省人社部门签订协议。", CountFact)
    assert (fact.text, fact.value, fact.unit) == ("四省", 4, "省")


def test_a_duration_in_months_is_not_a_count_and_one_tenth_needs_a_qualifier():
    assert numbers_in("今年前4个月完成任务。") == []
    assert only("同比增长约一成。", PercentFact).value == 10
    assert numbers_in("政策一成不变。") == []


def test_a_range_whose_ends_are_different_kinds_keeps_only_the_first_end():
    fact = only("占比由35.7%至35.9亿元。", PercentFact)
    assert (fact.text, fact.value, fact.value_end) == ("35.7%", 35.7, None)


def test_fractions_in_words_are_percents():
    assert only("福建籍员工占四分之一左右。", PercentFact).value == 25
    assert only("差错率控制在千分之五以内。", PercentFact).value == 0.5


def test_chinese_decimals_are_read_whole():
    assert only("投入三点五亿元。", MoneyFact).value == 350000000
    assert only("占比百分之三点五。", PercentFact).value == 3.5


def test_digits_mixed_with_chinese_magnitudes_are_one_number():
    assert only("招收1万2千名工人。", CountFact).value == 12000
    assert only("投资2亿3千万元。", MoneyFact).value == 230000000


def test_people_counted_in_wan_without_a_classifier_are_counts_of_the_noun_in_its_implied_unit():
    (fact,) = numbers_in("近三年来，全县累计带动超12万农村劳动力外出务工。")
    assert (fact.text, fact.value, fact.unit, fact.qualifier, fact.subject) == ("超12万农村劳动力", 120000, "人", "more_than", "农村劳动力")
    (fact,) = numbers_in("培训覆盖3.6万脱贫劳动力。")
    assert (fact.value, fact.unit, fact.subject) == (36000, "人", "脱贫劳动力")


def test_a_plain_number_before_a_people_noun_is_not_a_count():
    assert numbers_in("编号36农民工服务站今天开放。") == []


def test_runs_and_flights_are_counted_in_their_own_units():
    assert [(f.value, f.unit) for f in numbers_in("开通返岗专车320班次、包机6架次。")] == [(320, "班次"), (6, "架次")]


def test_a_number_pointing_back_at_things_already_counted_is_not_a_new_figure():
    assert numbers_in("这三趟专列上坐的都是返岗员工。") == []
    assert [f.value for f in numbers_in("全县开出三趟专列。")] == [3]


def test_households_counted_in_wan_without_a_classifier_are_counted_in_households():
    (households,) = numbers_in("帮扶1.2万贫困户稳定增收。")
    assert (households.value, households.unit) == (12000, "户")
