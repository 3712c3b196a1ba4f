"""Sites as configuration: the bundled examples, the generic CMS link shapes, validation errors
that say what to fix, and where the sites file comes from."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pytest

from jiwen.core.errors import ConfigError
from jiwen.crawler.sites import (
    Pagination,
    SiteConfig,
    find_site,
    load_sites,
    parse_sites,
    site_for_url,
    sites_file,
)

BUNDLED = Path(str(resources.files("jiwen.crawler").joinpath("sites.toml")))

MINIMAL = """
[[site]]
name = "gz-rst"
start_urls = ["https://rst.guizhou.gov.cn/xwzx/gzdt/"]
"""


def one_site(extra: str = "", pagination: str = "") -> str:
    text = MINIMAL + extra
    return text + ("\n[site.pagination]\n" + pagination if pagination else "")


def test_the_bundled_examples_load_and_each_has_a_start_url_and_a_valid_interval():
    sites = load_sites(BUNDLED)
    assert len(sites) >= 5
    for site in sites:
        assert site.start_urls and site.domains
        assert (site.interval_seconds is None) != (site.cron is None)


@pytest.mark.parametrize(
    "url",
    [
        "https://rst.guizhou.gov.cn/xwzx/gzdt/202311/t20231108_83012345.html",
        "https://www.mohrss.gov.cn/SYrlzyhshbzb/dongtaixinwen/202311/t20231108_509881.shtml",
        "http://www.xinhuanet.com/local/2023-11/08/c_1129962.htm",
        "https://www.gov.cn/zhengce/content/2023-11/08/content_6914181.htm",
        "https://rlsbt.zj.gov.cn/art/2023/11/8/art_1229_5012345.html",
        "http://gz.people.com.cn/n2/2023/1108/c194827-40632187.html",
        "https://jyj.example.edu.cn/info/1012/12345.htm",
        "https://news.example.com.cn/system/2023/11/08/030123456.shtml",
        "https://www.example.gov.cn/news/detail.jsp?id=8812",
    ],
)
def test_the_generic_patterns_recognise_common_chinese_cms_article_urls(url):
    site = parse_sites(MINIMAL)[0]
    assert site.is_article_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://rst.guizhou.gov.cn/xwzx/gzdt/",
        "https://rst.guizhou.gov.cn/xwzx/gzdt/index_1.html",
        "https://rst.guizhou.gov.cn/col/col1229743683/index.html?uid=5&pageNum=2",
        "https://rst.guizhou.gov.cn/images/2023/11/08/banner.jpg",
        "https://rst.guizhou.gov.cn/xwzx/gzdt/202311/P020231108_attachment.pdf",
    ],
)
def test_list_pages_and_attachments_are_not_taken_for_articles(url):
    site = parse_sites(MINIMAL)[0]
    assert not site.is_article_url(url)


def test_own_patterns_replace_the_generic_ones_and_deny_patterns_win():
    site = parse_sites(one_site("article_patterns = ['/news/\\d+\\.html']\ndeny_patterns = ['/news/9']\n"))[0]
    assert site.is_article_url("https://rst.guizhou.gov.cn/news/123.html")
    assert not site.is_article_url("https://rst.guizhou.gov.cn/news/9123.html")
    assert not site.is_article_url("https://rst.guizhou.gov.cn/xwzx/202311/t20231108_83012345.html")


def test_allowed_domains_default_to_the_hosts_of_the_start_urls():
    assert parse_sites(MINIMAL)[0].domains == ["rst.guizhou.gov.cn"]


@pytest.mark.parametrize(
    ("interval", "seconds", "cron"),
    [("6h", 21600, None), ("1d12h", 129600, None), ("90m", 5400, None), ("0 7,19 * * *", None, "0 7,19 * * *")],
)
def test_intervals_are_durations_or_cron_expressions(interval, seconds, cron):
    site = parse_sites(one_site(f'interval = "{interval}"\n'))[0]
    assert (site.interval_seconds, site.cron) == (seconds, cron)


@pytest.mark.parametrize(
    ("extra", "pagination", "expected"),
    [
        ("colour = 'red'\n", "", "unknown field `colour`"),
        ("article_patterns = ['/t(\\\\d+']\n", "", "not a valid regular expression"),
        ("interval = 'often'\n", "", "neither a duration"),
        ("interval = '1m'\n", "", "shorter than 10m"),
        ("encoding = 'klingon'\n", "", "encoding 'klingon' is unknown"),
        ("allowed_domains = ['https://rst.guizhou.gov.cn/']\n", "", "bare host name"),
        ("", "max_pages = 0\n", "at least 1"),
        ("", "template = 'index.html'\n", "must contain {n}"),
    ],
)
def test_a_wrong_site_entry_is_one_line_naming_the_site_and_the_problem(extra, pagination, expected):
    with pytest.raises(ConfigError) as caught:
        parse_sites(one_site(extra, pagination), source="my-sites.toml")
    message = str(caught.value)
    assert expected in message and "gz-rst" in message and "my-sites.toml" in message
    assert "\n" not in message


def test_two_sites_with_one_name_are_refused():
    with pytest.raises(ConfigError, match="used twice"):
        parse_sites(MINIMAL + MINIMAL)


def test_a_site_name_must_work_as_a_folder_name():
    with pytest.raises(ConfigError, match="lowercase"):
        parse_sites(MINIMAL.replace("gz-rst", "Guizhou RST/news"))


def test_broken_toml_is_reported_with_the_file_name():
    with pytest.raises(ConfigError, match="bad.toml is not valid TOML"):
        parse_sites("[[site]\nname=", source="bad.toml")


def test_jiwen_sites_points_at_the_users_own_file(tmp_path, monkeypatch):
    own = tmp_path / "mine.toml"
    own.write_text(MINIMAL, "utf-8")
    monkeypatch.setenv("JIWEN_SITES", str(own))
    assert [site.name for site in load_sites()] == ["gz-rst"]


def test_the_user_config_file_replaces_the_bundled_examples(tmp_path, monkeypatch):
    monkeypatch.delenv("JIWEN_SITES", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "jiwen").mkdir()
    (tmp_path / "jiwen" / "sites.toml").write_text(MINIMAL, "utf-8")
    assert sites_file() == tmp_path / "jiwen" / "sites.toml"
    assert [site.name for site in load_sites()] == ["gz-rst"]


def test_a_missing_sites_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read sites file"):
        load_sites(tmp_path / "absent.toml")


def test_a_bare_url_becomes_a_site_on_its_own_host():
    site = site_for_url("http://127.0.0.1:8765/news/")
    assert site.domains == ["127.0.0.1"] and site.start_urls == ["http://127.0.0.1:8765/news/"]
    assert site.name == "127.0.0.1-8765"
    with pytest.raises(ConfigError, match="not an http"):
        site_for_url("ftp://example.cn/")


def test_finding_an_unknown_site_lists_the_known_ones():
    with pytest.raises(ConfigError, match="known: gz-rst"):
        find_site(parse_sites(MINIMAL), "sc-rst")


def test_the_example_sites_file_documents_every_field():
    """The comment block of the bundled file is the format's documentation: keep it complete."""
    text = BUNDLED.read_text("utf-8")
    for field in (*SiteConfig.__struct_fields__, *Pagination.__struct_fields__):
        assert field in text, f"{field} is not documented in crawler/sites.toml"


