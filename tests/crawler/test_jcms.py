"""Hanweb JCMS (大汉) lists, whose records are data for a script (crawler/pagers.py): read from the
page's <datastore> and from its data proxy, and a JCMS-shaped county site crawled from its home
page through the real `jiwen crawl`. The site is written here (its pages are examples, not any
publisher's): a 要闻 box on the home page, a 工作动态 column of 40 employment articles of which
the column page holds the first 15 and the data proxy the rest, 15 at a time, a 县内动态 column of
18 articles that are not about employment, and a 机构概况 page."""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

import pytest
from scrapy.http import HtmlResponse, TextResponse

from jiwen.crawler.pagers import datastore_links, next_datastore_group
from jiwen.demo.server import serve_site
from tests.crawler.conftest import crawl, query, write_county_pages

WEBNAME = quote("测试县人力资源和社会保障局")
PROXY = "/module/web/jpage/dataproxy.jsp"
PER_PAGE = 15
NAV = (
    '<div class="nav"><a href="/">首页</a> <a href="/col/col1229/index.html">工作动态</a> '
    '<a href="/col/col1230/index.html">县内动态</a> <a href="/col/col1231/index.html">机构概况</a></div>'
)
FOOTER = '<div class="footer">本站为 jiwen 测试站点（大汉 JCMS 形态），页面内容均为编写的示例，不代表任何机构发布的信息。</div>'
TOWNS = ("城关镇", "西山镇", "东河乡", "南岭镇", "北坪乡")


def _on_topic(number: int) -> tuple[str, str]:
    town = TOWNS[number % len(TOWNS)]
    title = f"{town}开展第{number + 1}场春风行动专场招聘会"
    body = (
        f"<p>{town}人社所举办春风行动专场招聘会，{20 + number}家企业提供就业岗位{300 + 7 * number}个，"
        f"现场达成就业意向{80 + number}人。</p><p>县人社局将持续开展就业服务进乡村活动，帮助农村劳动力转移就业。</p>"
    )
    return title, body


def _off_topic(number: int) -> tuple[str, str]:
    town = TOWNS[number % len(TOWNS)]
    title = f"{town}举办第{number + 1}届乡村篮球邀请赛"
    body = f"<p>{town}举办乡村篮球邀请赛，{8 + number}支球队参赛，吸引群众{500 + number}余人观赛。</p><p>比赛持续三天。</p>"
    return title, body


def _article(column: int, number: int, title: str, body: str) -> tuple[str, str, str]:
    day = 1 + number % 28
    path = f"/art/2024/6/{day}/art_{column}_{5000 + number}.html"
    page = (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}_测试县人力资源和社会保障局</title></head>'
        f'<body>{NAV}<div class="main"><h1 class="title">{title}</h1>'
        f'<div class="info">发布日期：2024-06-{day:02d}　信息来源：测试县人力资源和社会保障局</div>'
        f'<div class="main-txt">{body}</div></div>{FOOTER}</body></html>'
    )
    return path, f"2024-06-{day:02d}", page


def _records(articles: list[tuple[str, str, str]]) -> str:
    return "".join(
        f'<record><![CDATA[<li><a href="{path}" target="_blank" title="{html.escape(title)}">{html.escape(title)}</a>'
        f"<span>{date}</span></li>]]></record>\n"
        for path, title, date in articles
    )


def _proxy_query(column: int, start: int) -> str:
    """The data proxy's URL for the records from `start` on, as the page's jpage script asks it."""
    return (
        f"{PROXY}?startrecord={start}&endrecord={start + PER_PAGE - 1}&perpage={PER_PAGE}&appid=1&webid=3&path=%2F"
        f"&columnid={column}&unitid=50{column}&webname={WEBNAME}&permissiontype=0"
    )


