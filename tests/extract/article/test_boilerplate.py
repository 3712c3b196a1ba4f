from jiwen.extract.article.boilerplate import (
    boilerplate_reason,
    is_closing_credit,
    is_sidebar_heading,
    looks_like_headline,
    strip_bullet,
)


def test_editor_and_proofreader_lines_are_credits():
    assert boilerplate_reason("责任编辑：刘青") == "credit"
    assert boilerplate_reason("【校对：孙晓梅】") == "credit"
    assert boilerplate_reason("审核 | 杜文博") == "credit"


def test_an_interview_question_after_a_reporter_label_is_not_a_credit():
    assert boilerplate_reason("记者：今年全县的就业形势怎么样？") is None


def test_copyright_and_licence_lines_are_footer():
    assert boilerplate_reason("版权所有 某某县人民政府 ICP备12345678号") == "footer"
    assert boilerplate_reason("未经授权，禁止转载") == "footer"


def test_share_bars_and_page_tools_are_share():
    assert boilerplate_reason("分享到：微信 微博") == "share"
    assert boilerplate_reason("【打印】【关闭】") == "share"
    assert boilerplate_reason("上一篇：县里举办返乡创业培训班") == "share"


def test_a_sentence_that_starts_with_a_tool_word_is_article_text():
    assert boilerplate_reason("关闭小作坊后，镇里为三十名工人介绍了新岗位。") is None


def test_a_pointer_to_other_stories_is_sidebar():
    assert boilerplate_reason("相关阅读：全市举办春风行动招聘会") == "sidebar"


def test_a_short_line_ending_in_arrows_is_navigation():
    assert boilerplate_reason("点击进入就业服务专题>>") == "navigation"


def test_an_ordinary_paragraph_has_no_boilerplate_reason():
    assert boilerplate_reason("今年以来，全县新增城镇就业一千二百人，帮助六百名困难人员实现再就业。") is None


def test_closing_credits_end_the_article():
    assert is_closing_credit("责任编辑：刘青")
    assert is_closing_credit("（编辑：王蕾）")
    assert not is_closing_credit("编辑部的同事们一起走访了十家企业。")


def test_sidebar_headings_are_recognised_from_the_list_and_the_pattern():
    assert is_sidebar_heading("相关新闻")
    assert is_sidebar_heading("【 热点新闻 】")
    assert is_sidebar_heading("延伸·推荐")
    assert not is_sidebar_heading("全县新增城镇就业一千二百人")


def test_a_bullet_is_stripped_from_a_list_line():
    assert strip_bullet("· 县里举办招聘会") == "县里举办招聘会"
    assert strip_bullet("■县里举办招聘会") == "县里举办招聘会"
    assert strip_bullet("县里举办招聘会") is None
    assert strip_bullet("·") is None


def test_short_text_with_at_most_one_stop_looks_like_a_headline():
    assert looks_like_headline("毕节市举办高校毕业生专场招聘会")
    assert not looks_like_headline("县里举办招聘会。企业六十家。岗位两千个。")
    assert not looks_like_headline("")
    assert not looks_like_headline("招" * 61)


def test_a_row_of_site_links_is_footer():
    assert boilerplate_reason("关于我们 | 联系我们 | 网站地图") == "footer"
    assert boilerplate_reason("关于我们联系我们网站地图广告服务") == "footer"


def test_a_sentence_that_mentions_about_us_is_article_text():
    assert boilerplate_reason("关于我们县的就业工作，县长在会上作了说明。") is None
