"""The real thing for the web tests: the sample site (plus a hostile page) crawled over loopback
into an archive, the fixture articles with attributed figures stored beside it, `jiwen serve` started
as a real process on 127.0.0.1, and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from importlib import resources
from pathlib import Path

import pytest

from jiwen.demo.server import serve_site
from jiwen.store import Archive
from tests.conftest import run_jiwen
from tests.indicator_archive import add_indicator_articles

CHROMIUM = Path(os.environ.get("JIWEN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
XSS_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "web" / "t20240420_1009.html"
XSS_PATH = "/news/202404/t20240420_1009.html"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def served_archive(tmp_path_factory) -> Path:
    """An archive crawled from the sample site with one hostile page added to its list."""
    root = tmp_path_factory.mktemp("web")
    site = root / "site"
    shutil.copytree(Path(str(resources.files("jiwen.demo").joinpath("site"))), site)
    shutil.copy(XSS_FIXTURE, site / XSS_PATH.lstrip("/"))
    index = site / "index.html"
    link = f'<li><a href="{XSS_PATH}">湖北举办返乡就业招聘会 提供岗位2.6万个</a><span>2024-04-20</span></li>\n'
    index.write_text(index.read_text("utf-8").replace("<ul>\n", "<ul>\n" + link, 1), "utf-8")
    archive_dir = root / "archive"
    with serve_site(site) as server:
        result = run_jiwen("crawl", "--url", server.base_url + "/", "--no-throttle", "--archive", str(archive_dir))
    assert result.returncode == 0, result.stderr[-2000:]
    with Archive(archive_dir) as archive:
        add_indicator_articles(archive)
    result = run_jiwen("reindex", "--archive", str(archive_dir))
    assert result.returncode == 0, result.stderr[-2000:]
    return archive_dir


class RunningServer:
    def __init__(self, process: subprocess.Popen, base_url: str) -> None:
        self.process = process
        self.base_url = base_url

    def get(self, path: str) -> tuple[int, dict, bytes]:
        """(status, headers, body) of a plain HTTP GET, errors included."""
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


def start_server(archive_dir: Path, port: int, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from jiwen.cli import main; main()", "serve", "--archive", str(archive_dir), "--port", str(port), *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_until_serving(process: subprocess.Popen, base_url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"jiwen serve exited {process.returncode}: {process.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(base_url + "/static/app.css", timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("jiwen serve did not answer within a minute")


@pytest.fixture(scope="session")
def server(served_archive) -> RunningServer:
    port = free_port()
    process = start_server(served_archive, port)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, base_url)
        yield RunningServer(process, base_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium; .ci/run does)")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser page that records every dialog (alert/confirm/prompt) and console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.dialogs = []
    tab.console_errors = []

    def on_dialog(dialog) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.on("console", lambda message: message.type == "error" and tab.console_errors.append(message.text))
    tab.set_default_timeout(30_000)
    yield tab
    context.close()
