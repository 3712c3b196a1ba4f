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
