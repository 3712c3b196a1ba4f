from datetime import datetime, timedelta, timezone

import pytest

from jiwen.core.errors import ExtractionError
from jiwen.extract.article import extract_article

SHANGHAI = timezone(timedelta(hours=8))


def test_ruby_annotations_are_dropped_from_title_and_body(page_bytes):
    article = extract_article(page_bytes("ruby-annotations.html"))
    assert article.title == "多措并举稳岗位"
    assert "全县把稳就业放在突出位置" in article.body
    assert "公益性岗位三百个" in article.body
    assert "应帮尽帮" in article.body
    for reading in ("wěn", "gǎng", "yìng", "(", ")"):
        assert reading not in article.body
    assert article.published == "2023-12-01"


def test_trs_government_meta_tags_fill_the_article(page_bytes):
    article = extract_article(page_bytes("trs-government.html"), url="http://rst.example.gov.cn/gzdt/202311/t20231108_83012345.html")
    assert article.title == "全省就业服务专项活动取得阶段性成效"
    assert article.published == "2023-11-08T10:30+08:00"
    assert article.source == "省就业局"
    assert article.author == "张晓华"
    assert article.site_name == "某某省人力资源和社会保障厅"
    assert article.keywords == ["就业服务", "专项活动", "高校毕业生"]
    assert article.body.startswith("全省就业服务专项活动开展以来")
    assert article.body.endswith("推动专项活动常态化开展。")
    assert article.url.endswith("t20231108_83012345.html")


def test_government_page_chrome_goes_to_discarded_with_reasons(page_bytes):
    article = extract_article(page_bytes("trs-government.html"))
    reasons = {item.reason for item in article.discarded}
    texts = " ".join(item.text for item in article.discarded)
    assert {"navigation", "footer"} <= reasons
    assert "当前位置" in texts and "版权所有" in texts
    for chrome in ("当前位置", "版权所有", "打印本页", "关闭窗口", "政务公开"):
        assert chrome not in article.body


def test_headline_lists_inside_and_beside_the_article_are_discarded(page_bytes):
    article = extract_article(page_bytes("related-headlines-sidebar.html"))
    assert article.title == "贵阳市新增就业驿站二十个 打造十五分钟就业服务圈"
    assert article.body.startswith("记者从贵阳市人社局获悉")
    assert article.body.endswith("让求职者少跑腿。")
    sidebar = [item.text for item in article.discarded if item.reason == "sidebar"]
    for headline in (
        "毕节市举办高校毕业生专场招聘会",
        "黔西南州组织劳务输出专列",
        "全省人社系统作风建设推进会召开",
        "仁怀市举办酱酒产业招聘会",
    ):
        assert headline not in article.body
        assert any(headline in text for text in sidebar)
    assert "网友甲" not in article.body
    assert any(item.reason == "comment" for item in article.discarded)
    assert any(item.reason == "share" for item in article.discarded)


def test_sidebar_dates_never_become_the_publication_date(page_bytes):
    article = extract_article(page_bytes("related-headlines-sidebar.html"))
    assert article.published == "2024-06-18T15:42+08:00"
    assert article.source == "贵阳日报"
    assert article.author == "杨帆"


def test_a_page_without_a_shown_date_takes_the_date_in_its_url():
    paragraph = "<p>" + "全市开展春风行动，为返乡农民工送政策、送岗位、送服务。" * 4 + "</p>"
    page = f"<html><head><title>春风行动</title></head><body><h1>春风行动送岗位</h1><div class='content'>{paragraph}</div></body></html>"
    article = extract_article(page.encode("utf-8"), url="http://www.example.gov.cn/art/2023/11/08/art_1.html")
    assert article.published == "2023-11-08"


def test_relative_dates_resolve_against_fetched_at():
    paragraph = "<p>" + "县里举办家门口招聘会，二十家企业现场招聘，岗位涉及制造、物流和服务业。" * 3 + "</p>"
    page = f"<html><body><h1>家门口招聘会</h1><div class='info'>3小时前 来源：县融媒体中心</div><div class='content'>{paragraph}</div></body></html>"
    article = extract_article(page.encode("utf-8"), fetched_at=datetime(2024, 3, 5, 12, 0, tzinfo=SHANGHAI))
    assert article.published == "2024-03-05T09:00+08:00"


def test_the_url_in_a_leading_comment_is_used():
    page = (
        "<!--http://news.example.cn/2024/0105/1.html-->\n<html><body><h1>标题在此</h1><div><p>"
        + "正文内容讲述了就业服务。" * 6
        + "</p></div></body></html>"
    )
    assert extract_article(page.encode("utf-8")).url == "http://news.example.cn/2024/0105/1.html"