@pytest.mark.parametrize(
    ("extra", "pagination", "expected"),
    [
        ("list_area = '//div[@class=\"list\"'\n", "", "list_area '//div[@class=\"list\"' is not a valid XPath"),
        ("list_area = 'count(//a)'\n", "", "not page elements"),
        ("", "template = 'index_{n}_{page}.html'\n", "not a valid template"),
        ("", "template = 'index_{n}.html{'\n", "not a valid template"),
        ("", "template = 'file:///etc/{n}'\n", "not an http(s) URL"),
        ("deny_patterns = ['a)|(b']\n", "", "not a valid regular expression"),
    ],
)
def test_what_would_break_the_crawl_later_is_refused_at_load_time(extra, pagination, expected):
    with pytest.raises(ConfigError) as caught:
        parse_sites(one_site(extra, pagination), source="my-sites.toml")
    assert expected in str(caught.value) and "gz-rst" in str(caught.value)


def test_every_problem_of_a_sites_file_gets_its_own_line():
    text = "colour = 'red'\n" + one_site("list_area = '//['\nshape = 1\n", "template = 'x.html'\nsize = 3\n")
    lines = str(pytest.raises(ConfigError, parse_sites, text, source="s.toml").value).splitlines()
    assert len(lines) == 5, lines
    assert all(line.startswith("s.toml: ") for line in lines)
    joined = "\n".join(lines)
    for expected in ("unknown key 'colour'", "unknown field `shape`", "unknown field `pagination.size`"):
        assert expected in joined


