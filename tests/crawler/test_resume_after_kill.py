"""A crawl SIGKILLed midway over a realistic site (300 articles, 15 list pages chained by 下一页)
and run again must end with every article archived once. Scrapy's JOBDIR used to keep the seen
requests of the killed run, so the rerun skipped what was requested but never archived (the
in-flight articles, and every list page after the one being fetched, with all their articles)."""

from __future__ import annotations

import importlib.util
import signal
import sys

import pytest

from jiwen.demo.server import serve_site
from jiwen.library.maintenance import check
from jiwen.store import Archive
from tests.conftest import REPO_ROOT, run_jiwen
from tests.schedule_support import CRAWL_ENV, article_count, query, start_jiwen, wait_for

ARTICLES = 300
KILL_AFTER = 40


def bench_site_generator():
    """The crawl benchmark's site generator (bench/crawl_speed.py): CMS-like list and article pages."""
    sys.path.insert(0, str(REPO_ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("crawl_speed", REPO_ROOT / "bench" / "crawl_speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_site


@pytest.mark.slow
def test_a_crawl_killed_midway_and_rerun_archives_every_article_once(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    bench_site_generator()(root, ARTICLES)
    # Slow articles, so the kill finds list pages still to walk and requests in flight.
    routes = "".join(f'[routes."/{path.relative_to(root)}"]\ndelay = 0.05\n' for path in root.rglob("t*.html"))
    (root / "_routes.toml").write_text(routes, "utf-8")
    archive = tmp_path / "archive"
    with serve_site(root) as server:
        sites = tmp_path / "sites.toml"
        sites.write_text(f'[[site]]\nname = "big"\nstart_urls = ["{server.base_url}/"]\n[site.pagination]\nmax_pages = 20\n', "utf-8")
        env = {"JIWEN_SITES": str(sites)}
        victim = start_jiwen("crawl", "--site", "big", "--archive", str(archive), "--no-throttle", log_to=tmp_path / "killed.log", env=env)
        try:
            wait_for(lambda: article_count(archive) >= KILL_AFTER, timeout=300, what=f"{KILL_AFTER} stored articles", process=victim)
        finally:
            victim.send_signal(signal.SIGKILL)
            victim.wait()
        at_kill = article_count(archive)
        assert at_kill < ARTICLES, "the crawl finished before the kill; nothing to resume"
        result = run_jiwen("crawl", "--site", "big", "--archive", str(archive), "--no-throttle", env={**CRAWL_ENV, **env}, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        expected = {server.base_url + "/" + str(path.relative_to(root)) for path in root.rglob("t*.html")}
    assert len(expected) == ARTICLES
    assert {url for (url,) in query(archive, "SELECT url FROM pages")} == expected
    assert query(archive, "SELECT url FROM pages GROUP BY url HAVING COUNT(*) > 1") == []
    assert article_count(archive) == ARTICLES
    runs = query(archive, "SELECT outcome FROM runs ORDER BY id")
    assert runs == [("killed",), ("finished",)]
    with Archive(archive, create=False) as opened:
        state = check(opened)
    assert state.consistent and state.stored == state.indexed, state
    checked = run_jiwen("check", "--archive", str(archive))
    assert checked.returncode == 0 and "consistent" in checked.stdout