def test_html_is_recognised_without_a_content_type_and_text_with_one():
    page = "<html><body><h1>标题</h1><div><p>" + "就业形势总体稳定。" * 8 + "</p></div></body></html>"
    assert "<p>" not in extract_article(page.encode("utf-8")).body
    assert "<p>" in extract_article(page.encode("utf-8"), content_type="text/plain; charset=utf-8").body


def test_a_page_with_no_text_is_refused_with_one_line():
    with pytest.raises(ExtractionError) as raised:
        extract_article(b"<html><head><title>x</title></head><body><div><img src='a.png'></div></body></html>")
    assert "\n" not in str(raised.value)


def test_a_five_megabyte_page_finishes_with_an_article():
    filler = (
        "<div class='hot'><ul>" + "".join(f"<li><a href='/n/{i}.html'>其他新闻标题第{i}条</a></li>" for i in range(20000)) + "</ul></div>"
    )
    paragraph = "<p>" + "全省城镇新增就业持续增长，重点群体就业保持稳定。" * 5 + "</p>"
    page = f"<html><body><h1>全省就业形势稳定</h1><div class='article'>{paragraph * 3}</div>{filler * 4}</body></html>"
    data = page.encode("utf-8")
    assert len(data) > 5_000_000
    article = extract_article(data)
    assert article.title == "全省就业形势稳定"
    assert "重点群体就业保持稳定" in article.body
    assert "其他新闻标题" not in article.body


def test_ten_thousand_nested_elements_finish_with_an_article_or_a_clear_error():
    depth = 10_000
    paragraph = "全省城镇新增就业持续增长，重点群体就业保持稳定。" * 4
    page = "<html><body>" + "<div>" * depth + f"<p>{paragraph}</p>" + "</div>" * depth + "</body></html>"
    try:
        article = extract_article(page.encode("utf-8"))
    except ExtractionError as error:
        assert "\n" not in str(error)
    else:
        assert "重点群体就业保持稳定" in article.body
        assert any("could not be parsed" in warning for warning in article.warnings)


def test_a_sub_headline_under_the_headline_becomes_the_subtitle():
    paragraph = "<p>" + "全省城镇新增就业持续增长，重点群体就业保持稳定。" * 4 + "</p>"
    page = f"<html><body><h1>全省就业形势稳定</h1><h2>前三季度城镇新增就业45万人</h2><div class='content'>{paragraph}</div></body></html>"
    article = extract_article(page.encode("utf-8"))
    assert article.title == "全省就业形势稳定"
    assert article.subtitle == "前三季度城镇新增就业45万人"
    assert "前三季度" not in article.body


def test_a_dated_headline_list_above_an_undated_article_gives_no_date():
    items = "".join(f"<li><a href='/n/{day}.html'>其他地区就业新闻第{day}条</a> 2024-05-{day:02d}</li>" for day in range(10, 16))
    paragraph = "<p>" + "全县开展就业援助月活动，为困难人员提供岗位信息和技能培训。" * 3 + "</p>"
    page = (
        "<html><head><title>就业援助月活动启动_县政府网</title></head><body>"
        f"<div class='left'><ul>{items}</ul></div>"
        f"<div class='article'><p>就业援助月活动启动</p>{paragraph * 2}</div></body></html>"
    )
    article = extract_article(page.encode("utf-8"))
    assert article.published is None
    assert "其他地区就业新闻" not in article.body


def test_body_sentences_that_start_like_page_tools_or_credits_stay_in_the_body():
    paragraphs = [
        "记者：今年全市的就业形势怎么样？",
        "张局长：总体稳定，前三季度城镇新增就业3.2万人，完成全年目标的九成。",
        "关闭落后产能企业12家。",
        "不少网友评论说，家门口的零工市场很实用，找活不用再跑远路。",
        "收藏在档案馆里的老照片，记录了这座城市几十年来的就业变迁。",
    ]
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    page = f"<html><body><h1>访谈：稳就业的答卷</h1><div class='content'>{body}</div></body></html>"
    article = extract_article(page.encode("utf-8"))
    assert article.body.split("\n") == paragraphs


def test_an_unlabelled_byline_is_read_from_class_names_and_an_organisation_author_is_the_source():
    paragraph = "<p>" + "全市开展春风行动，为返乡农民工送政策、送岗位、送服务。" * 3 + "</p>"
    page = (
        "<html><head><title>春风行动送岗位_某网</title><meta name='author' content='某某日报'></head><body>"
        "<h1>春风行动送岗位</h1><div class='date-source'><span class='date'>2024年02月20日 10:05</span>"
        "<span class='author'>王小明</span></div>"
        f"<div class='content'>{paragraph}</div></body></html>"
    )
    article = extract_article(page.encode("utf-8"))
    assert article.author == "王小明"
    assert article.published == "2024-02-20T10:05+08:00"
    page_without_byline = page.replace("<span class='author'>王小明</span>", "")
    article = extract_article(page_without_byline.encode("utf-8"))
    assert article.author is None
    assert article.source == "某某日报"
