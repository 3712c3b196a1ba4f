"""The browser path (crawler/browser.py) through the real `jiwen crawl`, against fixture sites on
127.0.0.1 written for these tests: a 加速乐-style gate whose cookie only its script computes
(tests/fixtures/gate_site), a list drawn by JavaScript from a JSON file (script_list_site), and
the gate again with chromium missing. Debian's chromium is driven by Playwright; nothing is
downloaded."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from jiwen.demo.server import serve_site
from tests.crawler.conftest import FAST_CRAWL_ENV, crawl, query

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GATE_SITE = FIXTURES / "gate_site"
SCRIPT_LIST_SITE = FIXTURES / "script_list_site"
CHROMIUM = Path(os.environ.get("JIWEN_CHROMIUM", "/usr/bin/chromium"))
GATE_COOKIE = "__jsl_clearance=jiwen-qlcp"  # what the gate's script computes; in no page

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium (.ci/run does)")


def report_of(jiwen, archive: Path) -> dict:
    return json.loads(jiwen("runs", "--json", "--archive", str(archive)).stdout)[0]["report"]


@pytest.fixture(scope="module")
def gate_crawl(tmp_path_factory):
    from tests.conftest import run_jiwen

    archive = tmp_path_factory.mktemp("gate") / "archive"
    with serve_site(GATE_SITE) as server:
        result = crawl(run_jiwen, archive, "--url", server.base_url + "/")
        yield {
            "archive": archive,
            "base": server.base_url,
            "result": result,
            "requests": list(server.requests),
            "report": report_of(run_jiwen, archive),
        }


@needs_chromium
def test_a_site_behind_a_script_cookie_gate_is_archived_with_default_settings(gate_crawl):
    articles = query(gate_crawl["archive"], "SELECT url FROM articles")
    assert len(articles) == len(list((GATE_SITE / "news" / "202406").glob("t*.html"))) == 10
    assert gate_crawl["report"]["blocked"] == {}  # the challenge was passed, not counted as a block


@needs_chromium
def test_the_gate_is_passed_once_in_the_browser_and_its_cookie_carries_the_plain_requests(gate_crawl):
    requests = gate_crawl["requests"]
    home = [entry for entry in requests if entry.path == "/"]
    # Plain HTTP first (521), then chromium: the gate, its script's reload with the cookie.
    assert [entry.status for entry in home][:2] == [521, 521] and home[2].status == 200
    assert "HeadlessChrome" in home[2].headers.get("user-agent", "")
    articles = [entry for entry in requests if entry.path.startswith("/news/")]
    assert articles and all(entry.status == 200 and GATE_COOKIE in entry.headers.get("cookie", "") for entry in articles)
    assert all(entry.headers.get("user-agent", "").startswith("jiwen/") for entry in articles)  # plain Scrapy requests


@needs_chromium
def test_the_run_report_says_the_site_went_on_through_chromium(gate_crawl):
    output = gate_crawl["result"].stdout
    assert "continued through chromium" in output and "jiasule_challenge" in output
    assert "cookies the browser earned" in output


@needs_chromium
def test_a_list_built_by_javascript_is_crawled_with_render_browser_and_archived_as_rendered(tmp_path, jiwen):
    archive = tmp_path / "archive"
    with serve_site(SCRIPT_LIST_SITE) as server:
        result = crawl(jiwen, archive, "--url", server.base_url + "/gzdt/", "--render", "browser")
        assert server.count("/data/gzdt.json") >= 1  # the page's own script asked for its list
    titles = {title for (title,) in query(archive, "SELECT title FROM articles")}
    assert len(titles) == 6 and "测试市零工市场上线 一个月撮合用工6000人次" in titles
    headers = [json.loads(text) for (text,) in query(archive, "SELECT headers FROM pages")]
    assert headers and all(page.get("x-jiwen-rendered") == "chromium" and "content-type" in page for page in headers)
    assert "rendered with chromium" in result.stdout


def test_without_chromium_the_gate_ends_in_one_line_saying_how_to_install_it(tmp_path, jiwen):
    archive = tmp_path / "archive"
    env = {**FAST_CRAWL_ENV, "JIWEN_CHROMIUM": str(tmp_path / "no-chromium-here")}
    with serve_site(GATE_SITE) as server:
        result = jiwen("crawl", "--url", server.base_url + "/", "--archive", str(archive), "--no-throttle", env=env)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("jiwen: ") and "apt-get install chromium" in last and "no-chromium-here" in last
    assert "Traceback" not in result.stderr
    assert query(archive, "SELECT COUNT(*) FROM pages") == [(0,)]
    assert query(archive, "SELECT COUNT(*) FROM articles") == [(0,)]


def test_render_browser_without_chromium_stops_before_the_archive_is_touched(tmp_path, jiwen):
    archive = tmp_path / "archive"
    env = {"JIWEN_CHROMIUM": str(tmp_path / "no-chromium-here")}
    result = jiwen("crawl", "--url", "http://127.0.0.1:9/", "--archive", str(archive), "--render", "browser", env=env)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "apt-get install chromium" in result.stderr
    assert not (archive / "archive.sqlite3").exists()


def gate_copy(tmp_path: Path, routes: str, robots: str | None = None) -> Path:
    """The gate fixture site in a folder of the test's own, behind other routes (and robots.txt)."""
    site = tmp_path / "site"
    shutil.copytree(GATE_SITE, site)
    (site / "_routes.toml").write_text(routes, "utf-8")
    if robots is not None:
        (site / "robots.txt").write_text(robots, "utf-8")
    return site


