"""jiwen/demo/server.py, the server the crawl tests, the bench and `jiwen demo` stand on: each
route behaviour, checked with a plain HTTP client (urllib) on 127.0.0.1."""

from __future__ import annotations

import urllib.error
import urllib.request
from importlib import resources
from pathlib import Path

import pytest

from jiwen.demo.server import serve_site


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def site(tmp_path: Path):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "index.html").write_text("<html><body>列表</body></html>", "utf-8")
    (tmp_path / "news" / "a.html").write_bytes("<html><meta charset='gbk'><p>就业</p></html>".encode("gb18030"))
    (tmp_path / "secret.txt").write_text("outside", "utf-8")
    (tmp_path / "_routes.toml").write_text(
        """
[routes."/news/gone.html"]
status = 404
[routes."/news/flaky.html"]
fail_times = 2
file = "news/index.html"
[routes."/old.html"]
redirect = "/news/a.html"
status = 301
[routes."/news/a.html"]
content_type = "text/html; charset=utf-8"
""",
        "utf-8",
    )
    with serve_site(tmp_path) as server:
        yield server


def test_files_are_served_and_folders_serve_their_index(site):
    status, headers, body = fetch(site.base_url + "/news/")
    assert status == 200 and "列表".encode() in body and headers["content-type"] == "text/html"


def test_a_route_can_send_a_wrong_charset_header(site):
    _, headers, body = fetch(site.base_url + "/news/a.html")
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert body.decode("gb18030").count("就业") == 1


def test_a_route_status_is_answered(site):
    assert fetch(site.base_url + "/news/gone.html")[0] == 404
    assert fetch(site.base_url + "/news/nothing-here.html")[0] == 404


def test_a_flaky_route_fails_its_first_tries_then_serves(site):
    statuses = [fetch(site.base_url + "/news/flaky.html")[0] for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert site.count("/news/flaky.html") == 3


def test_a_redirect_route_answers_with_its_location(site):
    status, headers, _ = fetch(site.base_url + "/old.html")
    assert status == 301 and headers["location"] == "/news/a.html"


def test_conditional_requests_get_304_with_the_etag_or_the_date(site):
    _, headers, _ = fetch(site.base_url + "/news/")
    assert fetch(site.base_url + "/news/", {"If-None-Match": headers["etag"]})[0] == 304
    assert fetch(site.base_url + "/news/", {"If-Modified-Since": headers["last-modified"]})[0] == 304
    assert fetch(site.base_url + "/news/", {"If-None-Match": '"something-else"'})[0] == 200
    assert site.requests[1].headers["if-none-match"] == headers["etag"]


def test_paths_cannot_escape_the_site_folder_and_the_routes_file_is_private(site):
    assert fetch(site.base_url + "/../secret.txt")[0] in (400, 404)
    assert fetch(site.base_url + "/_routes.toml")[0] == 404


def test_the_server_unpacks_as_server_and_base_url(tmp_path):
    server, base_url = serve_site(tmp_path)
    try:
        assert base_url.startswith("http://127.0.0.1:") and server.base_url == base_url
    finally:
        server.close()


def test_the_bundled_demo_site_has_a_list_robots_txt_and_articles():
    root = Path(str(resources.files("jiwen.demo").joinpath("site")))
    with serve_site(root) as server:
        assert fetch(server.base_url + "/robots.txt")[0] == 200
        status, _, body = fetch(server.base_url + "/")
        assert status == 200 and "index_1.html" in body.decode("utf-8")
    articles = list(root.glob("news/*/t*.html"))
    assert len(articles) >= 8