def test_a_sites_file_that_is_not_utf8_is_one_line(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_bytes(MINIMAL.replace("gz-rst", "gz").encode("utf-8") + "title = '贵州'\n".encode("gb18030"))
    with pytest.raises(ConfigError, match="is not UTF-8"):
        load_sites(path)


@pytest.mark.parametrize("command", [("sites",), ("crawl", "--site", "gz-rst")])
def test_jiwen_sites_and_crawl_exit_1_with_one_line_per_problem_and_no_traceback(tmp_path, jiwen, command):
    path = tmp_path / "sites.toml"
    path.write_text(one_site("list_area = '//['\n", "template = 'index_{n}{'\n"), "utf-8")
    archive = ("--archive", str(tmp_path / "archive")) if command[0] == "crawl" else ()
    result = jiwen(*command, *archive, env={"JIWEN_SITES": str(path)})
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(lines) == 2 and all(line.startswith("jiwen: ") for line in lines), lines


@pytest.mark.parametrize("url", ["http://../", "http://./", "http://a..b/", "http://-/", "http://%2e%2e/"])
def test_a_url_whose_host_cannot_name_a_job_folder_is_refused(url):
    with pytest.raises(ConfigError) as caught:
        site_for_url(url)
    assert "\n" not in str(caught.value)


def test_a_derived_site_name_is_a_safe_slug_of_the_host():
    assert site_for_url("http://127.0.0.1:8000/").name == "127.0.0.1-8000"
    chinese = site_for_url("http://人社.中国/").name  # its IDNA form, ASCII like every folder name
    assert chinese.startswith("xn--") and chinese.endswith(".xn--fiqs8s") and chinese.isascii()


def test_the_http_cache_folder_name_is_reserved():
    with pytest.raises(ConfigError, match="reserved"):
        parse_sites(MINIMAL.replace("gz-rst", "httpcache"))


def test_url_patterns_match_the_path_anchored_never_a_query_string():
    site = site_for_url("http://h.example.cn/")
    assert site.is_article_url("http://h.example.cn/news/202401/t20240101_1.html")
    assert site.is_article_url("http://h.example.cn/detail.jsp?id=12")
    assert not site.is_article_url("http://h.example.cn/etc/passwd?/news/202401/t20240101_1.html")
    assert not site.is_article_url("file://h.example.cn/etc/passwd?/news/202401/t20240101_1.html")
    assert site.is_pagination_url("http://h.example.cn/list.php?uid=3&pageNum=2")
    assert not site.is_pagination_url("http://h.example.cn/a?x=/index_2.html")


@pytest.mark.parametrize(
    "url",
    [
        "/xwzx/index_2.html",
        "/2043/list2.htm",
        "/a/news/list_12_2.html",
        "/list-3.html",
        "/col/node_113_2.htm",
        "/l.jsp?cid=3&curPage=2",
        "/s?pn=2",
    ],
)
def test_the_pagers_of_the_common_cms_families_are_next_pages(url):
    assert site_for_url("http://h.example.cn/").is_pagination_url("http://h.example.cn" + url)


@pytest.mark.parametrize("url", ["/2043/list.htm", "/col/node_113.htm", "/l.jsp?cid=3", "/news/202401/t20240101_2.html"])
def test_first_list_pages_and_articles_are_not_next_pages(url):
    assert not site_for_url("http://h.example.cn/").is_pagination_url("http://h.example.cn" + url)


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        ("99999999999999d", "interval '99999999999999d' is longer than a year"),
        ("* * * * *", "cron interval '* * * * *' fires more often than every 10m"),
    ],
)
def test_jiwen_sites_refuses_a_huge_interval_and_an_every_minute_cron_in_one_line(tmp_path, jiwen, interval, expected):
    path = tmp_path / "sites.toml"
    path.write_text(one_site(f"interval = '{interval}'\n"), "utf-8")
    result = jiwen("sites", env={"JIWEN_SITES": str(path)})
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], lines