GATED_EVERYWHERE = """[routes."*"]
status = 521
file = "answers/jsl.html"
pass_cookie = "__jsl_clearance=jiwen-qlcp"
"""
# 瑞数-style: the cookie opens the gate only for the browser that earned it.
COOKIE_TIED_TO_THE_BROWSER = """[routes."/robots.txt"]
[routes."*"]
status = 521
file = "answers/jsl.html"
pass_cookie = "__jsl_clearance=jiwen-qlcp"
pass_user_agent = "HeadlessChrome"
"""
ARTICLES = sorted(path.name for path in (GATE_SITE / "news" / "202406").glob("t*.html"))


@needs_chromium
def test_a_site_that_refuses_the_earned_cookie_on_plain_requests_is_crawled_through_chromium(tmp_path, jiwen):
    archive = tmp_path / "archive"
    with serve_site(gate_copy(tmp_path, COOKIE_TIED_TO_THE_BROWSER)) as server:
        result = crawl(jiwen, archive, "--url", server.base_url + "/")
        requests = list(server.requests)
    assert len(query(archive, "SELECT url FROM articles")) == len(ARTICLES) == 10
    articles = [entry for entry in requests if entry.path.startswith("/news/")]
    # The plain requests tried the cookie and were refused; every article came through chromium.
    refused = [entry for entry in articles if entry.status == 521 and entry.headers.get("user-agent", "").startswith("jiwen/")]
    assert refused and all(GATE_COOKIE in entry.headers.get("cookie", "") for entry in refused)
    served = [entry for entry in articles if entry.status == 200]
    assert sorted({entry.path.rsplit("/", 1)[1] for entry in served}) == ARTICLES
    assert all("HeadlessChrome" in entry.headers.get("user-agent", "") for entry in served)
    assert "the site refused them on plain requests, so its pages were rendered" in result.stdout
    headers = [json.loads(text) for (text,) in query(archive, "SELECT headers FROM pages WHERE url LIKE '%/news/%'")]
    assert len(headers) == 10 and all(page.get("x-jiwen-rendered") == "chromium" for page in headers)


