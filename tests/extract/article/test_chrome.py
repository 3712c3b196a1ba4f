from jiwen.extract.article.chrome import discard_page_chrome
from jiwen.extract.article.html import measure_tree, parse_html
from jiwen.extract.article.main_text import extract_main_text

PARAGRAPHS = [
    "今年以来，县人社局联合二十家企业开展春风行动，为返乡农民工提供就业岗位一千二百个。",
    "招聘会现场设置了政策咨询台，工作人员向求职者讲解就业补贴、创业担保贷款等政策。",
    "下一步，县里将持续开展就业服务进村入户活动，确保有意愿的劳动力都能找到合适的岗位。",
]
HEADLINES = [
    ("毕节市举办高校毕业生专场招聘会", "2024-06-17"),
    ("黔西南州组织劳务输出专列", "2024-06-16"),
    ("仁怀市举办酱酒产业招聘会", "2024-06-15"),
]
PAGE = (
    "<html><head><title>全县开展春风行动_某某县人民政府网</title></head><body>"
    '<div class="menu"><a href="/">首页</a><a href="/zwgk">政务公开</a></div>'
    "<div>欢迎访问某某县人民政府网</div>"
    "<h1>全县开展春风行动</h1><div class='info'>2024-06-18 来源：县融媒体中心</div>"
    '<div id="text">' + "".join(f"<p>{text}</p>" for text in PARAGRAPHS) + "</div>"
    "<div><h3>热点新闻</h3><ul>"
    + "".join(f'<li><a href="/{index}">{headline}</a><span>{date}</span></li>' for index, (headline, date) in enumerate(HEADLINES))
    + "</ul></div>"
    "<div>版权所有 某某县人民政府 ICP备12345678号</div>"
    '<div class="footer">主办：某某县人民政府办公室</div>'
    "</body></html>"
)


def _discard(page: str = PAGE, keep_header: bool = True):
    root = parse_html(page)
    elements, measures = measure_tree(root)
    main = extract_main_text(elements, measures)
    keep_from = keep_to = None
    if keep_header:
        keep_from = next(measures[element].order for element in elements if element.tag == "h1")
        keep_to = main.paragraphs[0][1]
    return discard_page_chrome(root, main.containers, measures, keep_from, keep_to)


def test_a_headline_list_with_dates_beside_the_article_goes_to_discarded_as_sidebar():
    discarded = _discard()
    sidebar = " ".join(item.text for item in discarded if item.reason == "sidebar")
    for headline, date in HEADLINES:
        assert headline in sidebar
        assert date in sidebar


def test_the_article_text_is_never_discarded():
    texts = " ".join(item.text for item in _discard())
    for paragraph in PARAGRAPHS:
        assert paragraph not in texts


def test_menus_and_unmarked_blocks_above_the_article_are_navigation():
    reasons = {item.text: item.reason for item in _discard()}
    assert reasons["欢迎访问某某县人民政府网"] == "navigation"
    assert any(reason == "navigation" and "政务公开" in text for text, reason in reasons.items())


def test_footer_lines_are_footer_by_class_or_by_their_words():
    reasons = {item.text: item.reason for item in _discard()}
    assert reasons["版权所有 某某县人民政府 ICP备12345678号"] == "footer"
    assert reasons["主办：某某县人民政府办公室"] == "footer"


def test_the_headline_and_byline_read_as_metadata_are_left_alone():
    texts = [item.text for item in _discard()]
    assert "全县开展春风行动" not in texts
    assert not any("县融媒体中心" in text for text in texts)


def test_without_the_kept_span_the_byline_is_reported_too():
    texts = [item.text for item in _discard(keep_header=False)]
    assert any("县融媒体中心" in text for text in texts)


def test_discarded_blocks_come_in_page_order():
    texts = [item.text for item in _discard()]
    assert (
        texts.index("欢迎访问某某县人民政府网")
        < next(i for i, text in enumerate(texts) if HEADLINES[0][0] in text)
        < texts.index("主办：某某县人民政府办公室")
    )


def test_a_page_without_an_article_container_reports_nothing():
    root = parse_html("<html><body><div class='menu'><a href='/'>首页</a></div></body></html>")
    elements, measures = measure_tree(root)
    assert discard_page_chrome(root, [], measures, None, None) == []


def test_a_menu_sharing_a_wrapper_with_the_headline_is_still_reported():
    page = PAGE.replace(
        '<div class="menu"><a href="/">首页</a><a href="/zwgk">政务公开</a></div><div>欢迎访问某某县人民政府网</div>'
        "<h1>全县开展春风行动</h1><div class='info'>2024-06-18 来源：县融媒体中心</div>",
        '<div class="top"><ul class="menu"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li></ul>'
        "<h1>全县开展春风行动</h1><div class='info'>2024-06-18 来源：县融媒体中心</div></div>",
    )
    assert page != PAGE
    discarded = {item.text: item.reason for item in _discard(page)}
    assert discarded.get("首页") == "navigation"
    assert discarded.get("政务公开") == "navigation"
    assert "全县开展春风行动" not in discarded
    assert not any("县融媒体中心" in text for text in discarded)
