"""A site's own article shape, learned from the dated items of its lists (crawler/shapes.py): the
shape of a URL, when a page teaches one, and a site of no known CMS family crawled from its home
page and from the entry `jiwen sites discover --write` made of it, through the real CLI. The site
is written here (its pages are examples, not any publisher's): a 要闻 box on the home page, a 工作动态
column of 30 employment articles on three list pages (12 a page, 下一页 between them), a 通知公告
column of 12 where every fourth is about employment (the others about sport, as in a county's
mixed columns: it is crawled, one in four of its sample being on topic), a 县内动态 column of 14
articles that are not about employment, and a 机构概况 page. Its articles are
/xwdt/gzdt/t17234001.shtml and the like: a shape none of link_patterns.toml's has."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from jiwen.crawler.shapes import MIN_ITEMS, dated_item_links, learn_article_shape, learn_site_shape, url_shape
from jiwen.crawler.sites import SiteConfig, site_for_url
from jiwen.demo.server import serve_site
from tests.crawler.conftest import crawl_discover_and_crawl_the_entry, query, write_county_pages

PER_PAGE = 12
NAV = (
    '<div class="nav"><a href="/">首页</a> <a href="/xwdt/gzdt/">工作动态</a> <a href="/xwdt/tzgg/">通知公告</a> '
    '<a href="/xwdt/xndt/">县内动态</a> <a href="/jggk/">机构概况</a></div>'
)
COLUMNS = {"gzdt": "工作动态", "tzgg": "通知公告", "xndt": "县内动态"}
FOOTER = '<div class="footer">本站为 jiwen 测试站点，页面内容均为编写的示例，不代表任何机构发布的信息。</div>'
TOWNS = ("城关镇", "西山镇", "东河乡", "南岭镇", "北坪乡")


@pytest.mark.parametrize(
    ("url", "shape", "also", "not_"),
    [
        ("http://h/xwdt/gzdt/t17234567.shtml", r"/xwdt/gzdt/t\d+\.shtml(\?|$)", "/xwdt/gzdt/t1.shtml", "/xwdt/tzgg/t17234567.shtml"),
        ("http://h/2024/05-03/2841234.html", r"/\d+/\d+\-\d+/\d+\.html(\?|$)", "/2023/11-28/99.html", "/2024/05-03/index.html"),
        (
            "http://h/rst/gzdt/2024/5/3/2f8e9a1b7c6d5e4f3a2b.shtml",
            r"/rst/gzdt/\d+/\d+/\d+/[0-9a-f]+\.shtml(\?|$)",
            "/rst/gzdt/2023/12/1/00aa11bb22cc33dd44ee.shtml",
            "/rst/gzdt/2024/5/3/index.shtml",
        ),
        (
            "http://h/newstyle/pub_newsshow.asp?id=1012345&chid=100",
            r"/newstyle/pub_newsshow\.asp\?id=\d+&chid=\d+(&|$)",
            "/newstyle/pub_newsshow.asp?id=7&chid=3",
            "/newstyle/pub_newslist.asp?id=7&chid=3",
        ),
        (
            "http://h/zwgk/content/post_4312345.html",
            r"/zwgk/content/post_\d+\.html(\?|$)",
            "/zwgk/content/post_1.html",
            "/zwgk/content/index.html",
        ),
    ],
)
def test_the_shape_of_an_article_url_varies_its_numbers_and_ids_only(url, shape, also, not_):
    assert url_shape(url) == shape
    site = site_for_url("http://h/").learning(shape)
    assert site.is_article_url(url) and site.is_article_url("http://h" + also)
    assert not site.is_article_url("http://h" + not_)


def test_a_url_with_nothing_to_vary_has_no_shape():
    for url in ("http://h/jggk/", "http://h/xwdt/gzdt/index.shtml", "http://h/about.html", "http://h/files/2024/123.pdf", "http://h/"):
        assert url_shape(url) is None, url
    assert url_shape("http://h/list.jsp?column=news") is None  # no number in its query either


def _list_page(rows: list[str]) -> HtmlResponse:
    body = f"<html><body>{NAV}<ul>{''.join(rows)}</ul><a href='/xwdt/gzdt/index_1.shtml'>下一页</a></body></html>"
    return HtmlResponse(url="http://h/xwdt/gzdt/", body=body.encode(), encoding="utf-8")


def test_a_list_teaches_the_shape_most_of_its_dated_items_link_to():
    rows = [f'<li><a href="t{17234000 + n}.shtml">第{n}条</a><span>2024-05-{n + 1:02d}</span></li>' for n in range(6)]
    rows.append('<li><a href="/files/notice.pdf">附件</a><span>2024-05-09</span></li>')
    rows.append('<li><a href="/jggk/">机构概况</a></li>')  # no date: not a list item of news
    page = _list_page(rows)
    assert dated_item_links(page)[:2] == ["http://h/xwdt/gzdt/t17234000.shtml", "http://h/xwdt/gzdt/t17234001.shtml"]
    assert len(dated_item_links(page)) == 7
    site = site_for_url("http://h/")
    assert learn_site_shape(site, page) == r"/xwdt/gzdt/t\d+\.shtml(\?|$)"
    # Too few items of one shape, or items of many shapes, teach nothing.
    assert learn_site_shape(site, _list_page(rows[: MIN_ITEMS - 1])) is None
    mixed = [f'<li><a href="/a{n}/x.html?n={n}&k=v{n}">第{n}条</a> 2024年5月{n + 1}日</li>' for n in range(8)]
    assert learn_article_shape(dated_item_links(_list_page(mixed))) is None
    # Rows that open with their column's link, or wrap the headline: the headline link counts;
    # a menu's item that holds a dated list of its own is not a row.
    wrapped = [
        f'<li><a href="/xwdt/gzdt/">[工作动态]</a><div class="t"><a href="t{17234100 + n}.shtml">县人社局开展第{n}场招聘</a></div>'
        f"<span>2024-05-{n + 1:02d}</span></li>"
        for n in range(5)
    ]
    menu = '<li><a href="/xwdt/">新闻动态</a><ul><li><a href="/xwdt/gzdt/">工作动态</a> 2024-05-01</li></ul></li>'
    page = _list_page([menu, *wrapped])
    # (the menu's own dated item is one: a link and a date; the menu around it is not)
    assert dated_item_links(page) == ["http://h/xwdt/gzdt/", *(f"http://h/xwdt/gzdt/t{17234100 + n}.shtml" for n in range(5))]
    assert learn_site_shape(site, page) == r"/xwdt/gzdt/t\d+\.shtml(\?|$)"
    # A site whose entry names its article_patterns keeps to them; an off-site list teaches nothing.
    named = SiteConfig(name="h", start_urls=["http://h/"], article_patterns=["/art/"])
    assert learn_site_shape(named, page) is None
    assert learn_site_shape(site_for_url("http://elsewhere/"), page) is None
    # Links a known shape already takes are not taught again.
    known = [f'<li><a href="/news/202405/t202405{n + 10:02d}_{n}.html">第{n}条</a><span>2024-05-{n + 1:02d}</span></li>' for n in range(6)]
    assert learn_site_shape(site, _list_page(known)) is None


def _article_page(path: str, title: str, body: str, date: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}_测试县人力资源和社会保障局</title></head>'
        f'<body>{NAV}<div class="main"><h1>{title}</h1><div class="info">发布时间：{date}　来源：测试县人力资源和社会保障局</div>'
        f'<div class="content">{body}</div></div>{FOOTER}</body></html>'
    )


def write_site(root: Path) -> dict[str, tuple[str, str]]:
    """The site under `root`; returns path -> (title, date) of the on-topic articles."""
    on_topic: dict[str, tuple[str, str]] = {}
    for folder, count, on_every in (("gzdt", 30, 1), ("tzgg", 12, 4), ("xndt", 14, 0)):
        listed = []
        for number in range(count):
            on = bool(on_every) and number % on_every == 0
            town = TOWNS[number % len(TOWNS)]
            date = f"2024-05-{1 + number % 28:02d}"
            if on:
                title = f"{town}开展第{number + 1}场春风行动专场招聘会"
                body = (
                    f"<p>{town}人社所举办春风行动专场招聘会，{20 + number}家企业提供就业岗位{300 + 7 * number}个，"
                    f"现场达成就业意向{80 + number}人。</p><p>县人社局将持续开展就业服务进乡村活动，帮助农村劳动力转移就业。</p>"
                )
            else:
                title = f"{town}举办第{number + 1}届乡村篮球邀请赛"
                body = f"<p>{town}举办乡村篮球邀请赛，{8 + number}支球队参赛，吸引群众{500 + number}余人观赛。</p><p>比赛持续三天。</p>"
            path = f"/xwdt/{folder}/t{17234001 + number + {'gzdt': 0, 'tzgg': 300, 'xndt': 500}[folder]}.shtml"
            (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
            (root / path.lstrip("/")).write_text(_article_page(path, title, body, date), "utf-8")
            listed.append((path, title, date))
            if on:
                on_topic[path] = (title, date)
        pages = [listed[start : start + PER_PAGE] for start in range(0, count, PER_PAGE)]
        for number, items in enumerate(pages):
            name = "index.shtml" if number == 0 else f"index_{number}.shtml"
            rows = "".join(f'<li><a href="{path.rsplit("/", 1)[1]}">{title}</a><span>{date}</span></li>' for path, title, date in items)
            pager = f'<a href="index_{number + 1}.shtml">下一页</a>' if number + 1 < len(pages) else ""
            (root / f"xwdt/{folder}/{name}").write_text(
                f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{COLUMNS[folder]}</title></head>'
                f'<body>{NAV}<ul class="list">{rows}</ul><div class="page">{pager}</div>{FOOTER}</body></html>',
                "utf-8",
            )
    write_county_pages(root, NAV, FOOTER, "jggk", on_topic)
    # The server answers a folder with its index.html: these folders' first list page is index.shtml.
    for folder in ("gzdt", "tzgg", "xndt"):
        (root / f"xwdt/{folder}/index.html").write_text((root / f"xwdt/{folder}/index.shtml").read_text("utf-8"), "utf-8")
    return on_topic


@pytest.fixture(scope="module")
def unknown_cms(tmp_path_factory):
    from tests.conftest import run_jiwen

    root = tmp_path_factory.mktemp("shapes-site")
    on_topic = write_site(root)
    work = tmp_path_factory.mktemp("shapes")
    with serve_site(root) as server:
        yield {"work": work, "on_topic": on_topic, **crawl_discover_and_crawl_the_entry(run_jiwen, server, work, "county")}


def _archived(archive: Path, base: str) -> dict[str, tuple[str, str]]:
    rows = query(archive, "SELECT url, title, published FROM articles WHERE relevant = 1")
    return {url.removeprefix(base): (title, (published or "")[:10]) for url, title, published in rows}


def test_a_site_of_no_known_cms_yields_every_on_topic_article_from_its_home_page(unknown_cms):
    assert len(unknown_cms["on_topic"]) == 33
    assert _archived(unknown_cms["work"] / "from-home", unknown_cms["base"]) == unknown_cms["on_topic"]  # title and date right
    output = unknown_cms["home"].stdout
    crawled, _, left_out = output.partition("left out:")
    assert "/xwdt/gzdt/" in crawled and "/xwdt/tzgg/" in crawled and "/xwdt/xndt/" in left_out
    assert "learned from the dated items of its lists" in output and r"/xwdt/gzdt/t\d+\.shtml" in output
    report = query(unknown_cms["work"] / "from-home", "SELECT report FROM runs")[0][0]
    assert r"/xwdt/gzdt/t\\d+\\.shtml(\\?|$)" in report  # by_site.<site>.learned_patterns, JSON-escaped


def test_discover_writes_the_learned_shapes_into_the_entry_and_a_crawl_of_it_finds_every_article(unknown_cms):
    entry = tomllib.loads(unknown_cms["discovered"].stdout)["site"][0]
    assert sorted(entry["start_urls"]) == [unknown_cms["base"] + "/xwdt/gzdt/", unknown_cms["base"] + "/xwdt/tzgg/"]
    assert r"/xwdt/gzdt/t\d+\.shtml(\?|$)" in entry["learned_patterns"]
    assert all(re.compile(pattern) for pattern in entry["learned_patterns"])
    assert _archived(unknown_cms["work"] / "from-entry", unknown_cms["base"]) == unknown_cms["on_topic"]
