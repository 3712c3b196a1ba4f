from jiwen.extract.article.headline import choose_subtitle, choose_title
from jiwen.extract.article.html import measure_tree, parse_html
from jiwen.extract.article.metadata import read_meta

TEXT = "<p>" + "县人社局联合二十家企业开展春风行动，为返乡农民工提供就业岗位一千二百个。" * 3 + "</p>"


def _choose(page: str):
    """The headline and sub-headline chosen for a page, with the text starting at its first <p>."""
    root = parse_html(page)
    elements, measures = measure_tree(root)
    body_start = next(measures[element].order for element in elements if element.tag == "p")
    title, title_order = choose_title(elements, measures, read_meta(root), body_start)
    subtitle = choose_subtitle(elements, measures, title, title_order, body_start)
    return title, title_order, subtitle, elements


def test_the_displayed_heading_wins_over_the_title_with_its_site_suffix():
    page = f"""<html><head><title>全县开展春风行动送岗位_某某县人民政府网</title></head><body>
    <div class="logo">某某县人民政府网</div><h1>全县开展春风行动送岗位</h1><div class="content">{TEXT}</div></body></html>"""
    title, order, _, elements = _choose(page)
    assert title == "全县开展春风行动送岗位"
    assert elements[order].tag == "h1"


def test_without_a_heading_the_headline_part_of_the_title_is_used():
    page = f"<html><head><title>全县开展春风行动送岗位 - 某某县融媒体中心</title></head><body><div>{TEXT}</div></body></html>"
    title, order, _, _ = _choose(page)
    assert title == "全县开展春风行动送岗位"
    assert order is None


def test_a_heading_matching_the_title_beats_a_nearer_heading_that_does_not():
    page = f"""<html><head><title>返乡创业培训班开班 | 某某日报</title></head><body>
    <h2>返乡创业培训班开班</h2><h3>本期学员共六十人</h3><div class="content">{TEXT}</div></body></html>"""
    title, _, _, _ = _choose(page)
    assert title == "返乡创业培训班开班"


def test_a_headline_cut_short_with_an_ellipsis_still_matches_the_title():
    page = f"""<html><head><title>全省就业服务专项活动取得阶段性成效_某某省人社厅</title></head><body>
    <h3>县里召开就业工作会</h3><div class="title">全省就业服务专项活动…</div><div class="content">{TEXT}</div></body></html>"""
    title, _, _, _ = _choose(page)
    assert title == "全省就业服务专项活动…"


def test_sidebar_and_breadcrumb_headings_are_never_the_headline():
    page = f"""<html><head><title>某某县人民政府网</title></head><body>
    <h2>相关新闻</h2><div class="title">当前位置：首页 > 工作动态</div>
    <h1>家门口招聘会岗位多</h1><div class="content">{TEXT}</div></body></html>"""
    title, _, _, _ = _choose(page)
    assert title == "家门口招聘会岗位多"


def test_a_byline_inside_the_heading_is_left_out_of_the_headline():
    page = f"""<html><head><title>站点</title></head><body>
    <h1>家门口招聘会岗位多<div class="info">2024-03-05 来源：县融媒体中心</div></h1><div class="content">{TEXT}</div></body></html>"""
    title, _, _, _ = _choose(page)
    assert title == "家门口招聘会岗位多"


def test_a_traditional_chinese_heading_is_simplified():
    page = f"<html><head><title>就業服務進社區</title></head><body><h1>就業服務進社區</h1><div>{TEXT}</div></body></html>"
    title, _, _, _ = _choose(page)
    assert title == "就业服务进社区"


def test_a_sub_headline_under_the_headline_is_found():
    page = f"""<html><head><title>全县开展春风行动_某某县人民政府网</title></head><body>
    <h1>全县开展春风行动</h1><h2>二十家企业提供岗位一千二百个</h2><div class="content">{TEXT}</div></body></html>"""
    title, _, subtitle, _ = _choose(page)
    assert title == "全县开展春风行动"
    assert subtitle == "二十家企业提供岗位一千二百个"


def test_a_dateline_is_not_a_sub_headline():
    page = f"""<html><head><title>全县开展春风行动_某某县人民政府网</title></head><body>
    <h1>全县开展春风行动</h1><div class="subtitle">2024年3月5日 星期二</div><div class="content">{TEXT}</div></body></html>"""
    _, _, subtitle, _ = _choose(page)
    assert subtitle is None


def test_a_logo_heading_with_the_site_name_loses_to_a_shorter_headline():
    for logo in (
        '<h1 class="logo">某某县人民政府网</h1>',
        '<h1><a href="/">某某县人民政府网</a></h1>',
        '<div class="logo"><h1><a href="http://www.example.gov.cn/index.html">某某县人民政府网</a></h1></div>',
    ):
        page = f"""<html><head><title>春风行动送岗位_某某县人民政府网</title></head><body>
        {logo}<div class="article-title">春风行动送岗位</div><div class="content">{TEXT}</div></body></html>"""
        title, order, _, elements = _choose(page)
        assert title == "春风行动送岗位", logo
        assert elements[order].get("class") == "article-title"


def test_a_headline_linking_to_its_own_page_is_still_the_headline():
    page = f"""<html><head><title>春风行动送岗位_某某县人民政府网</title></head><body>
    <h1><a href="/art/2024/3/5/art_1.html">春风行动送岗位</a></h1><div class="content">{TEXT}</div></body></html>"""
    assert _choose(page)[0] == "春风行动送岗位"
