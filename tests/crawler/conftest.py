"""The fixture site (tests/fixtures/site, written for these tests) served on 127.0.0.1, and the
environment that makes the real `jiwen crawl` quick against it without switching anything off:
robots.txt, retries and timeouts stay on, only their durations shrink."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from jiwen.demo.server import SiteServer, serve_site

FIXTURE_SITE = Path(__file__).resolve().parent.parent / "fixtures" / "site"

# The slow fixture page sleeps 4 s; a 1 s timeout makes it time out on every attempt.
FAST_CRAWL_ENV = {"JIWEN_DOWNLOAD_TIMEOUT": "1", "JIWEN_RETRY_BACKOFF": "0.2"}


@pytest.fixture
def fixture_site():
    with serve_site(FIXTURE_SITE) as server:
        yield server


def crawl(jiwen, archive: Path, *args: str, env: dict | None = None):
    """`jiwen crawl ... --archive ARCHIVE --no-throttle` in a real process; fails the test on a
    non-zero exit with the process's stderr."""
    result = jiwen("crawl", *args, "--archive", str(archive), "--no-throttle", env={**FAST_CRAWL_ENV, **(env or {})})
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def query(archive: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(archive / "archive.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def requested(server: SiteServer, start: int = 0) -> list[tuple[str, int]]:
    """(path, status) of every request the server answered, from entry `start` on."""
    return [(entry.path, entry.status) for entry in server.requests[start:]]


def write_county_pages(root: Path, nav: str, footer: str, about: str, on_topic: dict[str, tuple[str, str]]) -> None:
    """The pages a generated county 人社局 site has beside its columns: an 机构概况 page at `about`
    (a folder), a home page whose 要闻 box links the first three on-topic articles (path ->
    (title, date)), and a robots.txt."""
    (root / about).mkdir(parents=True, exist_ok=True)
    (root / about / "index.html").write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>机构概况</title></head><body>{nav}<p>测试县人力资源和社会保障局是县政府工作部门。</p>{footer}</body></html>',
        "utf-8",
    )
    box = "".join(f'<li><a href="{path}">{title}</a><span>{date}</span></li>' for path, (title, date) in list(on_topic.items())[:3])
    (root / "index.html").write_text(
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>首页_测试县人力资源和社会保障局</title></head>'
        f'<body>{nav}<div class="yw"><h2>要闻</h2><ul>{box}</ul></div>{footer}</body></html>',
        "utf-8",
    )
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n", "utf-8")


def crawl_discover_and_crawl_the_entry(jiwen, server: SiteServer, work: Path, name: str) -> dict:
    """A site crawled from its home page; discovered with `jiwen sites discover --write` into a
    sites file of `work`'s; and crawled again from the written entry into a second archive."""
    sites_file = work / "sites.toml"
    sites_file.write_text("# my sites\n", "utf-8")
    env = {**FAST_CRAWL_ENV, "JIWEN_SITES": str(sites_file)}
    home = crawl(jiwen, work / "from-home", "--url", server.base_url + "/")
    discovered = jiwen("sites", "discover", server.base_url + "/", "--no-throttle", "--name", name, "--write", env=env)
    assert discovered.returncode == 0, discovered.stderr[-3000:]
    configured = crawl(jiwen, work / "from-entry", "--site", name, env=env)
    return {"base": server.base_url, "home": home, "discovered": discovered, "configured": configured, "sites_file": sites_file}
