"""Site health (jiwen/library/health.py) through `jiwen sites --health`: a site with two columns is
crawled three times from a fixture server on 127.0.0.1; one column keeps producing, the other
stops after the first crawl (a government site that moved its column)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jiwen.demo.server import serve_site
from tests.crawler.conftest import crawl

ARTICLE = """<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>
<div class="info">发布时间：2024-06-{day:02d}</div><div class="content"><p>{text}</p></div></body></html>"""
TOPICS = ["招聘会", "技能培训", "稳岗返还", "劳务协作", "公益性岗位", "返乡创业", "零工市场", "就业见习"]


def add_article(root: Path, column: str, number: int) -> str:
    day = number % 28 + 1
    path = f"/{column}/202406/t202406{day:02d}_{number}.html"
    topic = TOPICS[number % len(TOPICS)]
    title = f"第{number}号简报：{topic}"
    text = f"本期{topic}共服务求职者{number * 37}人次，提供就业岗位{number * 11}个，其中{column}栏目编号{number}。"
    file = root / path.lstrip("/")
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(ARTICLE.format(title=title, day=day, text=text * 3), "utf-8")
    index = root / column / "index.html"
    links = index.read_text("utf-8") if index.exists() else ""
    index.write_text(links + f'<li><a href="{path}">{title}</a></li>\n', "utf-8")
    return path


@pytest.fixture(scope="module")
def health(tmp_path_factory):
    from tests.conftest import run_jiwen

    root = tmp_path_factory.mktemp("health")
    site = root / "site"
    site.mkdir()
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n", "utf-8")
    (site / "_routes.toml").write_text('[routes."/live/202406/t20240601_999.html"]\nstatus = 412\nfile = "challenge.html"\n', "utf-8")
    (site / "challenge.html").write_text("<html><script>$_ts={};</script></html>", "utf-8")
    for number in (101, 102, 103):
        add_article(site, "live", number)
    for number in (201, 202, 203):
        add_article(site, "moved", number)
    index = site / "live" / "index.html"
    index.write_text(index.read_text("utf-8") + '<li><a href="/live/202406/t20240601_999.html">挑战页</a></li>\n', "utf-8")
    archive = root / "archive"
    sites_file = root / "sites.toml"
    env = {"JIWEN_SITES": str(sites_file)}
    with serve_site(site) as server:
        sites_file.write_text(
            f"""
[[site]]
name = "two-columns"
title = "两个栏目的测试站点"
start_urls = ["{server.base_url}/live/", "{server.base_url}/moved/"]
interval = "6h"
stale_after = "1s"
""",
            "utf-8",
        )
        for crawl_number in range(3):
            if crawl_number:
                add_article(site, "live", 110 + crawl_number)  # only the live column gets new articles
            crawl(run_jiwen, archive, "--site", "two-columns", env=env)
    text = run_jiwen("sites", "--health", "--archive", str(archive), env=env)
    data = run_jiwen("sites", "--health", "--json", "--archive", str(archive), env=env)
    assert text.returncode == 0 and data.returncode == 0, text.stderr + data.stderr
    return {"base": server.base_url, "text": text.stdout, "json": json.loads(data.stdout)[0]}


def test_a_column_that_stops_producing_is_marked_stale(health):
    columns = {column["url"]: column for column in health["json"]["columns"]}
    moved, live = columns[health["base"] + "/moved/"], columns[health["base"] + "/live/"]
    assert moved["stale"] and moved["new_articles"] == 3 and moved["crawls_since_new"] == 2
    assert not live["stale"] and live["new_articles"] == 5 and live["crawls_since_new"] == 0
    assert health["json"]["stale"] is True


def test_health_counts_new_articles_per_day_and_blocked_answers_by_kind(health):
    site = health["json"]
    assert len(site["new_per_day"]) == 30 and site["new_per_day"][-1] == site["new_30_days"] == 8
    assert site["blocked"] == {"ruishu_challenge": 3}  # the challenged link, once per crawl
    assert site["crawls_30_days"] == 3 and site["last_outcome"] == "finished"
    assert site["last_run"] and site["last_new_article"] and site["next_run"] > site["last_run"]


def test_the_health_text_shows_the_stale_site_and_column(health):
    assert "two-columns  [STALE <--]" in health["text"]
    assert f"column [STALE] {health['base']}/moved/: 3 new, 2 crawls without a new article" in health["text"]
    assert "ruishu_challenge=3" in health["text"]
