from jiwen.extract.article import extract_article


def test_title_lines_byline_and_body_are_told_apart(page_bytes):
    article = extract_article(page_bytes("text-dump-contest.txt"))
    assert article.title == "技能成才 匠心筑梦 全省职业技能大赛在贵阳落幕" or article.title == "全省职业技能大赛在贵阳落幕"
    assert article.source == "贵州就业在线"
    assert article.published == "2024-09-21T18:00+08:00"
    assert article.body.startswith("9月20日，为期三天的全省职业技能大赛在贵阳闭幕")
    assert article.body.endswith("评价和激励机制。")


def test_closing_credit_gives_the_author_and_leaves_the_body(page_bytes):
    article = extract_article(page_bytes("text-dump-contest.txt"))
    assert article.author == "吴敏"
    assert "记者" not in article.body
    assert "责任编辑" not in article.body
    assert {item.reason for item in article.discarded if "杨林" in item.text or "吴敏" in item.text} == {"credit"}


def test_bulleted_headlines_with_timestamps_are_sidebar_not_body(page_bytes):
    article = extract_article(page_bytes("text-dump-contest.txt"))
    sidebar = [item.text for item in article.discarded if item.reason == "sidebar"]
    assert len([text for text in sidebar if text != "热点新闻"]) == 4
    assert "热点新闻" in sidebar
    for headline in ("贵阳零工市场服务人数突破十万", "毕节开展农民工技能培训"):
        assert headline not in article.body


def test_a_dump_without_header_lines_still_gives_a_body():
    text = "全省今年新增城镇就业45万人，同比增长3%。\n各地持续开展就业援助，帮扶困难人员实现就业。\n"
    article = extract_article(text.encode("utf-8"), content_type="text/plain")
    assert article.body.startswith("全省今年新增城镇就业45万人")
    assert article.published is None


# Publication dates of plain-text dumps in the header and dateline shapes real pages use
# (texts written for this project).
BODY = "近日，全市举办春风行动专场招聘会，提供岗位3000余个。\n现场达成就业意向800余人。"


def dump(*lines: str) -> bytes:
    return "\n".join(lines).encode("utf-8")


def test_a_unix_timestamp_header_line_dates_the_dump_and_is_not_a_title():
    article = extract_article(dump("春风行动专场招聘会举行", "动静原创", "1708223460", BODY))
    assert article.published == "2024-02-18T10:31+08:00"
    assert article.title == "春风行动专场招聘会举行"


def test_a_day_first_header_timestamp_is_read_day_month_year():
    article = extract_article(dump("春风行动专场招聘会举行", "14.03.2019 08:15", BODY))
    assert article.published == "2019-03-14T08:15+08:00"


def test_a_masthead_with_its_weekday_dates_the_dump():
    article = extract_article(dump("春风行动专场招聘会举行", "贵州日报 2023年11月08日 星期三", BODY))
    assert article.published == "2023-11-08"


def test_an_edition_line_or_a_time_line_after_the_body_dates_the_dump():
    edition = extract_article(dump("春风行动专场招聘会举行", BODY, "《贵州日报》(2023年11月08日 05版)"))
    footer = extract_article(dump("春风行动专场招聘会举行", BODY, "时间：2016年08月21日 10:05:12", "来源：江西日报"))
    assert edition.published[:10] == "2023-11-08"
    assert footer.published == "2016-08-21T10:05:12+08:00"


def test_a_date_in_the_last_sentence_of_the_body_is_not_the_publication_date():
    article = extract_article(dump("春风行动专场招聘会举行", BODY, "下一场招聘会将于2024年3月5日举行。"))
    assert article.published is None


def test_the_dateline_s_day_wins_over_a_mirror_s_copy_date():
    copy_only = extract_article(
        dump(
            "春风行动招聘会在郫都举行",
            "2021-03-12 来源: 责任编辑:",
            "中新网四川新闻3月8日电(王明远)成都市春风行动招聘会8日上午举行。",
            BODY,
        )
    )
    both = extract_article(
        dump(
            "春风行动招聘会在郫都举行",
            "2021-03-12 来源: 责任编辑:",
            "来源:中新网四川 作者:王明远 2021年03月08日 19:42",
            "中新网四川新闻3月8日电(王明远)成都市春风行动招聘会8日上午举行。",
            BODY,
        )
    )
    assert copy_only.published == "2021-03-08"
    assert both.published == "2021-03-08T19:42+08:00"


def test_a_dateline_without_any_year_on_the_page_leaves_the_date_unknown():
    article = extract_article(dump("返岗专列开出", "新华社贵阳3月2日电 记者从省人社厅获悉，首趟专列开出。", BODY))
    assert article.published is None


def test_a_recommended_news_heading_after_the_story_ends_the_dump_s_body():
    story = "今年以来，某县多次组织专场招聘会，又开办订单式技能培训班，帮助一批农民工就近找到了工作。" * 5
    text = (
        "某县多措并举帮农民工就业\n某报 2021-04-06 09:12 字号 大 中 小\n" + story + "\n新闻推荐\n"
        "邻省出台稳岗返还政策 企业可申请补贴\n本报讯 10月15日，邻省人社厅发布通知。\n"
    )
    article = extract_article(text.encode("utf-8"), content_type="text/plain")
    assert article.body == story
    assert {"新闻推荐", "邻省出台稳岗返还政策 企业可申请补贴"} <= {d.text for d in article.discarded if d.reason == "sidebar"}
    assert article.title == "某县多措并举帮农民工就业"  # not the masthead line with its timestamp


def test_a_recommended_news_heading_at_the_top_does_not_cut_the_story():
    story = "今年以来，某县多次组织专场招聘会，帮助一批农民工就近找到了工作。"
    text = "某县推进转移就业\n新闻推荐\n" + story + "\n" + story + "\n"
    article = extract_article(text.encode("utf-8"), content_type="text/plain")
    assert story in article.body


def test_a_dump_that_states_no_date_takes_its_url_s_date_and_one_that_states_a_date_keeps_it():
    undated = "某县推进转移就业\n近年来，某县累计促进2万名农村劳动力外出务工。\n".encode()
    dated = "某县推进转移就业\n发布时间：2024-03-09\n近年来，某县累计促进2万名农村劳动力外出务工。\n".encode()
    url = "http://www.example.gov.cn/xwzx/202403/t20240308_1.html"
    assert extract_article(undated, url=url, content_type="text/plain").published == "2024-03-08"
    assert extract_article(undated, content_type="text/plain").published is None
    assert extract_article(dated, url=url, content_type="text/plain").published.startswith("2024-03-09")
