"""Resume after the worst stop: a `jiwen crawl` killed with SIGKILL at an arbitrary moment. The
next run must complete the archive without losing or duplicating articles, the index must agree
with the store (`jiwen check`), and the history must show the killed run as killed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from jiwen.demo.server import serve_site
from jiwen.library.maintenance import check
from jiwen.store import Archive
from tests.conftest import run_jiwen
from tests.schedule_support import (
    ALL_ARTICLES,
    CRAWL_ENV,
    SCHEDULE_SITE,
    article_count,
    query,
    start_jiwen,
    wait_for,
)

ARTICLE_COLUMNS = "url, title, published, relevant, duplicate_of, fact_count"


def crawl(jiwen, archive: Path, url: str) -> None:
    result = jiwen("crawl", "--url", url, "--archive", str(archive), "--no-throttle", env=CRAWL_ENV)
    assert result.returncode == 0, result.stderr[-3000:]


HELD_ARTICLE = "/news/202409/t20240913_6010.html"


def killed_midway(server, archive: Path, url: str, log_to: Path) -> subprocess.Popen:
    """A crawl of the slow list, SIGKILLed once a few articles are stored (and none indexed: the
    index is written in batches at the end). The server holds one article until the kill, so the
    crawl cannot have stored them all first, however loaded the machine."""
    server.hold(HELD_ARTICLE)
    try:
        process = start_jiwen("crawl", "--url", url, "--archive", str(archive), "--no-throttle", log_to=log_to)
        wait_for(
            lambda: article_count(archive) >= 3 and HELD_ARTICLE in server.paths_requested(),
            timeout=120, what="three stored articles and the held one requested", process=process,
        )  # fmt: skip
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        server.release()
    return process


@pytest.fixture(scope="module")
def killed_and_rerun(tmp_path_factory):
    """Archive `reference` from one uninterrupted crawl; archive `resumed` from a crawl killed
    with SIGKILL and then run again; what the killed archive looked like in between."""
    from tests.conftest import run_jiwen

    folder = tmp_path_factory.mktemp("resume")
    reference, resumed = folder / "reference", folder / "resumed"
    with serve_site(SCHEDULE_SITE) as server:
        url = server.base_url + "/"
        crawl(run_jiwen, reference, url)
        victim = killed_midway(server, resumed, url, folder / "killed.log")
        between = {
            "articles": article_count(resumed),
            "runs": query(resumed, "SELECT id, outcome, pid FROM runs"),
            "jobs": sorted(path.name for path in (resumed / "jobs").iterdir()) if (resumed / "jobs").is_dir() else [],
            "indexed": query(resumed, "SELECT COUNT(*) FROM articles WHERE indexed = 1")[0][0],
        }
        crawl(run_jiwen, resumed, url)
    return {"reference": reference, "resumed": resumed, "between": between, "victim": victim}


def test_the_kill_came_midway(killed_and_rerun):
    between = killed_and_rerun["between"]
    assert 3 <= between["articles"] < ALL_ARTICLES, "the crawl was not killed midway; nothing to resume"
    assert killed_and_rerun["victim"].returncode == -signal.SIGKILL
    assert [outcome for _, outcome, _ in between["runs"]] == ["running"]  # it never got to close its run
    assert between["indexed"] == 0  # stored, not yet indexed: the case the next writer must catch up


def test_the_rerun_yields_the_archive_of_an_uninterrupted_crawl(killed_and_rerun):
    reference = query(killed_and_rerun["reference"], f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY url")
    resumed = query(killed_and_rerun["resumed"], f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY url")
    assert len(reference) == ALL_ARTICLES
    assert resumed == reference


def test_no_page_is_archived_twice(killed_and_rerun):
    resumed = killed_and_rerun["resumed"]
    pages = query(resumed, "SELECT url, COUNT(*) FROM pages GROUP BY url HAVING COUNT(*) > 1")
    assert pages == []
    facts = "SELECT SUM(fact_count) FROM articles"
    assert query(resumed, facts)[0] == query(killed_and_rerun["reference"], facts)[0]


def test_the_index_agrees_with_the_store_after_the_rerun(killed_and_rerun, jiwen):
    with Archive(killed_and_rerun["resumed"], create=False) as archive:
        state = check(archive)
    assert state.consistent, state
    assert state.stored == state.indexed > 0
    result = jiwen("check", "--archive", str(killed_and_rerun["resumed"]))
    assert result.returncode == 0 and "consistent" in result.stdout, result.stdout + result.stderr


def test_the_killed_run_is_marked_killed_and_the_rerun_finished(killed_and_rerun, jiwen):
    runs = query(killed_and_rerun["resumed"], "SELECT id, outcome, pid, finished_at FROM runs ORDER BY id")
    assert [(outcome, pid) for _, outcome, pid, _ in runs] == [
        ("killed", killed_and_rerun["victim"].pid),
        ("finished", runs[1][2]),
    ]
    assert runs[0][3] is not None
    listing = jiwen("runs", "--archive", str(killed_and_rerun["resumed"]))
    assert "KILLED" in listing.stdout


def test_articles_a_killed_crawl_stored_are_indexed_by_the_next_writer_of_any_kind(tmp_path, jiwen):
    """Not only the next crawl: an ingest of one unrelated file also catches the index up."""
    archive = tmp_path / "archive"
    with serve_site(SCHEDULE_SITE) as server:
        killed_midway(server, archive, server.base_url + "/", tmp_path / "killed.log")
    stored = article_count(archive)
    with Archive(archive, create=False) as opened:
        assert opened.pending_index()[0], "the killed crawl left nothing unindexed; the test proves nothing"
    extra = tmp_path / "extra.txt"
    extra.write_text(
        "南平市就业服务站开展“春风行动”\n\n南平市就业服务站近日组织招聘会三场，提供岗位八百个，帮助二百名农民工实现就业。\n", "utf-8"
    )
    ingested = jiwen("ingest", str(extra), "--archive", str(archive), "-q")
    assert ingested.returncode == 0, ingested.stderr
    with Archive(archive, create=False) as opened:
        state = check(opened)
        assert opened.pending_index() == ([], [])
        assert opened.unprocessed_pages() == []
    assert state.consistent and state.indexed > 0
    assert article_count(archive) >= stored + 1
    assert query(archive, "SELECT COUNT(*) FROM pages")[0][0] == article_count(archive)
    assert query(archive, "SELECT outcome FROM runs ORDER BY id") == [("killed",), ("finished",)]


def test_a_page_stored_without_its_article_is_extracted_by_the_next_writer(tmp_path):
    """The window a SIGKILL hits most often: the page is stored, its extraction was running.
    A crawl would not fetch that URL again, so the article must come from the stored bytes."""
    from jiwen.core.models import FetchedPage
    from jiwen.library.pipeline import PagePipeline

    path = SCHEDULE_SITE / "news" / "202409" / "t20240904_6003.html"
    url = "http://127.0.0.1:8000/news/202409/t20240904_6003.html"
    page = FetchedPage(url=url, body=path.read_bytes(), status=200, content_type="text/html", site="fixture")
    with Archive(tmp_path / "archive") as archive:
        page_id, _ = archive.add_page(page)  # ... and the writer dies here
        assert archive.unprocessed_pages() == [page_id]
    with Archive(tmp_path / "archive") as archive:
        pipeline = PagePipeline(archive)  # the next writer of any kind
        pipeline.close()
        assert archive.unprocessed_pages() == []
        stored = archive.article_for_url(url)
        assert stored is not None and stored["page_id"] == page_id
        assert archive.get_articles([stored["id"]])[0].title == "宁德市开展新能源电池企业定向技能培训"
        assert check(archive).consistent


def test_check_finds_a_damaged_index_and_repair_rebuilds_it(killed_and_rerun, tmp_path, jiwen):
    archive = tmp_path / "copy"
    shutil.copytree(killed_and_rerun["resumed"], archive)
    shutil.rmtree(archive / "index")
    (archive / "index").mkdir()
    broken = jiwen("check", "--archive", str(archive))
    assert broken.returncode == 1 and "jiwen check --repair" in broken.stderr
    repaired = jiwen("check", "--repair", "--archive", str(archive))
    assert repaired.returncode == 0 and "repaired" in repaired.stdout, repaired.stderr
    with Archive(archive, create=False) as opened:
        assert check(opened).consistent


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _pipeline_process(crawl_pid: int) -> int | None:
    """The crawl's page-pipeline worker: its child that has a child of its own (the indexer)."""
    for child in _children(crawl_pid):
        if "--multiprocessing-fork" in Path(f"/proc/{child}/cmdline").read_text() and _children(child):
            return child
    return None


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the worker processes through /proc")
def test_a_crawl_whose_pipeline_process_dies_stops_with_what_it_archived_and_the_next_completes_it(tmp_path):
    archive = tmp_path / "archive"
    with serve_site(SCHEDULE_SITE) as server:
        url = server.base_url + "/"
        process = start_jiwen("crawl", "--url", url, "--archive", str(archive), "--no-throttle", log_to=tmp_path / "crawl.log")
        try:
            wait_for(lambda: article_count(archive) >= 1, timeout=120, what="a stored article", process=process)
            pipeline = wait_for(lambda: _pipeline_process(process.pid), timeout=30, what="the pipeline process")
            os.kill(pipeline, signal.SIGKILL)
            returncode = process.wait(timeout=120)  # stops by itself, does not hang
        finally:
            if process.poll() is None:
                process.kill()
        log = (tmp_path / "crawl.log").read_text("utf-8")
        assert returncode == 0, log[-3000:]
        assert "the page pipeline process ended unexpectedly" in log and "Traceback" not in log
        stored = article_count(archive)
        assert 1 <= stored < ALL_ARTICLES
        assert query(archive, "SELECT outcome FROM runs") == [("interrupted",)]
        crawl(run_jiwen, archive, url)
    assert article_count(archive) == ALL_ARTICLES
    with Archive(archive, create=False) as opened:
        assert check(opened).consistent
