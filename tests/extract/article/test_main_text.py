from jiwen.extract.article.html import measure_tree, parse_html
from jiwen.extract.article.main_text import choose_container, drop_reason, extract_main_text

PARAGRAPHS = [
    "今年以来，县人社局联合二十家企业开展春风行动，为返乡农民工提供就业岗位一千二百个。",
    "招聘会现场设置了政策咨询台，工作人员向求职者讲解就业补贴、创业担保贷款等政策。",
    "下一步，县里将持续开展就业服务进村入户活动，确保有意愿的劳动力都能找到合适的岗位。",
]
NAVIGATION = '<div class="top"><a href="/">首页</a><a href="/a">政务公开</a><a href="/b">工作动态</a><a href="/c">办事服务</a></div>'


def _main(body: str):
    root = parse_html(f"<html><body>{body}</body></html>")
    elements, measures = measure_tree(root)
    return extract_main_text(elements, measures), elements, measures


def _paragraphs(body: str) -> list[str]:
    return [text for text, _ in _main(body)[0].paragraphs]


def _article(extra: str = "", before: str = "") -> str:
    return f'{NAVIGATION}<div id="text">{before}' + "".join(f"<p>{text}</p>" for text in PARAGRAPHS) + f"{extra}</div>"


def test_the_paragraphs_of_the_article_block_are_kept_in_order():
    main, elements, _ = _main(_article())
    assert [text for text, _ in main.paragraphs] == PARAGRAPHS
    assert main.container.get("id") == "text"
    orders = [order for _, order in main.paragraphs]
    assert orders == sorted(orders)
    assert all(elements[order].tag == "p" for order in orders)


def test_a_link_list_is_never_chosen_as_the_container():
    links = "".join(f'<li><a href="/{index}">全县开展就业服务活动第{index}期，提供岗位一千个，欢迎报名。</a></li>' for index in range(12))
    root = parse_html(
        f"<html><body><ul class='list'>{links}</ul><div id='text'><p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p></div></body></html>"
    )
    elements, measures = measure_tree(root)
    container, _, _ = choose_container(elements, measures)
    assert container.get("id") == "text"


def test_a_page_without_text_blocks_has_no_container():
    main, _, _ = _main(NAVIGATION)
    assert main.container is None
    assert main.paragraphs == []


def test_a_related_stories_box_inside_the_article_goes_to_discarded():
    related = '<div class="related"><ul><li><a href="/1">毕节市举办高校毕业生专场招聘会</a></li><li><a href="/2">黔西南州组织劳务输出专列</a></li></ul></div>'
    main, _, _ = _main(_article(extra=related))
    assert [text for text, _ in main.paragraphs] == PARAGRAPHS
    assert {(item.text, item.reason) for item in main.discarded} >= {
        ("毕节市举办高校毕业生专场招聘会", "sidebar"),
        ("黔西南州组织劳务输出专列", "sidebar"),
    }


def test_a_block_opened_by_a_sidebar_heading_is_dropped_to_its_end():
    box = "<div><p>延伸阅读</p><p>仁怀市举办酱酒产业招聘会，岗位五百个。</p><p>全省人社系统作风建设推进会召开。</p></div>"
    main, _, _ = _main(_article(extra=box))
    kept = [text for text, _ in main.paragraphs]
    assert kept == PARAGRAPHS
    dropped = {item.text for item in main.discarded if item.reason == "sidebar"}
    assert {"延伸阅读", "仁怀市举办酱酒产业招聘会，岗位五百个。", "全省人社系统作风建设推进会召开。"} <= dropped


def test_credit_lines_are_discarded_and_short_promos_after_them_are_cut():
    tail = "<p>责任编辑：刘青</p><p>扫描二维码关注我们</p><p>回复“招聘”查看岗位</p>"
    main, _, _ = _main(_article(extra=tail))
    assert [text for text, _ in main.paragraphs] == PARAGRAPHS
    reasons = {item.text: item.reason for item in main.discarded}
    assert reasons["责任编辑：刘青"] == "credit"
    assert reasons["回复“招聘”查看岗位"] == "after-credits"
    assert main.closing_credit_at == len(PARAGRAPHS)


def test_a_hidden_block_is_discarded_as_hidden():
    hidden = '<p style="display: none">本文转载自县融媒体中心公众号，原文另有图片九张。</p>'
    main, _, _ = _main(_article(extra=hidden))
    assert [text for text, _ in main.paragraphs] == PARAGRAPHS
    assert [item.reason for item in main.discarded if "转载" in item.text] == ["hidden"]


def test_text_split_over_sibling_blocks_is_collected_from_all_of_them():
    second = [
        "镇里还组织了技能培训，电工、焊工和家政服务三个班共招收学员一百二十人。",
        "参加培训的学员考核合格后，由县就业服务中心推荐到合作企业上岗。",
    ]
    body = (
        '<div class="wrap">'
        + '<div class="part">'
        + "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
        + "</div>"
        + '<div class="part">'
        + "".join(f"<p>{text}</p>" for text in second)
        + "</div>"
        + "</div>"
    )
    assert _paragraphs(body) == PARAGRAPHS + second


def test_class_words_say_why_a_block_is_dropped_unless_it_is_marked_as_the_article():
    root = parse_html(
        '<html><body><div class="share-bar">分享</div><div class="article-related">正文</div><div id="pinglun">评论</div><nav>首页</nav></body></html>'
    )
    elements, measures = measure_tree(root)
    reasons = {
        "".join(element.itertext()): drop_reason(element, measures[element]) for element in elements if element.tag in ("div", "nav")
    }
    assert reasons == {"分享": "share", "正文": None, "评论": "comment", "首页": "navigation"}


def test_an_unmarked_block_made_mostly_of_links_is_discarded_as_sidebar():
    links = '<div><p><a href="/1">毕节市举办高校毕业生专场招聘会</a></p><p><a href="/2">黔西南州组织劳务输出专列</a></p></div>'
    main, _, _ = _main(_article(extra=links))
    assert [text for text, _ in main.paragraphs] == PARAGRAPHS
    assert {item.text for item in main.discarded if item.reason == "sidebar"} >= {
        "毕节市举办高校毕业生专场招聘会",
        "黔西南州组织劳务输出专列",
    }


def test_an_editor_credit_early_in_the_text_does_not_cut_the_article():
    before = "<p>编辑：刘青</p>"
    main, _, _ = _main(_article(before=before))
    assert [text for text, _ in main.paragraphs] == PARAGRAPHS
    assert not any(item.reason == "after-credits" for item in main.discarded)