def write_jcms_site(root: Path) -> dict[str, tuple[str, str]]:
    """The site under `root`; returns path -> (title, date) of the on-topic articles."""
    routes = []
    on_topic: dict[str, tuple[str, str]] = {}
    for column, count, make, name in ((1229, 40, _on_topic, "工作动态"), (1230, 18, _off_topic, "县内动态")):
        listed = []
        for number in range(count):
            title, body = make(number)
            path, date, page = _article(column, number, title, body)
            (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
            (root / path.lstrip("/")).write_text(page, "utf-8")
            listed.append((path, title, date))
            if column == 1229:
                on_topic[path] = (title, date)
        nextgroup = (
            f'<a href="{PROXY}?page=1&amp;appid=1&amp;webid=3&amp;path=/&amp;columnid={column}&amp;unitid=50{column}'
            f'&amp;webname={WEBNAME}&amp;permissiontype=0"></a>'
        )
        column_page = (
            f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{name}_测试县人力资源和社会保障局</title></head>'
            f'<body>{NAV}<div class="list"><h2>{name}</h2><div id="50{column}"><script type="text/xml"><datastore>'
            f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup><recordset>\n{_records(listed[:PER_PAGE])}</recordset>"
            f'</datastore></script></div></div><script type="text/javascript">$("#50{column}").jpage({{dataStore: ..., '
            f"perPage: {PER_PAGE}, totalRecord: {count}, proxyUrl: '{PROXY}'}});</script>{FOOTER}</body></html>"
        )
        (root / f"col/col{column}").mkdir(parents=True)
        (root / f"col/col{column}/index.html").write_text(column_page, "utf-8")
        for start in range(PER_PAGE + 1, count + 1, PER_PAGE):
            answer = (
                f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{count}</totalrecord>'
                f"<totalpage>{-(-count // PER_PAGE)}</totalpage><recordset>\n"
                f"{_records(listed[start - 1 : start - 1 + PER_PAGE])}</recordset></datastore>"
            )
            (root / "proxy").mkdir(exist_ok=True)
            (root / f"proxy/{column}-{start}.xml").write_text(answer, "utf-8")
            routes.append(
                f'[routes."{_proxy_query(column, start)}"]\nfile = "proxy/{column}-{start}.xml"\ncontent_type = "text/xml;charset=UTF-8"\n'
            )
    write_county_pages(root, NAV, FOOTER, "col/col1231", on_topic)
    (root / "_routes.toml").write_text("\n".join(routes), "utf-8")
    return on_topic


def test_the_records_of_a_datastore_are_a_list_pages_links_and_the_proxy_gives_the_rest(tmp_path):
    on_topic = write_jcms_site(tmp_path)
    column = (tmp_path / "col/col1229/index.html").read_bytes()
    page = HtmlResponse(url="http://h/col/col1229/index.html", body=column, encoding="utf-8")
    assert [link.url.removeprefix("http://h") for link in datastore_links(page)] == list(on_topic)[:PER_PAGE]
    assert [link.text for link in datastore_links(page)][0] == on_topic[next(iter(on_topic))][0]
    second = next_datastore_group(page.text, page.url)
    assert second == "http://h" + _proxy_query(1229, 16)
    third = TextResponse(url=second, body=(tmp_path / "proxy/1229-16.xml").read_bytes(), encoding="utf-8")
    assert [link.url.removeprefix("http://h") for link in datastore_links(third)] == list(on_topic)[15:30]
    assert next_datastore_group(third.text, third.url) == "http://h" + _proxy_query(1229, 31)
    answer = TextResponse(url="http://h" + _proxy_query(1229, 31), body=(tmp_path / "proxy/1229-31.xml").read_bytes(), encoding="utf-8")
    assert [link.url.removeprefix("http://h") for link in datastore_links(answer)] == list(on_topic)[30:40]
    assert next_datastore_group(answer.text, answer.url) is None  # records 31-40 of 40: the last
    # A page without a datastore, or whose datastore names no proxy, has no further records.
    assert next_datastore_group("<html><body><a href='/a.html'>a</a></body></html>", "http://h/") is None
    assert datastore_links(HtmlResponse(url="http://h/", body=b"<html><body>no list</body></html>", encoding="utf-8")) == []


def test_a_hostile_datastore_is_read_in_one_pass_and_asks_nothing_odd():
    # Two megabytes of records that never close and groups without a link: read in one pass
    # (a pattern that scanned to the end from each of them would take hours).
    hostile = "<datastore>" + "<record><![CDATA[<a href='/art/1.html'>" * 40_000 + "<nextgroup><![CDATA[" * 40_000
    assert len(hostile) > 2_000_000
    assert datastore_links(HtmlResponse(url="http://h/", body=hostile.encode(), encoding="utf-8")) == []
    assert next_datastore_group(hostile, "http://h/") is None
    # A proxy's answer asked at an absurd record number, or naming no total, goes on from there
    # and only within the proxy it came from.
    one = "<datastore><recordset><record><![CDATA[<a href='/art/2024/1/1/art_1_1.html'>a</a>]]></record></recordset></datastore>"
    assert next_datastore_group(one, "http://h/p.jsp?startrecord=" + "9" * 5000) == "http://h/p.jsp?startrecord=2&endrecord=2&perpage=15"
    assert next_datastore_group(one, "http://h/p.jsp?startrecord=7&perpage=20&columnid=3") == (
        "http://h/p.jsp?startrecord=8&endrecord=8&perpage=20&columnid=3"
    )


@pytest.fixture(scope="module")
def jcms_crawl(tmp_path_factory):
    from tests.conftest import run_jiwen

    root = tmp_path_factory.mktemp("jcms-site")
    on_topic = write_jcms_site(root)
    archive = tmp_path_factory.mktemp("jcms") / "archive"
    with serve_site(root) as server:
        result = crawl(run_jiwen, archive, "--url", server.base_url + "/")
        yield {"archive": archive, "base": server.base_url, "result": result, "paths": server.paths_requested(), "on_topic": on_topic}


def test_a_jcms_site_from_its_home_page_yields_every_on_topic_article_through_the_data_proxy(jcms_crawl):
    rows = query(jcms_crawl["archive"], "SELECT url, title, published FROM articles WHERE relevant = 1")
    archived = {url.removeprefix(jcms_crawl["base"]): (title, (published or "")[:10]) for url, title, published in rows}
    assert archived == jcms_crawl["on_topic"]  # all 40, title and date right, nothing else on topic
    proxy_asked = [path for path in jcms_crawl["paths"] if path.startswith(PROXY)]
    assert sorted(proxy_asked) == sorted({_proxy_query(1229, 16), _proxy_query(1229, 31)})  # and not past record 40
    output = jcms_crawl["result"].stdout
    crawled, _, left_out = output.partition("left out:")
    assert "/col/col1229/" in crawled and "/col/col1230/" in left_out
