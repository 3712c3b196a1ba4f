"""Per-site extraction overrides (sites.toml [site.extract], extract/article/overrides.py): applied
to that site's pages in a crawl, and by `jiwen reextract --site NAME` after the entry is edited;
other sites' articles are left alone. The site is written by the test and served on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiwen.core.errors import ConfigError
from jiwen.crawler.sites import parse_sites
from jiwen.demo.server import serve_site
from tests.crawler.conftest import crawl, query

ARTICLE = """<html><head><meta charset="utf-8"><title>栏目页_测试站点</title></head><body>
<div class="nav"><a href="/">首页</a></div>
<div class="box"><span class="kicker">专题报道</span>
<div class="headline">测试县举办返乡农民工专场招聘会 {number}家企业提供岗位</div>
<div class="dates">更新时间：2024-07-20　首发时间：2024-07-{day}</div>
<div class="text">
<p class="note">编者按：本栏目持续关注返乡农民工就业，欢迎读者来信提供线索，来信请寄县融媒体中心新闻部。</p>
<p>7月{day}日，测试县在县城广场举办返乡农民工专场招聘会，{number}家企业提供就业岗位1800个，现场达成就业意向420人。</p>
<p>县人社局现场开展技能培训报名和务工政策咨询，发放返乡创业补贴宣传资料2000余份，帮助返乡农民工就近就业。</p>
</div></div></body></html>"""

EXTRACT = """
[site.extract]
title = "//div[@class='headline']"
date = "//div[@class='dates']"
noise = ["//p[@class='note']", "//span[@class='kicker']"]
content = "//div[@class='text']"
"""


def write_site(root: Path) -> list[str]:
    paths = []
    for number, day in ((31, 11), (47, 12)):
        path = f"/news/202407/t202407{day}_{number}.html"
        (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / path.lstrip("/")).write_text(ARTICLE.format(number=number, day=day), "utf-8")
        paths.append(path)
    (root / "index.html").write_text("".join(f'<li><a href="{p}">招聘会{i}</a></li>' for i, p in enumerate(paths)), "utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", "utf-8")
    return paths


def sites_toml(base: str, extract: str = "") -> str:
    return f'[[site]]\nname = "county"\nstart_urls = ["{base}/"]\n{extract}\n[[site]]\nname = "other"\nstart_urls = ["{base}/other/"]\n'


def articles(archive: Path) -> dict[str, tuple]:
    return {
        url: (title, published, body)
        for url, title, published, body in query(archive, "SELECT url, title, published, json_extract(data, '$.body') FROM articles")
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from tests.conftest import run_jiwen

    root = tmp_path_factory.mktemp("overrides")
    (root / "site").mkdir()
    write_site(root / "site")
    sites_file = root / "sites.toml"
    env = {"JIWEN_SITES": str(sites_file)}
    with serve_site(root / "site") as server:
        sites_file.write_text(sites_toml(server.base_url), "utf-8")
        crawl(run_jiwen, root / "plain", "--site", "county", env=env)
        before = articles(root / "plain")
        sites_file.write_text(sites_toml(server.base_url, EXTRACT), "utf-8")
        reextracted = run_jiwen("reextract", "--site", "county", "--archive", str(root / "plain"), env=env)
        crawl(run_jiwen, root / "with-overrides", "--site", "county", env=env)
    return {"before": before, "after": articles(root / "plain"), "crawled": articles(root / "with-overrides"), "reextract": reextracted}


def test_without_overrides_the_general_rules_keep_the_editors_note_and_miss_the_headline(runs):
    for title, _published, body in runs["before"].values():
        assert "编者按" in body
        assert title != "测试县举办返乡农民工专场招聘会 31家企业提供岗位"


def test_reextract_site_applies_the_edited_overrides(runs):
    assert runs["reextract"].returncode == 0, runs["reextract"].stderr
    assert "2 " in runs["reextract"].stdout.splitlines()[-1]  # both pages of the site, nothing else
    titles = sorted(title for title, _, _ in runs["after"].values())
    assert titles == ["测试县举办返乡农民工专场招聘会 31家企业提供岗位", "测试县举办返乡农民工专场招聘会 47家企业提供岗位"]
    for _title, published, body in runs["after"].values():
        assert "编者按" not in body and "专题报道" not in body
        assert body.startswith("7月1")
        assert published == "2024-07-20"  # the first date of the date element


def test_a_crawl_with_overrides_extracts_what_reextract_does(runs):
    assert sorted(runs["crawled"].values()) == sorted(runs["after"].values())


def test_a_broken_override_xpath_is_refused_at_load_time():
    with pytest.raises(ConfigError, match="extract XPath"):
        parse_sites('[[site]]\nname = "x"\nstart_urls = ["http://example.gov.cn/"]\n[site.extract]\ntitle = "//div[@"\n')


PROVINCIAL = """<html><head><meta charset="utf-8"><title>测试网</title></head><body>
<h1>协作车间吸纳务工人员</h1><div class="date">发布时间：2024-03-08</div>
<div class="text"><p>记者从省人社厅获悉：去年以来，我省新建就业帮扶车间126个，吸纳务工人员3400人。</p>
<p>省人社厅有关负责人表示，下一步将继续组织务工人员有序外出，做好跟踪服务。</p></div></body></html>"""


def indicator_places(run_jiwen, archive: Path) -> dict[float, str | None]:
    import json

    result = run_jiwen("export", "--format", "indicators-jsonl", "--archive", str(archive))
    assert result.returncode == 0, result.stderr
    return {row["value"]: row["place"] for row in map(json.loads, result.stdout.splitlines())}


def test_a_site_s_province_setting_tells_whose_our_province_figures_are(tmp_path):
    from tests.conftest import run_jiwen

    root = tmp_path / "site"
    (root / "news/202403").mkdir(parents=True)
    (root / "news/202403/t20240308_1.html").write_text(PROVINCIAL, "utf-8")
    (root / "index.html").write_text('<li><a href="/news/202403/t20240308_1.html">车间</a></li>', "utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", "utf-8")
    sites_file = tmp_path / "sites.toml"
    env = {"JIWEN_SITES": str(sites_file)}
    with serve_site(root) as server:
        sites_file.write_text(f'[[site]]\nname = "province"\nstart_urls = ["{server.base_url}/"]\n', "utf-8")
        crawl(run_jiwen, tmp_path / "plain", "--site", "province", env=env)
        sites_file.write_text(
            f'[[site]]\nname = "province"\nstart_urls = ["{server.base_url}/"]\n[site.extract]\nprovince = "陕西"\n', "utf-8"
        )
        crawl(run_jiwen, tmp_path / "with-province", "--site", "province", env=env)
    assert indicator_places(run_jiwen, tmp_path / "plain") == {126: None, 3400: None}
    assert indicator_places(run_jiwen, tmp_path / "with-province") == {126: "陕西省", 3400: "陕西省"}


def test_a_province_setting_that_names_no_province_is_refused_at_load_time():
    with pytest.raises(ConfigError, match="province"):
        parse_sites('[[site]]\nname = "x"\nstart_urls = ["http://example.gov.cn/"]\n[site.extract]\nprovince = "江南"\n')
