"""`jiwen serve` in a real browser: Debian's chromium (Playwright) against the real server on
127.0.0.1 over an archive crawled from the sample site, with a hostile page among its articles."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest

from jiwen.web.highlight import COLORS, LABELS
from tests.conftest import invoke_jiwen, run_jiwen
from tests.web.conftest import free_port, start_server, wait_until_serving

BAD_PARAMETERS = [
    ("/?page=-1", "page=-1"),
    ("/?page=abc", "not a whole number"),
    ("/?since=2024-13-45", "not a date"),
    ("/?until=2024-02-30", "not a date"),
    ("/?q=" + "就" * 10_000, "at most 500"),
    ("/?q=%22%E6%8A%80%E8%83%BD", "unclosed quote"),
    ("/?sort=size", "not a sort order"),
    ("/raw/0123456789abcdef?view=script", "not a view"),
    ("/trends?by=week", "not a period"),
    ("/api/search?page=0", "out of range"),
    ("/api/search?facet=colour", "not a facet"),
]


def rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour[index : index + 2], 16) for index in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def hostile_article_id(server) -> str:
    status, _, body = server.get("/api/search?" + urlencode({"q": "湖北 返乡 招聘会"}))
    hits = json.loads(body)["hits"]
    assert status == 200 and hits, "the hostile fixture page was not archived and indexed"
    return hits[0]["id"]


def test_clicking_a_facet_filters_the_results_and_changes_the_count(page, server):
    page.goto(server.base_url + "/?" + urlencode({"q": "就业"}))
    total = int(page.get_attribute("#total", "data-total"))
    titles = page.locator("li.hit a.title").all_inner_texts()
    assert total >= 3 and titles
    entries = page.locator("section.facet[data-facet=province] li")
    counts = [int(text) for text in entries.locator(".count").all_inner_texts()]
    smaller = next(index for index, count in enumerate(counts) if count < total)
    province = entries.nth(smaller).locator("a").inner_text()
    entries.nth(smaller).locator("a").click()
    page.wait_for_load_state()
    assert "place=" in page.url
    assert int(page.get_attribute("#total", "data-total")) == counts[smaller]
    filtered = page.locator("li.hit a.title").all_inner_texts()
    assert filtered != titles and set(filtered) < set(titles) | set(filtered)
    assert page.locator(".filters .chip").inner_text().startswith(f"place: {province}")
    assert page.dialogs == []


def test_off_topic_articles_are_hidden_with_a_count_and_a_switch(page, server):
    page.goto(server.base_url + "/")
    shown = int(page.get_attribute("#total", "data-total"))
    note = page.locator("#offtopic")
    hidden = int(re.search(r"(\d+)", note.inner_text()).group(1))
    assert hidden >= 1  # the sample site has an off-topic page (婺源油菜花)
    note.locator("a").click()
    page.wait_for_load_state()
    assert "all=1" in page.url and int(page.get_attribute("#total", "data-total")) == shown + hidden


def test_an_article_shows_its_facts_highlighted_by_kind_in_the_fact_view_colours(page, server):
    page.goto(server.base_url + "/?" + urlencode({"q": "春风行动"}))
    page.locator("li.hit a.title").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(server.base_url + "/article/")
    marks = page.locator("#body mark.fact")
    assert marks.count() >= 5
    kinds = set(marks.evaluate_all("nodes => nodes.map(node => node.dataset.kind)"))
    assert {"count", "place", "program"} <= kinds
    for kind in kinds:
        colour = page.locator(f"#body mark.fact-{kind}").first.evaluate("node => getComputedStyle(node).backgroundColor")
        assert colour == rgb(COLORS[LABELS[kind]])
    assert page.locator("#facts tbody tr").count() >= marks.count()
    # The legend (the app's own script) hides one kind of highlight.
    page.locator("#legend button[data-kind=place]").click()
    hidden = page.locator("#body mark.fact-place").first.evaluate("node => getComputedStyle(node).backgroundColor")
    assert hidden == "rgba(0, 0, 0, 0)"


def test_trends_draws_a_chart_of_the_most_reported_indicator_with_a_table(page, server):
    page.goto(server.base_url + "/trends")
    assert page.locator("input[name=measure]").input_value() == "农村劳动力转移就业人数"
    chart = page.locator("#chart")
    chart.wait_for()
    page.wait_for_function("() => document.querySelector('#chart').complete")
    assert chart.evaluate("image => image.naturalWidth") > 0
    svg = page.request.get(server.base_url + chart.get_attribute("src")).text()
    assert svg.startswith("<svg") and len(re.findall(r'<g id="line2d_\d+"', svg)) > 0
    assert "农村劳动力转移就业人数" in svg
    rows = page.locator("#trend-table tbody tr")
    assert rows.count() >= 4 and "贵州省" in rows.all_inner_texts()[0] + "".join(rows.all_inner_texts())
    page.select_option("select[name=by]", "year")
    page.fill("input[name=place]", "贵州省")
    page.locator("form.trend-form button").click()
    page.wait_for_load_state()
    periods = page.locator("#trend-table tbody tr td:first-child").all_inner_texts()
    assert set(periods) == {"2023", "2024"}
    csv_text = page.request.get(server.base_url + page.locator("a[download]").get_attribute("href")).text()
    assert csv_text.splitlines()[0].startswith("measure,period,place") and len(csv_text.splitlines()) == len(periods) + 1


def test_the_archived_page_is_shown_without_running_any_of_its_scripts(page, server):
    article_id = hostile_article_id(server)
    page.goto(f"{server.base_url}/raw/{article_id}")
    text = page.locator("#raw").inner_text()
    assert '<script>alert("head")</script>' in text and "onerror" in text
    page.goto(f"{server.base_url}/raw/{article_id}?view=frame")
    frame = page.frame_locator("#raw-frame")
    assert "返乡就业专场招聘会" in frame.locator("body").inner_text()
    page.wait_for_timeout(500)  # time for an onload, an onerror or a script, if any could run
    assert page.dialogs == []
    assert page.locator("#raw-frame").get_attribute("sandbox") == ""


def test_a_hostile_page_stays_text_in_search_and_article_views(page, server):
    page.goto(server.base_url + "/?" + urlencode({"q": "湖北 返乡 招聘会"}))
    title = page.locator("li.hit a.title").first
    assert "<script>" in title.inner_text() or "<img" in title.inner_text()
    title.click()
    page.wait_for_load_state()
    heading = page.locator("#title").inner_text()
    assert "<script>" in heading and "</textarea>" in heading
    body = page.locator("#body").inner_text()
    assert '<script>alert("body")</script>' in body and "onerror" in body
    assert page.locator("main script, main img, main textarea, a[href^='javascript']").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == [] and page.console_errors == []


@pytest.mark.parametrize(
    "parameters",
    [
        {"q": "就业"},
        {"q": "务工", "place": "贵州省", "facet": ["program"]},
        {"q": "补贴", "since": "2024-03", "until": "2024-04", "sort": "date", "facet": ["month"], "limit": "1"},
        {"program": "春风行动", "page": "1"},
        {"q": "转移就业", "all": "1", "facet": ["province", "site"]},
    ],
    ids=lambda parameters: urlencode(parameters, doseq=True),
)
def test_api_search_answers_exactly_what_jiwen_search_json_prints(server, served_archive, parameters):
    status, headers, body = server.get("/api/search?" + urlencode(parameters, doseq=True))
    assert status == 200 and headers["content-type"] == "application/json"
    arguments = [parameters["q"]] if "q" in parameters else []
    for key, value in parameters.items():
        if key == "facet":
            arguments += [item for facet in value for item in ("--facet", facet)]
        elif key == "all":
            arguments.append("--all")
        elif key != "q":
            arguments += [f"--{key}", value]
    printed = invoke_jiwen("search", *arguments, "--json", "--archive", str(served_archive))
    assert printed.returncode == 0, printed.stderr
    assert json.loads(body) == json.loads(printed.stdout)
    assert json.loads(body)["total"] > 0


def test_api_article_is_the_article_jiwen_export_writes(server, served_archive):
    exported = invoke_jiwen("export", "--format", "jsonl", "--archive", str(served_archive))
    articles = [json.loads(line) for line in exported.stdout.splitlines()]
    for article in articles[:4]:
        status, _, body = server.get(f"/api/article/{article['id']}")
        assert status == 200 and json.loads(body) == article


def test_api_trends_is_what_jiwen_trends_json_prints(server, served_archive):
    for parameters in (
        {},
        {"measure": "城镇新增就业人数", "by": "year"},
        {"measure": "农村劳动力转移就业人数", "place": "贵州省", "by": "quarter"},
    ):
        status, _, body = server.get("/api/trends?" + urlencode(parameters))
        arguments = [parameters["measure"]] if "measure" in parameters else []
        arguments += [item for key in ("place", "by") if key in parameters for item in (f"--{key}", parameters[key])]
        printed = invoke_jiwen("trends", *arguments, "--json", "--archive", str(served_archive))
        assert status == 200 and printed.returncode == 0, printed.stderr
        assert json.loads(body) == json.loads(printed.stdout) and json.loads(body)["points"]


@pytest.mark.parametrize(("path", "explanation"), BAD_PARAMETERS, ids=[path[:40] for path, _ in BAD_PARAMETERS])
def test_bad_parameters_get_a_400_that_explains(server, path, explanation):
    status, headers, body = server.get(path.replace("就", "%E5%B0%B1"))
    assert status == 400
    text = body.decode("utf-8")
    if path.startswith("/api/"):
        assert explanation in json.loads(text)["error"]
    else:
        assert explanation in text.replace("&#39;", "'") and "Traceback" not in text


@pytest.mark.parametrize(
    "path", ["/article/0123456789abcdef", "/article/%3Cscript%3Ealert(1)", "/raw/nothing-here", "/api/article/0123456789abcdef"]
)
def test_an_unknown_article_is_404(server, path):
    status, _, body = server.get(path)
    assert status == 404 and b"Traceback" not in body and b"<script>" not in body


def test_a_bad_parameter_page_reads_as_an_explanation_in_the_browser(page, server):
    response = page.goto(server.base_url + "/?since=2024-13-45")
    assert response.status == 400
    assert "since='2024-13-45' is not a date" in page.locator("#error .message").inner_text()
    # The form is kept under the error, as typed.
    assert page.locator("form.dates input[name=since]").input_value() == "2024-13-45"


def test_every_page_forbids_scripts_that_are_not_the_apps_own(server):
    article_id = hostile_article_id(server)
    for path in (
        "/",
        "/?q=就业".replace("就业", "%E5%B0%B1%E4%B8%9A"),
        f"/article/{article_id}",
        f"/raw/{article_id}",
        "/trends",
        "/sites",
        "/nowhere",
        "/api/search",
    ):
        status, headers, _ = server.get(path)
        policy = headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0], path
        assert headers.get("x-content-type-options") == "nosniff"
    _, headers, _ = server.get(f"/raw/{article_id}/page")
    assert headers["content-security-policy"].startswith("sandbox") and "script-src" not in headers["content-security-policy"]


def test_sites_shows_each_site_with_its_run_history(page, server):
    page.goto(server.base_url + "/sites")
    runs = page.locator("#runs tbody tr").all_inner_texts()
    assert any("抓取" in row and "完成" in row and "新增=" in row for row in runs)  # crawl, finished, new
    assert any("reindex" not in row for row in runs)
    names = page.locator("#sites tbody tr td:first-child a").all_inner_texts()
    assert "mohrss" in names  # configured in the bundled sites.toml
    assert page.dialogs == []


def test_sites_shows_the_health_that_jiwen_sites_health_reports(page, server, served_archive):
    result = run_jiwen("sites", "--health", "--json", "--archive", str(served_archive))
    assert result.returncode == 0, result.stderr[-2000:]
    expected = {item["name"]: item for item in json.loads(result.stdout)}
    page.goto(server.base_url + "/sites")
    rows = page.locator("#sites tbody tr")
    seen = 0
    for index in range(rows.count()):
        row = rows.nth(index)
        name = row.locator("td:first-child a").inner_text()
        if name not in expected:
            continue
        seen += 1
        assert row.locator("td.new-30-days").inner_text() == str(expected[name]["new_30_days"])
        assert row.locator("td.health").inner_text().split("\n")[0] == (
            "尚未抓取" if not expected[name]["last_run"] else "停滞" if expected[name]["stale"] else "正常"
        )  # not crawled yet, stale, ok
    assert seen == len(expected) > 0


def test_serve_refuses_a_missing_archive_in_one_line(tmp_path):
    result = run_jiwen("serve", "--archive", str(tmp_path / "nothing"), "--port", str(free_port()), timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("jiwen: no archive at") and result.stderr.count("\n") == 1
    assert not (tmp_path / "nothing").exists()


def test_serve_refuses_a_damaged_archive_in_one_line_and_leaves_it_alone(tmp_path):
    folder = tmp_path / "damaged"
    folder.mkdir()
    (folder / "archive.sqlite3").write_bytes(b"this is not a database" * 100)
    result = run_jiwen("serve", "--archive", str(folder), "--port", str(free_port()), timeout=60)
    assert result.returncode == 1 and result.stderr.startswith("jiwen: ") and result.stderr.count("\n") == 1
    assert (folder / "archive.sqlite3").read_bytes() == b"this is not a database" * 100
    assert sorted(path.name for path in folder.iterdir()) == ["archive.sqlite3"]


def test_serve_on_a_taken_port_says_so_in_one_line(server, served_archive):
    port = server.base_url.rsplit(":", 1)[1]
    result = run_jiwen("serve", "--archive", str(served_archive), "--port", port, timeout=60)
    assert result.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_an_archive_removed_while_serving_gives_a_clear_page(tmp_path, served_archive):
    archive = tmp_path / "archive"
    shutil.copytree(served_archive, archive)
    port = free_port()
    process = start_server(archive, port)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_serving(process, base_url)
        shutil.rmtree(archive)
        import urllib.request

        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(base_url + "/sites", timeout=30)
        assert raised.value.code == 503 and "no archive at" in raised.value.read().decode("utf-8")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_server_reads_while_a_writer_ingests_and_then_sees_its_articles(tmp_path, served_archive):
    archive = tmp_path / "archive"
    shutil.copytree(served_archive, archive)
    port = free_port()
    process = start_server(archive, port)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, base_url)
        files = tmp_path / "files"
        files.mkdir()
        for number in range(3):
            (files / f"{number}.txt").write_text(
                f"宁夏吴忠市举办第{number + 1}场零工市场招聘会\n\n4月20日，吴忠市零工市场举办专场招聘会，提供就业岗位{number + 3}00个，"
                "帮助农村劳动力就近就业。",
                "utf-8",
            )
        writer = subprocess.Popen(
            [*run_jiwen_command(), "ingest", str(files), "--archive", str(archive)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        import urllib.request

        answered = 0
        while writer.poll() is None:
            with urllib.request.urlopen(base_url + "/?q=%E5%B0%B1%E4%B8%9A", timeout=30) as response:
                answered += response.status == 200
        assert writer.returncode == 0, writer.stderr.read()
        assert answered >= 1
        with urllib.request.urlopen(base_url + "/api/search?q=%E5%90%B4%E5%BF%A0", timeout=30) as response:
            assert json.loads(response.read())["total"] == 3
        # The server never wrote: the only journal files are SQLite's own WAL ones.
        assert {path.name for path in archive.glob("archive.sqlite3*")} <= {"archive.sqlite3", "archive.sqlite3-wal", "archive.sqlite3-shm"}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serving_opens_the_store_read_only(served_archive, tmp_path):
    """The store the server opens refuses writes (SQLite mode=ro), so no page can change it."""
    from jiwen.store import Archive

    with Archive(served_archive, read_only=True) as archive:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            archive.db.execute("DELETE FROM runs")
        assert archive.stats()["articles"] > 0


def test_screenshots_of_every_page(page, server, tmp_path):
    """The README's screenshots come from here (JIWEN_SCREENSHOTS=docs/screenshots keeps them)."""
    folder = Path(os.environ.get("JIWEN_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    article_id = hostile_article_id(server)
    status, _, body = server.get("/api/search?" + urlencode({"q": "春风行动"}))
    spring_id = json.loads(body)["hits"][0]["id"]
    pages = {
        "search": "/?" + urlencode({"q": "就业"}),
        "article": f"/article/{spring_id}",
        "raw": f"/raw/{article_id}?view=frame",
        "trends": "/trends?" + urlencode({"measure": "农村劳动力转移就业人数", "by": "quarter"}),
        "sites": "/sites",
        "error": "/?since=2024-13-45",
        "facts": "/facts?" + urlencode({"place": "贵州省"}),
    }
    for name, path in pages.items():
        page.goto(server.base_url + path)
        page.wait_for_load_state("networkidle")
        target = folder / f"serve-{name}.png"
        page.screenshot(path=str(target), full_page=False)
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        # Kept small for the repository: a 256-colour palette (Pillow comes with matplotlib).
        from PIL import Image

        with Image.open(target) as shot:
            shot.convert("RGB").quantize(colors=256).save(target, optimize=True)
    assert page.dialogs == []


def run_jiwen_command() -> list[str]:
    import sys

    return [sys.executable, "-c", "from jiwen.cli import main; main()"]


def status_for_host(base_url: str, host: str) -> int:
    """The status of GET /api/search sent with this Host header, as a rebound page's script sends it."""
    import http.client

    connection = http.client.HTTPConnection(base_url.removeprefix("http://"), timeout=30)
    try:
        connection.request("GET", "/api/search", headers={"Host": host})
        return connection.getresponse().status
    finally:
        connection.close()


def test_serve_answers_only_the_host_names_of_its_own_address(server):
    port = server.base_url.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
        assert status_for_host(server.base_url, host) == 200, host
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1:{int(port) + 1}", "127.0.0.1", ""):
        assert status_for_host(server.base_url, host) == 403, host


def test_serve_answers_the_names_given_with_allow_host_for_a_proxy(served_archive):
    port = free_port()
    process = start_server(served_archive, port, "--allow-host", "jiwen.example.org", "--allow-host", "other.example")
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, base_url)
        assert status_for_host(base_url, "jiwen.example.org") == 200
        assert status_for_host(base_url, "other.example:443") == 200
        assert status_for_host(base_url, f"localhost:{port}") == 200
        assert status_for_host(base_url, "evil.example") == 403
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_trends_csv_makes_formula_like_cells_text_and_api_trends_keeps_them(tmp_path):
    page = Path(__file__).resolve().parent.parent / "fixtures" / "hostile" / "formula-title.html"
    archive = tmp_path / "archive"
    result = run_jiwen("ingest", str(page), "--archive", str(archive))
    assert result.returncode == 0, result.stderr
    port = free_port()
    process = start_server(archive, port)
    base_url = f"http://127.0.0.1:{port}"
    query = "?" + urlencode({"measure": "农村劳动力转移就业人数"})
    try:
        wait_until_serving(process, base_url)
        import csv
        import io
        import urllib.request

        with urllib.request.urlopen(base_url + "/trends.csv" + query, timeout=30) as response:
            rows = list(csv.DictReader(io.StringIO(response.read().decode("utf-8"))))
        with urllib.request.urlopen(base_url + "/api/trends" + query, timeout=30) as response:
            points = json.loads(response.read())["points"]
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert rows and rows[0]["sentence"].startswith("'@SUM(1)")
    assert points[0]["sentence"].startswith("@SUM(1)")
