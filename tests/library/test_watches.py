"""Watches (`jiwen watch add|list|remove|check`): saved searches whose new matches a crawl records
and reports, through the real CLI and a real crawl of the sample site over loopback."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from jiwen.demo.server import serve_site
from tests.conftest import invoke_jiwen, run_jiwen

FIRST = "黔东南州人社局召开劳务协作推进会，部署春风行动后续工作。\n会议要求各县做好返乡人员就业服务。\n"
SECOND = "从江县开展劳务协作专场招聘，春风行动送岗位到村。\n现场达成就业意向一百余人。\n"


@pytest.fixture
def archive_dir(tmp_path) -> Path:
    directory = tmp_path / "archive"
    first = tmp_path / "first.txt"
    first.write_text(FIRST, encoding="utf-8")
    assert invoke_jiwen("ingest", str(first), "--archive", str(directory)).returncode == 0
    return directory


def jiwen(archive_dir: Path, *arguments: str):
    return invoke_jiwen(*arguments, "--archive", str(archive_dir))


def test_a_watch_reports_only_what_arrives_after_it_was_added(archive_dir, tmp_path):
    added = jiwen(archive_dir, "watch", "add", "labour", "劳务协作", "--place", "贵州省")
    assert added.returncode == 0, added.stderr
    assert "1 articles match already" in added.stdout
    second = tmp_path / "second.txt"
    second.write_text(SECOND, encoding="utf-8")
    assert jiwen(archive_dir, "ingest", str(second)).returncode == 0
    checked = jiwen(archive_dir, "watch", "check", "--json")
    new = json.loads(checked.stdout)
    assert [hit["text"][:6] for hit in new["labour"]] == ["从江县开展劳"]
    assert json.loads(jiwen(archive_dir, "watch", "check", "--json").stdout) == {"labour": []}
    listed = json.loads(jiwen(archive_dir, "watch", "list", "--json").stdout)
    assert [(item["name"], item["matches"], item["place"]) for item in listed] == [("labour", 2, "贵州省")]


def test_watch_names_and_filters_are_checked_and_remove_forgets_a_watch(archive_dir):
    assert jiwen(archive_dir, "watch", "add", "labour", "劳务协作").returncode == 0
    again = jiwen(archive_dir, "watch", "add", "labour", "就业")
    assert again.returncode == 1 and "exists" in again.stderr
    misspelt = jiwen(archive_dir, "watch", "add", "other", "就业", "--place", "贵洲省")
    assert misspelt.returncode == 1 and "did you mean 贵州省" in misspelt.stderr
    assert jiwen(archive_dir, "watch", "remove", "labour").returncode == 0
    assert "no watches" in jiwen(archive_dir, "watch", "list").stdout
    gone = jiwen(archive_dir, "watch", "remove", "labour")
    assert gone.returncode == 1 and "no watch named 'labour'" in gone.stderr


def test_a_crawl_records_and_reports_each_watchs_new_matches(archive_dir):
    assert jiwen(archive_dir, "watch", "add", "spring", "--program", "春风行动").returncode == 0
    site = Path(str(resources.files("jiwen.demo").joinpath("site")))
    with serve_site(site) as server:
        crawled = run_jiwen("crawl", "--url", server.base_url + "/", "--no-throttle", "--archive", str(archive_dir))
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    reported = next(line for line in crawled.stdout.splitlines() if "new_watch_matches" in line)
    count = int(reported.split("spring=")[1].split(",")[0])
    assert count >= 1
    listed = json.loads(jiwen(archive_dir, "watch", "list", "--json").stdout)
    assert listed[0]["matches"] == count + 1  # the ingested notice was seen when the watch was added
    assert json.loads(jiwen(archive_dir, "watch", "check", "--json").stdout) == {"spring": []}