def test_a_pattern_that_backtracks_without_end_is_refused_at_load_naming_it(tmp_path, jiwen):
    path = tmp_path / "sites.toml"
    path.write_text(one_site("article_patterns = ['(a+)+$']\n"), "utf-8")
    for command in (("sites",), ("crawl", "--site", "gz-rst", "--archive", str(tmp_path / "archive"))):
        result = jiwen(*command, env={"JIWEN_SITES": str(path)})
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1 and len(lines) == 1, result.stderr
        assert "pattern '(a+)+$' can backtrack without end" in lines[0] and "gz-rst" in lines[0]
    assert not (tmp_path / "archive").exists()


@pytest.mark.parametrize("pattern", ["(a|a)*x", "(a|aa)+$", r"(\w+\d*)+$", "(?:.*,)+x", "(x+x+)+y"])
def test_nested_and_overlapping_repeats_are_refused(pattern):
    with pytest.raises(ConfigError, match="can backtrack without end"):
        parse_sites(one_site(f"deny_patterns = ['{pattern}']\n"))


@pytest.mark.parametrize("pattern", [r"(?:/\w+)+\.html", r"(?:\d+\.)+html", r"/(?:[^/]+/)+t\d+\.html", r"(ab|a)*c"])
def test_nested_repeats_kept_apart_by_a_separator_are_accepted(pattern):
    assert parse_sites(one_site(f"article_patterns = ['{pattern}']\n"))


def test_a_slow_pattern_the_static_check_misses_cannot_hang_a_crawl_and_sigterm_stops_it(tmp_path):
    """`a*a*a*…!` is polynomial, not nested: it passes the load check, and on a link of a few
    thousand a's Python's re would run for hours, deaf to SIGTERM. Matched under a time bound, the
    crawl reads its list and stops on SIGTERM within seconds, its lock released."""
    import signal
    import subprocess
    import sys
    import time

    from jiwen.core.lock import ArchiveLock
    from jiwen.demo.server import serve_site

    root = tmp_path / "site"
    (root / "list").mkdir(parents=True)
    links = "".join(f'<a href="/{"a" * (3000 + n)}.html">x</a>' for n in range(40))
    (root / "list" / "index.html").write_text(f"<html><body>{links}<a href='/news/held.html'>y</a></body></html>", "utf-8")
    (root / "news").mkdir()
    (root / "news" / "held.html").write_text("<html><body><p>就业</p></body></html>", "utf-8")
    archive = tmp_path / "archive"
    with serve_site(root) as server:
        sites = tmp_path / "sites.toml"
        sites.write_text(
            f"[[site]]\nname = 'slow'\nstart_urls = ['{server.base_url}/list/']\n"
            "article_patterns = ['/a*a*a*a*a*a*a*a*!', '/news/held\\.html']\n", "utf-8",
        )  # fmt: skip
        server.hold("/news/held.html")  # the crawl is still running when the signal comes
        # Scrapy's graceful stop waits for the held download up to its timeout: 3 s here.
        env = {**os.environ, "JIWEN_SITES": str(sites), "JIWEN_DOWNLOAD_TIMEOUT": "3"}
        log = open(tmp_path / "crawl.log", "w")
        process = subprocess.Popen(
            [sys.executable, "-m", "jiwen", "crawl", "--site", "slow", "--archive", str(archive), "--no-throttle"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            deadline = time.monotonic() + 120
            while "/news/held.html" not in server.paths_requested() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            assert "/news/held.html" in server.paths_requested(), (tmp_path / "crawl.log").read_text()
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                raise AssertionError("the crawl ignored SIGTERM for 15 s") from None
            assert time.monotonic() - signalled < 15
        finally:
            server.release()
            if process.poll() is None:
                process.kill()
            log.close()
    ArchiveLock(archive).acquire().release()  # free at once
    assert "took longer than" in (archive / "logs" / "jiwen.log").read_text("utf-8")