@needs_chromium
def test_robots_txt_behind_the_gate_is_read_through_chromium_and_obeyed(tmp_path, jiwen):
    archive = tmp_path / "archive"
    disallowed = "/news/202406/t20240605_7104.html"
    site = gate_copy(tmp_path, GATED_EVERYWHERE, robots=f"User-agent: *\nDisallow: {disallowed}\n")
    with serve_site(site) as server:
        result = crawl(jiwen, archive, "--url", server.base_url + "/")
        requests = list(server.requests)
    robots = [entry for entry in requests if entry.path == "/robots.txt"]
    # Plain first (the challenge), then chromium: the challenge again, its reload with the cookie.
    assert [entry.status for entry in robots] == [521, 521, 200]
    assert robots[0].headers.get("user-agent", "").startswith("jiwen/")
    assert "HeadlessChrome" in robots[2].headers.get("user-agent", "") and GATE_COOKIE in robots[2].headers.get("cookie", "")
    assert disallowed not in [entry.path for entry in requests]
    urls = {url for (url,) in query(archive, "SELECT url FROM articles")}
    assert len(urls) == 9 and not any(url.endswith(disallowed) for url in urls)
    assert report_of(jiwen, archive)["robots_disallowed"] == 1
    assert "continued through chromium" in result.stdout


def command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text()
    except OSError:
        return ""  # it ended meanwhile


def running_marked(mark: str) -> list[int]:
    """processes_marked() that have not ended (a zombie whose parent is gone has)."""
    running = []
    for pid in processes_marked(mark):
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                running.append(pid)
        except (OSError, IndexError):
            continue
    return running


