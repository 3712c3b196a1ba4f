"""Answers that are not articles (crawler/blocked.py, crawler/blocked_answers.toml): each kind served
by a fixture server on 127.0.0.1 (tests/fixtures/answers_site, challenge_site; pages written for
these tests), crawled by the real `jiwen crawl`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jiwen.crawler.blocked import classify_answer
from jiwen.demo.server import serve_site
from tests.crawler.conftest import FAST_CRAWL_ENV, crawl, query

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ANSWERS_SITE = FIXTURES / "answers_site"
CHALLENGE_SITE = FIXTURES / "challenge_site"
NEWS = "/news/202406/"
REAL = NEWS + "t20240601_4001.html"
CHALLENGED = NEWS + "t20240602_4002.html"
EXPECTED_BLOCKED = {"ruishu_challenge": 1, "jiasule_challenge": 1, "waf_block": 1, "captcha": 1, "login_wall": 1}


@pytest.fixture(scope="module")
def answers_crawl(tmp_path_factory):
    from tests.conftest import run_jiwen

    archive = tmp_path_factory.mktemp("answers") / "archive"
    with serve_site(ANSWERS_SITE) as server:
        # Every answer is fetched: with four requests in flight, three challenges could come back
        # before the one real article and stop the crawl early (that stop has its own test).
        result = crawl(run_jiwen, archive, "--url", server.base_url + "/", env={"JIWEN_BLOCKED_STOP_AFTER": "100"})
    runs = json.loads(run_jiwen("runs", "--json", "--archive", str(archive)).stdout)
    return {"archive": archive, "base": server.base_url, "result": result, "report": runs[0]["report"]}


def test_no_blocked_or_missing_answer_is_archived_as_an_article(answers_crawl):
    urls = {row[0] for row in query(answers_crawl["archive"], "SELECT url FROM articles")}
    assert urls == {answers_crawl["base"] + REAL}


def test_each_kind_of_blocked_answer_is_counted_by_kind_in_the_run_report(answers_crawl):
    report = answers_crawl["report"]
    assert report["blocked"] == EXPECTED_BLOCKED
    assert report["not_found"] == 1
    assert "http" not in report["errors"]  # a 412 or 403 challenge is not an ordinary HTTP error


def test_each_blocked_answer_is_recorded_against_its_url(answers_crawl):
    rows = query(answers_crawl["archive"], "SELECT url, kind, status FROM fetch_errors")
    base = answers_crawl["base"]
    assert (base + CHALLENGED, "ruishu_challenge", 412) in rows
    assert (base + NEWS + "t20240603_4003.html", "jiasule_challenge", 521) in rows
    assert (base + NEWS + "t20240607_4007.html", "soft_404", 200) in rows


def test_the_crawl_output_explains_each_kind_once_with_what_to_do(answers_crawl):
    output = answers_crawl["result"].stdout
    for words in ("瑞数", "加速乐", "网站防火墙", "验证码", "登录", "页面不存在"):
        assert output.count(words) >= 1, words
    explanation_lines = [line for line in output.splitlines() if "What to do:" in line]
    assert len(explanation_lines) == len(EXPECTED_BLOCKED) + 1  # one per kind, soft-404 included
    assert any("cookies" in line and "sites.toml" in line for line in explanation_lines)
    assert any("download_delay" in line for line in explanation_lines)


def test_cookies_and_headers_from_sites_toml_get_past_a_cookie_challenge(tmp_path, jiwen):
    sites_file = tmp_path / "sites.toml"
    archive = tmp_path / "archive"
    with serve_site(ANSWERS_SITE) as server:
        sites_file.write_text(
            f"""
[[site]]
name = "answers"
start_urls = ["{server.base_url}/"]
download_delay = 0.1
[site.headers]
Referer = "{server.base_url}/"
[site.cookies]
FSSBBIl1UgzbN7NS = "jiwen-test"
""",
            "utf-8",
        )
        crawl(jiwen, archive, "--site", "answers", env={"JIWEN_SITES": str(sites_file)})
        challenged = [entry for entry in server.requests if entry.path == CHALLENGED]
    urls = {row[0] for row in query(archive, "SELECT url FROM articles")}
    assert server.base_url + CHALLENGED in urls
    assert [entry.status for entry in challenged] == [200]
    assert "FSSBBIl1UgzbN7NS=jiwen-test" in challenged[0].headers["cookie"]
    assert challenged[0].headers["referer"] == server.base_url + "/"


def test_a_site_that_only_challenges_stops_within_a_few_requests_and_says_why(tmp_path, jiwen):
    archive = tmp_path / "archive"
    with serve_site(CHALLENGE_SITE) as server:
        # Plain HTTP only: with chromium each challenged page is also tried in the browser
        # (tests/crawler/test_browser.py).
        result = jiwen(
            "crawl", "--url", server.base_url + "/", "--archive", str(archive), "--no-throttle", "--render", "http", env=FAST_CRAWL_ENV
        )
        article_requests = [entry for entry in server.requests if entry.path.startswith(NEWS)]
    assert result.returncode == 1
    assert "jiwen: nothing crawled:" in result.stderr and "block or challenge" in result.stderr
    assert "Traceback" not in result.stderr
    assert 3 <= len(article_requests) <= 6  # of the list's 20
    report = json.loads(jiwen("runs", "--json", "--archive", str(archive)).stdout)[0]["report"]
    assert report["outcome"] == "blocked"
    assert report["blocked"]["ruishu_challenge"] == len(article_requests)
    assert query(archive, "SELECT COUNT(*) FROM articles") == [(0,)]


def test_an_article_that_mentions_captchas_logins_or_missing_pages_is_not_taken_for_a_block_page():
    paragraph = "<p>警方提醒：不要向陌生人透露短信验证码，求职平台要求请先登录时请核实网址，请完成安全验证再操作，遇到页面不存在或已被删除的招聘链接要提高警惕。</p>"
    for repeat in (5, 60):  # a short article and a long one
        page = f"<html><head><title>谨防求职诈骗：验证码不能给任何人</title></head><body>{paragraph * repeat}</body></html>"
        assert classify_answer(200, "http://example.gov.cn/news/t20240601_1.html", page.encode()) is None, repeat


@pytest.mark.parametrize(
    ("file", "status", "kind"),
    [
        ("answers/ruishu.html", 412, "ruishu_challenge"),
        ("answers/jiasule.html", 521, "jiasule_challenge"),
        ("answers/waf.html", 403, "waf_block"),
        ("answers/captcha.html", 200, "captcha"),
        ("sso/login.html", 200, "login_wall"),
        ("answers/soft404.html", 200, "soft_404"),
    ],
)
def test_each_fixture_answer_is_recognised_by_its_rule(file, status, kind):
    body = (ANSWERS_SITE / file).read_bytes()
    rule = classify_answer(status, "http://example.gov.cn/news/t20240601_1.html", body)
    assert rule is not None and rule.kind == kind
