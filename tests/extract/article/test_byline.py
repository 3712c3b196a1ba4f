from jiwen.extract.article.byline import (
    find_author,
    find_source,
    is_organisation,
    split_closing_credit,
    strip_label,
)


def test_a_reporter_credit_in_parentheses_names_the_author():
    assert find_author("（记者 周明远）本报讯 全市春季招聘月启动") == "周明远"


def test_several_reporters_are_joined_with_an_enumeration_comma():
    assert find_author("（记者 周明远 林晓）") == "周明远、林晓"


def test_an_author_label_names_the_author():
    assert find_author("2024-03-05 10:20 作者：欧阳青禾 来源：县融媒体中心") == "欧阳青禾"


def test_a_reporter_label_without_a_colon_names_the_author():
    assert find_author("本报记者 韩雪梅 通讯员 陆江") == "韩雪梅"


def test_a_slash_credit_names_the_author():
    assert find_author("文/郑秋实") == "郑秋实"


def test_text_without_a_credit_has_no_author():
    assert find_author("全县新增城镇就业一千二百人，完成年度目标的八成。") is None


def test_a_source_label_names_the_source_and_stops_at_the_next_field():
    assert find_source("来源：黔南日报 发布时间：2024-05-06") == "黔南日报"
    assert find_source("来源：省人社厅|作者：王一") == "省人社厅"


def test_the_source_ends_where_the_date_begins():
    assert find_source("文章来源：市就业服务中心2024年5月6日") == "市就业服务中心"


def test_text_without_a_source_label_has_no_source():
    assert find_source("市就业服务中心举办专场招聘会") is None


def test_strip_label_keeps_only_the_value():
    assert strip_label("来源：新华网") == "新华网"
    assert strip_label("作者： 张三") == "张三"
    assert strip_label("无标签的文字") == "无标签的文字"


def test_names_ending_like_a_newspaper_or_bureau_are_organisations():
    assert is_organisation("安顺日报")
    assert is_organisation("县人社局")
    assert not is_organisation("李红梅")


def test_a_trailing_reporter_credit_is_split_from_the_last_paragraph():
    text, credit = split_closing_credit("活动共达成就业意向八百余人。（记者 韦倩 通讯员 罗兰）")
    assert text == "活动共达成就业意向八百余人。"
    assert credit == "（记者 韦倩 通讯员 罗兰）"


def test_a_paragraph_that_is_only_a_credit_is_not_split():
    assert split_closing_credit("（完）") == ("（完）", None)


def test_a_parenthesis_in_the_middle_of_a_paragraph_is_not_a_credit():
    paragraph = "（记者 韦倩）近日，县里举办招聘会，岗位涉及电子、纺织等行业。"
    assert split_closing_credit(paragraph) == (paragraph, None)


def test_a_correspondent_after_the_reporter_is_not_taken_for_a_second_author():
    assert find_author("（记者 韦倩 通讯员 罗兰）") == "韦倩"


def test_the_word_reported_after_the_name_is_not_part_of_the_author():
    assert find_author("本报记者 韩雪梅 报道") == "韩雪梅"


def test_a_sentence_opening_with_reporters_learned_has_no_author():
    assert find_author("（记者从贵阳市人社局获悉）") is None


def test_an_author_label_after_a_bar_separated_field_names_the_author():
    assert find_author("来源：县融媒体中心|作者：李明") == "李明"
    assert find_author("来源：人民网丨记者 张三") == "张三"


def test_a_word_ending_in_the_author_label_is_not_a_label():
    assert find_author("新闻工作者：李四") is None
