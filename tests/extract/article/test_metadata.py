from datetime import datetime, timedelta, timezone

from jiwen.extract.article.html import measure_tree, parse_html
from jiwen.extract.article.metadata import (
    class_hinted_fields,
    find_published,
    first_meta,
    read_meta,
    read_metadata,
    region_lines,
)

SHANGHAI = timezone(timedelta(hours=8))
TEXT = "<p>" + "县人社局联合二十家企业开展春风行动，为返乡农民工提供就业岗位一千二百个。" * 3 + "</p>"


def _header(page: str):
    """The tree, the <meta> map, and the header lines between the <h1> and the first <p>."""
    root = parse_html(page)
    elements, measures = measure_tree(root)
    start = next(measures[element].order for element in elements if element.tag == "h1")
    end = next(measures[element].order for element in elements if element.tag == "p")
    return root, elements, measures, start, end


def test_meta_names_are_read_lower_cased_and_the_first_one_wins():
    root = parse_html(
        """<html><head><meta name="PubDate" content="2023-11-08 10:30"><meta name="pubdate" content="2020-01-01">
        <meta property="og:title" content="春风行动"><meta name="Author" content="  "></head><body></body></html>"""
    )
    meta = read_meta(root)
    assert meta["pubdate"] == "2023-11-08 10:30"
    assert meta["og:title"] == "春风行动"
    assert "author" not in meta


def test_the_trs_article_title_comes_before_og_title():
    meta = {"og:title": "春风行动送岗位", "articletitle": "全县开展春风行动送岗位"}
    assert first_meta(meta, "title") == "全县开展春风行动送岗位"
    assert first_meta({}, "title") is None


def test_a_trs_pubdate_meta_gives_the_date_when_the_header_has_none():
    meta = {"pubdate": "2023-11-08 10:30"}
    assert find_published([], [], meta, "", None, None) == "2023-11-08T10:30+08:00"


def test_the_date_shown_under_the_headline_beats_the_meta_date():
    meta = {"pubdate": "2023-11-08 10:30"}
    assert find_published(["2023-11-09 08:15 来源：省就业局"], [], meta, "", None, None) == "2023-11-09T08:15+08:00"


def test_a_labelled_date_after_the_text_is_used_on_government_pages():
    assert find_published([], ["发布日期：2024-02-20"], {}, "", None, None) == "2024-02-20"


def test_the_url_date_is_the_last_resort():
    url = "http://www.example.gov.cn/art/2023/11/08/art_1.html"
    assert find_published([], [], {}, "", url, None) == "2023-11-08"
    assert find_published([], [], {}, "", None, None) is None


def test_a_relative_date_in_the_header_resolves_against_the_fetch_time():
    fetched_at = datetime(2024, 3, 5, 12, 0, tzinfo=SHANGHAI)
    assert find_published(["3小时前"], [], {}, "", None, fetched_at) == "2024-03-05T09:00+08:00"


def test_header_lines_skip_the_dates_of_a_headline_list():
    page = f"""<html><body><h1>家门口招聘会岗位多</h1>
    <ul><li>毕节市举办专场招聘会 2024-01-02</li><li>黔西南州组织劳务输出 2024-01-03</li></ul>
    <div class="info">2024-03-05 来源：县融媒体中心</div><div class="content">{TEXT}</div></body></html>"""
    _, elements, measures, start, end = _header(page)
    lines = region_lines(elements, measures, start, end)
    assert "2024-03-05 来源：县融媒体中心" in lines
    assert not any("2024-01-0" in line for line in lines)


def test_header_lines_skip_a_block_marked_as_sidebar():
    page = f"""<html><body><h1>家门口招聘会岗位多</h1><div class="hotnews">热点：培训班开班 2024-01-02</div>
    <span>作者：欧阳青禾</span><div class="content">{TEXT}</div></body></html>"""
    _, elements, measures, start, end = _header(page)
    lines = region_lines(elements, measures, start, end)
    assert any("欧阳青禾" in line for line in lines)
    assert not any("2024-01-02" in line for line in lines)


def test_source_and_author_are_read_from_classed_header_elements_without_labels():
    page = f"""<html><body><h1>家门口招聘会岗位多</h1>
    <div class="info"><span class="source">黔东南日报</span><span class="author">吴晓峰</span><span class="time">2024-03-05</span></div>
    <div class="content">{TEXT}</div></body></html>"""
    _, elements, _, start, end = _header(page)
    assert class_hinted_fields(elements, start, end) == {"source": "黔东南日报", "author": "吴晓峰"}


def test_a_classed_element_holding_a_date_is_not_taken_for_the_author():
    page = f"""<html><body><h1>家门口招聘会岗位多</h1><span class="author">2024-03-05 10:00</span>
    <div class="content">{TEXT}</div></body></html>"""
    _, elements, _, start, end = _header(page)
    assert "author" not in class_hinted_fields(elements, start, end)


def test_labelled_source_and_author_in_the_header_fill_the_metadata():
    root = parse_html("<html><head><meta name='keywords' content='春风行动,招聘会；就业'></head><body></body></html>")
    metadata = read_metadata(root, read_meta(root), ["2024-03-05 来源：县融媒体中心 作者：欧阳青禾"], "http://example.cn/a.html")
    assert metadata.source == "县融媒体中心"
    assert metadata.author == "欧阳青禾"
    assert metadata.keywords == ["春风行动", "招聘会", "就业"]
    assert metadata.url == "http://example.cn/a.html"


def test_a_meta_author_that_is_an_organisation_becomes_the_source():
    root = parse_html("<html><head><meta name='author' content='安顺日报'></head><body></body></html>")
    metadata = read_metadata(root, read_meta(root), [], None)
    assert metadata.author is None
    assert metadata.source == "安顺日报"


def test_a_meta_author_that_is_the_site_name_in_the_title_is_ignored():
    root = parse_html(
        "<html><head><title>家门口招聘会岗位多_黔乡资讯</title><meta name='author' content='黔乡资讯'></head><body></body></html>"
    )
    metadata = read_metadata(root, read_meta(root), [], None, headline="家门口招聘会岗位多")
    assert metadata.author is None


def test_a_placeholder_meta_author_is_ignored():
    root = parse_html("<html><head><meta name='author' content='admin@example.cn'></head><body></body></html>")
    assert read_metadata(root, read_meta(root), [], None).author is None


def test_the_canonical_link_gives_the_url_when_none_is_passed():
    root = parse_html(
        "<html><head><link rel='canonical' href='http://www.example.cn/news/2024/0305/123.html'><meta name='SiteName' content='黔乡资讯'></head><body></body></html>"
    )
    metadata = read_metadata(root, read_meta(root), [], None)
    assert metadata.url == "http://www.example.cn/news/2024/0305/123.html"
    assert metadata.site_name == "黔乡资讯"
