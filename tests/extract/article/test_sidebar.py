from jiwen.extract.article.sidebar import find_sidebar_lines

ARTICLE = [
    "县人社局组织二十家企业开展春季招聘，提供岗位一千二百个。",
    "现场还设置了政策咨询台，为求职者解读就业补贴政策。",
]


def test_a_bulleted_headline_list_and_its_heading_are_claimed():
    lines = ARTICLE + ["相关新闻", "· 毕节市举办高校毕业生专场招聘会", "· 黔西南州组织劳务输出专列", "· 仁怀市举办酱酒产业招聘会"]
    assert find_sidebar_lines(lines) == {2, 3, 4, 5}


def test_article_paragraphs_are_never_claimed():
    lines = ARTICLE + ["· 毕节市举办高校毕业生专场招聘会", "· 黔西南州组织劳务输出专列", "· 仁怀市举办酱酒产业招聘会"]
    claimed = find_sidebar_lines(lines)
    assert 0 not in claimed and 1 not in claimed


def test_headlines_ending_in_another_storys_timestamp_form_a_list_without_bullets():
    lines = [
        "全县举办返乡创业培训班2024-05-28 06:05:37",
        "市就业驿站新增三处2024-05-27",
        "高校毕业生就业见习报名启动 (2024-05-25)",
        "人社局开展政策宣讲[2024年5月26日]",
    ]
    assert find_sidebar_lines(lines) == {0, 1, 2, 3}


def test_a_line_that_does_not_look_like_a_headline_breaks_the_run():
    lines = [
        "全县举办返乡创业培训班2024-05-28 06:05:37",
        "市就业驿站新增三处2024-05-27",
        "县人社局组织二十家企业开展春季招聘，提供岗位一千二百个，现场达成意向三百人。",
        "高校毕业生就业见习报名启动 (2024-05-25)",
    ]
    assert find_sidebar_lines(lines) == set()


def test_two_headline_lines_are_too_few_to_make_a_list():
    lines = ARTICLE + ["· 毕节市举办高校毕业生专场招聘会", "· 黔西南州组织劳务输出专列"]
    assert find_sidebar_lines(lines) == set()


def test_a_bulleted_list_of_long_sentences_is_article_text():
    lines = [
        "· 全县为一千二百名农民工提供职业技能培训。培训合格者发放证书。优先推荐就业。",
        "· 对吸纳脱贫劳动力的企业按每人一千元发放补贴。补贴按季度拨付。当月到账。",
        "· 对返乡创业人员提供最高二十万元创业担保贷款。财政全额贴息。三年为限。",
    ]
    assert find_sidebar_lines(lines) == set()


def test_a_paragraph_that_merely_ends_with_a_date_is_not_a_list():
    lines = ARTICLE + ["本文发布于2024-05-28"]
    assert find_sidebar_lines(lines) == set()
