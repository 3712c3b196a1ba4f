from datetime import datetime, timedelta, timezone

from jiwen.extract.article.pubdate import date_from_url, labelled_date, parse_date, script_date

SHANGHAI = timezone(timedelta(hours=8))
FETCHED = datetime(2023, 11, 8, 15, 0, tzinfo=SHANGHAI)


def test_dashed_slashed_and_chinese_dates_are_read():
    assert parse_date("2023-11-08") == "2023-11-08"
    assert parse_date("2023/11/08") == "2023-11-08"
    assert parse_date("2023年11月8日") == "2023-11-08"


def test_dates_in_chinese_numerals_are_read():
    assert parse_date("成文日期：二〇二三年十一月八日") == "2023-11-08"
    assert parse_date("二〇二〇年十二月三十一日") == "2020-12-31"


def test_a_shown_time_is_kept_in_shanghai_time():
    assert parse_date("2023年11月8日 10:30") == "2023-11-08T10:30+08:00"
    assert parse_date("2023-11-08 10:30:15") == "2023-11-08T10:30:15+08:00"


def test_times_in_other_zones_are_converted_to_shanghai():
    assert parse_date("2019-09-07T05:51:23.000Z") == "2019-09-07T13:51:23+08:00"
    assert parse_date("2019-09-07T20:00:00-04:00") == "2019-09-08T08:00:00+08:00"


def test_impossible_dates_are_not_dates():
    assert parse_date("2023-02-30") is None
    assert parse_date("1899-01-01") is None


def test_a_labelled_date_wins_over_an_earlier_unlabelled_one():
    assert labelled_date("相关：2023-01-01 发布时间：2023-11-08 09:00 来源：省人社厅") == "2023-11-08T09:00+08:00"


def test_source_and_time_bylines_are_read():
    assert labelled_date("来源：贵州日报 时间：2023-11-08") == "2023-11-08"


def test_labelled_dates_without_a_year_take_it_from_a_known_date_or_the_fetch():
    assert labelled_date("发布时间：10-08 12:00", None, ["2019-10-08T12:00:57+08:00"]) == "2019-10-08T12:00+08:00"
    assert labelled_date("发布时间：11-01", FETCHED) == "2023-11-01"
    assert labelled_date("发布时间：12-30", FETCHED) == "2022-12-30"
    assert labelled_date("发布时间：18-03-08 23:16") == "2018-03-08T23:16+08:00"


def test_relative_dates_resolve_against_the_fetch_time():
    assert parse_date("3小时前", FETCHED) == "2023-11-08T12:00+08:00"
    assert parse_date("昨天 10:30", FETCHED) == "2023-11-07T10:30+08:00"
    assert parse_date("前天", FETCHED) == "2023-11-06"
    assert parse_date("3小时前") is None


def test_dates_in_urls_are_read():
    assert date_from_url("http://rst.example.gov.cn/xwzx/202311/t20231108_83012345.html") == "2023-11-08"
    assert date_from_url("http://www.example.cn/2023-11/08/content_1.htm") == "2023-11-08"
    assert date_from_url("http://www.example.cn/news/list.html") is None


def test_dates_in_script_data_are_read():
    assert script_date('var ct = "1581517074";') == "2020-02-12T22:17:54+08:00"
    assert script_date('{"publishDate": "2019-09-07T05:51:23.000Z"}') == "2019-09-07T13:51:23+08:00"
    assert script_date('var product = "1581517074";') is None
