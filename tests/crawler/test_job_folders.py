"""A crawl's job folder is <archive>/jobs/<site> and nothing else: `jiwen crawl --url 'http://../'`
once named it <archive>/jobs/.. and the end of the crawl removed the whole archive. Site names are
validated wherever they come from, and the one function that removes job folders refuses any path
not strictly inside jobs/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jiwen.core.errors import ConfigError
from jiwen.crawler.run import job_dir, remove_job_dir
from tests.crawler.conftest import crawl, query

HOSTILE_URLS = ("http://../", "http://./", "http://.../", "http://%2e%2e/", "http://a..b/x")


def snapshot(folder: Path) -> dict[str, int]:
    """Every file of the archive and its size; not the log, the lock file or SQLite's WAL
    companions, which any reader (this test's queries too) may create."""
    return {
        str(path.relative_to(folder)): path.stat().st_size
        for path in folder.rglob("*")
        if path.is_file() and not path.name.endswith(("-wal", "-shm", ".lock")) and path.parent.name != "logs"
    }


@pytest.fixture(scope="module")
def crawled_archive(tmp_path_factory):
    """An archive crawled before, with its index and logs, and a second site's resume state."""
    from jiwen.demo.server import serve_site
    from tests.conftest import run_jiwen
    from tests.crawler.conftest import FIXTURE_SITE

    archive = tmp_path_factory.mktemp("jobs") / "archive"
    with serve_site(FIXTURE_SITE) as server:
        crawl(run_jiwen, archive, "--url", server.base_url + "/")
    (archive / "jobs" / "other-site").mkdir(parents=True)
    (archive / "jobs" / "other-site" / "requests.queue").write_text("resume state", "utf-8")
    return archive


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_crawl_of_a_url_that_cannot_name_a_job_folder_is_one_line_and_leaves_the_archive_intact(crawled_archive, jiwen, url):
    before = snapshot(crawled_archive)
    articles = query(crawled_archive, "SELECT COUNT(*) FROM articles")
    result = jiwen("crawl", "--url", url, "--archive", str(crawled_archive), "--no-throttle")
    assert result.returncode == 1
    assert result.stderr.startswith("jiwen: ") and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    after = snapshot(crawled_archive)
    assert after == before
    assert query(crawled_archive, "SELECT COUNT(*) FROM articles") == articles
    assert (crawled_archive / "jobs" / "other-site" / "requests.queue").exists()


@pytest.mark.parametrize("url", ["http://../", "http://./"])
def test_schedule_of_such_a_url_is_refused_before_anything_runs(crawled_archive, jiwen, url):
    before = snapshot(crawled_archive)
    result = jiwen("schedule", "--url", url, "--every", "10s", "--max-runs", "1", "--archive", str(crawled_archive), timeout=60)
    assert result.returncode == 1 and result.stderr.startswith("jiwen: "), result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(crawled_archive) == before


@pytest.mark.parametrize("name", ["..", ".", "", "a/../..", "/etc", "httpcache", "../archive"])
def test_the_job_folder_of_a_bad_name_is_refused(tmp_path, name):
    with pytest.raises(ConfigError):
        job_dir(tmp_path, name)
    with pytest.raises(ConfigError):
        remove_job_dir(tmp_path, name)
    assert tmp_path.exists()


def test_removing_a_job_folder_never_follows_a_symlink_out_of_jobs(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("keep", "utf-8")
    (tmp_path / "archive" / "jobs").mkdir(parents=True)
    os.symlink(precious, tmp_path / "archive" / "jobs" / "site-a")
    with pytest.raises(ConfigError, match="symbolic link"):
        remove_job_dir(tmp_path / "archive", "site-a")
    assert (precious / "keep.txt").exists()


def test_removing_a_job_folder_removes_only_it(tmp_path):
    jobs = tmp_path / "archive" / "jobs"
    (jobs / "site-a").mkdir(parents=True)
    (jobs / "site-b").mkdir()
    remove_job_dir(tmp_path / "archive", "site-a")
    assert sorted(path.name for path in jobs.iterdir()) == ["site-b"]