def processes_marked(mark: str) -> list[int]:
    """Processes (chromium's, Playwright's) whose environment holds `mark`: what a crawl started."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if mark.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@needs_chromium
def test_chromium_is_restarted_after_its_page_limit_and_the_crawl_completes_and_closes_it(tmp_path, jiwen):
    archive = tmp_path / "archive"
    mark = f"JIWEN_TEST_MARK=restart-{os.getpid()}-{tmp_path.name}"
    env = {"JIWEN_BROWSER_MAX_PAGES": "3", mark.split("=")[0]: mark.split("=")[1]}
    with serve_site(GATE_SITE) as server:
        result = crawl(jiwen, archive, "--url", server.base_url + "/", "--render", "browser", env=env)
    assert len(query(archive, "SELECT url FROM articles")) == 10
    browser = report_of(jiwen, archive)["browser"]
    assert browser["pages_rendered"] == 11  # the list and its ten articles
    # After every third page at the earliest, once the pages in progress (two at most) are done.
    assert 2 <= browser["restarts"] <= 3
    assert f"chromium was restarted {browser['restarts']} time(s) to bound its memory" in result.stdout
    assert processes_marked(mark) == []  # chromium and its driver: closed at the end


@needs_chromium
def test_schedule_render_browser_reaches_every_crawl_it_starts(tmp_path):
    from tests.schedule_support import start_jiwen

    archive, output = tmp_path / "archive", tmp_path / "schedule.out"
    with serve_site(SCRIPT_LIST_SITE) as server:
        url = server.base_url + "/gzdt/"
        process = start_jiwen("schedule", "--url", url, "--archive", str(archive), "--max-runs", "1", "--render", "browser", log_to=output)
        assert process.wait(timeout=300) == 0, output.read_text("utf-8")
        assert server.count("/data/gzdt.json") >= 1  # the list's own script ran: it was rendered
    # The list has no links without its script: only a rendered crawl finds the six articles.
    assert len(query(archive, "SELECT url FROM articles")) == 6
    headers = [json.loads(text) for (text,) in query(archive, "SELECT headers FROM pages")]
    assert headers and all(page.get("x-jiwen-rendered") == "chromium" for page in headers)


@needs_chromium
def test_sites_discover_gets_past_the_gate_through_chromium_and_render_http_does_not(tmp_path, jiwen):
    with serve_site(GATE_SITE) as server:
        found = jiwen("sites", "discover", server.base_url + "/", "--no-throttle", "--render", "browser", env=FAST_CRAWL_ENV)
        asked_plain = len(server.requests)
        refused = jiwen("sites", "discover", server.base_url + "/", "--no-throttle", "--render", "http", env=FAST_CRAWL_ENV)
        plain_requests = server.requests[asked_plain:]
    assert found.returncode == 0, found.stderr[-2000:]
    assert f'"{server.base_url}/"' in found.stdout and 'render = "browser"' in found.stdout
    assert "# " in found.stdout and "rendered with chromium" in found.stdout
    assert refused.returncode == 1 and "block or challenge pages" in refused.stderr
    assert plain_requests and not any("HeadlessChrome" in entry.headers.get("user-agent", "") for entry in plain_requests)


@needs_chromium
def test_chromium_past_its_memory_cap_is_restarted_and_the_crawl_completes(tmp_path, jiwen):
    archive = tmp_path / "archive"
    env = {"JIWEN_BROWSER_MAX_PAGES": "0", "JIWEN_BROWSER_MAX_MEMORY_MB": "1"}  # every chromium is past 1 MB
    with serve_site(GATE_SITE) as server:
        result = crawl(jiwen, archive, "--url", server.base_url + "/", "--render", "browser", env=env)
    assert len(query(archive, "SELECT url FROM articles")) == 10
    browser = report_of(jiwen, archive)["browser"]
    assert browser["restarts"] >= 5 and browser["peak_memory_mb"] > 20  # chromium's own processes, measured
    assert "MB (JIWEN_BROWSER_MAX_MEMORY_MB = 1)" in result.stdout


@needs_chromium
def test_chromium_that_stops_answering_mid_page_is_killed_and_restarted_and_the_crawl_ends(tmp_path, jiwen):
    """Chromium frozen (SIGSTOP) while a page it renders waits on the server: Playwright closes a
    page without a timeout of its own, and the crawl used to wait on that close for ever (seen
    under load with a 加速乐 page reloading itself). Each command is now bounded: the frozen
    chromium is killed, a fresh one renders the rest, and the crawl ends by itself."""
    from tests.schedule_support import start_jiwen, wait_for

    archive, output = tmp_path / "archive", tmp_path / "crawl.out"
    held = "/news/202406/t20240605_7104.html"
    mark = f"restart-{os.getpid()}-{tmp_path.name}"
    env = {"JIWEN_RENDER_TIMEOUT": "3", "JIWEN_BROWSER_ANSWER_TIMEOUT": "2", "JIWEN_TEST_MARK": mark}
    frozen: list[int] = []
    with serve_site(GATE_SITE) as server:
        server.hold(held)  # answered only once chromium is frozen
        base = server.base_url
        process = start_jiwen(
            "crawl", "--url", base + "/", "--archive", str(archive), "--no-throttle", "--render", "browser", log_to=output, env=env
        )
        try:
            wait_for(lambda: server.count(held), timeout=120, what="chromium asking for the held page", process=process)
            # Chromium's own processes (the crash reporters beside them are not the crawl's children).
            frozen = [pid for pid in processes_marked(f"JIWEN_TEST_MARK={mark}") if command_name(pid).startswith("chromium")]
            for pid in frozen:
                os.kill(pid, signal.SIGSTOP)
            server.release()
            returncode = process.wait(timeout=150)  # it waited for ever before
            # Chromium, its driver, its crash reporters: the frozen ones killed, the others closed.
            wait_for(lambda: not running_marked(f"JIWEN_TEST_MARK={mark}"), timeout=30, what="chromium's processes to end")
        finally:
            if process.poll() is None:
                process.kill()
            for pid in processes_marked(f"JIWEN_TEST_MARK={mark}"):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
    log = output.read_text("utf-8")
    assert returncode == 0, log[-3000:]
    assert frozen and "Traceback" not in log
    assert "chromium stopped answering 1 time(s) and was restarted" in log
    assert report_of(jiwen, archive)["browser"]["unresponsive"] == 1
    # Nothing lost unsaid: each article is archived (by the fresh chromium) or its failure recorded.
    archived = {url for (url,) in query(archive, "SELECT url FROM articles")}
    failed = {url for (url,) in query(archive, "SELECT url FROM fetch_errors")}
    assert {base + "/news/202406/" + name for name in ARTICLES} <= archived | failed
    assert len(archived) >= 8


# A 云锁-style gate written for these tests: HTTP 200 (no status to tell it by), a script that
# computes a cookie (its value appears nowhere in the page), sets it and loads the page again.
SCRIPT_GATE_PAGE = """<html><head><meta charset="utf-8"></head><body><script>
var verify = (2024 * 613 + 17).toString(16);
document.cookie = "security_session_verify=" + verify + "; path=/";
window.location.href = window.location.href;
</script></body></html>"""
SCRIPT_GATE = """[routes."/robots.txt"]
[routes."*"]
file = "answers/verify.html"
pass_cookie = "security_session_verify=12ee99"
"""


@needs_chromium
def test_a_gate_that_answers_200_with_a_cookie_script_is_passed_with_default_settings(tmp_path, jiwen):
    site = gate_copy(tmp_path, SCRIPT_GATE)
    (site / "answers" / "verify.html").write_text(SCRIPT_GATE_PAGE, "utf-8")
    archive = tmp_path / "archive"
    with serve_site(site) as server:
        result = crawl(jiwen, archive, "--url", server.base_url + "/")
        home = [entry.status for entry in server.requests if entry.path == "/"]
    assert len(query(archive, "SELECT url FROM articles")) == len(ARTICLES) == 10
    assert report_of(jiwen, archive)["blocked"] == {}
    assert "continued through chromium" in result.stdout and "script_challenge" in result.stdout
    assert len(home) >= 3  # plain (the gate), chromium (the gate), chromium again with the cookie


def test_with_render_http_the_200_gate_is_counted_and_explained_not_archived(tmp_path, jiwen):
    site = gate_copy(tmp_path, SCRIPT_GATE)
    (site / "answers" / "verify.html").write_text(SCRIPT_GATE_PAGE, "utf-8")
    archive = tmp_path / "archive"
    with serve_site(site) as server:
        result = jiwen("crawl", "--url", server.base_url + "/", "--archive", str(archive), "--no-throttle", "--render", "http")
    assert result.returncode == 1
    assert "script_challenge" in result.stdout + result.stderr
    assert query(archive, "SELECT count(*) FROM articles") == [(0,)]


@needs_chromium
def test_a_column_drawn_by_script_is_found_and_crawled_with_default_settings(tmp_path, jiwen):
    # No list in its plain HTML: the survey finds none, goes again through chromium, and the
    # drawn list is crawled; `sites discover` writes render = "browser" into the entry.
    archive = tmp_path / "archive"
    with serve_site(SCRIPT_LIST_SITE) as server:
        result = crawl(jiwen, archive, "--url", server.base_url + "/gzdt/")
        discovered = jiwen("sites", "discover", server.base_url + "/gzdt/", "--no-throttle", env=FAST_CRAWL_ENV)
        # With --render http nothing is rendered, and the crawl says it found nothing.
        plain = jiwen(
            "crawl", "--url", server.base_url + "/gzdt/", "--archive", str(tmp_path / "plain"), "--no-throttle", "--render", "http"
        )
    titles = {title for (title,) in query(archive, "SELECT title FROM articles")}
    assert len(titles) == 6 and "测试市零工市场上线 一个月撮合用工6000人次" in titles
    assert "lists drawn by scripts" in result.stdout
    assert discovered.returncode == 0, discovered.stderr[-2000:]
    assert 'render = "browser"' in discovered.stdout
    assert plain.returncode == 1 and "nothing crawled" in plain.stderr
