"""`jiwen schedule` (jiwen/schedule.py): intervals and cron expressions, the real scheduler
running real `jiwen crawl` processes against the schedule fixture site, and its clean stop."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from jiwen.core.durations import duration_seconds as interval_seconds
from jiwen.core.errors import ConfigError
from jiwen.core.lock import ArchiveLock
from jiwen.demo.server import serve_site
from jiwen.library.maintenance import check
from jiwen.library.timetable import CrawlTarget, CronExpressionTrigger, first_run_time, trigger_for
from jiwen.schedule import (
    scheduled_targets,
)
from jiwen.store import Archive
from tests.schedule_support import SCHEDULE_SITE, article_count, query, start_jiwen, wait_for

SITES_TOML = """
[[site]]
name = "alpha"
start_urls = ["http://127.0.0.1:9/a/"]
interval = "6h"

[[site]]
name = "beta"
start_urls = ["http://127.0.0.1:9/b/"]
interval = "0 7 * * 0"

[[site]]
name = "gamma"
start_urls = ["http://127.0.0.1:9/c/"]
enabled = false
"""


@pytest.fixture
def sites_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(SITES_TOML, "utf-8")
    monkeypatch.setenv("JIWEN_SITES", str(path))
    return path


@pytest.mark.parametrize(("text", "seconds"), [("2s", 2), ("30m", 1800), ("6h", 21600), ("1d12h", 129600), ("1h 30m", 5400)])
def test_durations_down_to_seconds_become_fixed_intervals(text, seconds):
    assert interval_seconds(text) == seconds
    trigger = trigger_for(text)
    assert isinstance(trigger, IntervalTrigger) and trigger.interval == timedelta(seconds=seconds)


def test_a_cron_expression_keeps_cron_s_sunday_as_day_zero():
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    trigger = trigger_for("0 7 * * 0")
    assert isinstance(trigger, CronExpressionTrigger)
    first = trigger.get_next_fire_time(None, saturday)
    assert first == datetime(2026, 11, 29, 7, 0, tzinfo=UTC) and first.strftime("%A") == "Sunday"
    assert trigger.get_next_fire_time(first, first) == first + timedelta(days=7)


@pytest.mark.parametrize("text", ["", "0s", "6x", "h", "every day", "61 * * * *", "* * * *"])
def test_a_bad_interval_is_a_one_line_error_naming_it(text):
    with pytest.raises(ConfigError) as caught:
        trigger_for(text)
    assert repr(text) in str(caught.value) and "\n" not in str(caught.value)


def test_without_names_every_enabled_site_is_scheduled_at_its_own_interval(sites_file):
    targets = scheduled_targets([], [], None)
    assert targets == [
        CrawlTarget("alpha", ("--site", "alpha"), "6h"),
        CrawlTarget("beta", ("--site", "beta"), "0 7 * * 0"),
    ]


def test_every_overrides_the_sites_intervals_and_applies_to_urls(sites_file):
    targets = scheduled_targets(["gamma"], ["http://127.0.0.1:8123/list/"], "45m")
    assert targets == [
        CrawlTarget("gamma", ("--site", "gamma"), "45m"),
        CrawlTarget("127.0.0.1-8123", ("--url", "http://127.0.0.1:8123/list/"), "45m"),
    ]


def test_urls_alone_leave_sites_toml_out(sites_file):
    assert [target.name for target in scheduled_targets([], ["http://127.0.0.1:8123/"], None)] == ["127.0.0.1-8123"]
    assert scheduled_targets([], ["http://127.0.0.1:8123/"], None)[0].interval == "6h"


def test_two_urls_on_one_host_are_refused_rather_than_crawled_into_one_job(sites_file):
    with pytest.raises(ConfigError, match="scheduled twice"):
        scheduled_targets([], ["http://127.0.0.1:8123/a/", "http://127.0.0.1:8123/b/"], "1h")


def test_an_unknown_site_is_a_one_line_error(sites_file):
    with pytest.raises(ConfigError, match="no site named 'delta'"):
        scheduled_targets(["delta"], [], None)


def test_a_restarted_scheduler_waits_out_the_rest_of_the_interval(tmp_path):
    archive_dir = tmp_path / "archive"
    target = CrawlTarget("alpha", ("--site", "alpha"), "6h")
    now = datetime.now(UTC)
    assert abs((first_run_time(archive_dir, target, trigger_for("6h")) - now).total_seconds()) < 5  # never crawled
    with Archive(archive_dir) as archive:
        run_id = archive.start_run("crawl", "alpha", {})
        archive.finish_run(run_id, "finished", {})
    first = first_run_time(archive_dir, target, trigger_for("6h"))
    assert timedelta(hours=5, minutes=59) < first - now <= timedelta(hours=6, seconds=5)


# -- the real scheduler ----------------------------------------------------------------------


def schedule(archive: Path, url: str, *options: str, log_to: Path, own_group: bool = False):
    return start_jiwen("schedule", "--url", url, "--archive", str(archive), *options, log_to=log_to, own_group=own_group)


def runs(archive: Path) -> list[tuple]:
    return query(archive, "SELECT id, outcome, pid, started_at, finished_at FROM runs ORDER BY id")


def test_schedule_crawls_on_its_interval_and_stops_cleanly_on_sigterm(tmp_path):
    archive = tmp_path / "archive"
    output = tmp_path / "schedule.out"
    with serve_site(SCHEDULE_SITE) as server:
        process = schedule(archive, server.base_url + "/quick/", "--every", "2s", log_to=output)
        try:
            wait_for(
                lambda: sum(1 for run in runs(archive) if run[1] == "finished") >= 2,
                timeout=240,
                what="two finished crawl runs",
                process=process,
            )
        finally:
            process.send_signal(signal.SIGTERM)
            returncode = process.wait(timeout=120)
    text = output.read_text("utf-8")
    assert returncode == 0, text
    history = runs(archive)
    assert [run[1] for run in history[:2]] == ["finished", "finished"]
    assert {run[1] for run in history} <= {"finished", "interrupted"}  # a third may have been stopped; none left running
    assert len({run[2] for run in history}) == len(history)  # each run its own crawl process
    # Each crawl outlasts the 2 s interval, yet no crawl started while another ran: skipped turns.
    for earlier, later in zip(history, history[1:]):
        assert earlier[4] <= later[3]
    assert "this turn is skipped" in text and "locked" not in text
    assert article_count(archive) == 2
    log = (archive / "logs" / "jiwen.log").read_text("utf-8")
    assert "scheduled crawl 127.0.0.1-" in log and "finished (run 1)" in log and "received SIGTERM" in log


def test_max_runs_ends_the_scheduler_by_itself(tmp_path):
    archive = tmp_path / "archive"
    output = tmp_path / "schedule.out"
    with serve_site(SCHEDULE_SITE) as server:
        process = schedule(archive, server.base_url + "/quick/", "--every", "1s", "--max-runs", "1", log_to=output)
        returncode = process.wait(timeout=240)
    assert returncode == 0, output.read_text("utf-8")
    assert [run[1] for run in runs(archive)] == ["finished"]
    assert "stopping after 1 crawl runs" in output.read_text("utf-8")


def test_now_crawls_at_once_although_the_interval_has_not_passed(tmp_path):
    archive = tmp_path / "archive"
    output = tmp_path / "schedule.out"
    with serve_site(SCHEDULE_SITE) as server:
        first = schedule(archive, server.base_url + "/quick/", "--every", "6h", "--max-runs", "1", log_to=output)
        assert first.wait(timeout=240) == 0, output.read_text("utf-8")
        # Crawled a moment ago: without --now the next crawl would be in six hours.
        again = schedule(archive, server.base_url + "/quick/", "--every", "6h", "--max-runs", "1", "--now", log_to=output)
        assert again.wait(timeout=240) == 0, output.read_text("utf-8")
    assert [run[1] for run in runs(archive)] == ["finished", "finished"]


def stop_by_systemd(process) -> None:
    process.send_signal(signal.SIGTERM)  # KillMode=mixed: the main process only


def stop_by_ctrl_c(process) -> None:
    os.killpg(process.pid, signal.SIGINT)  # the terminal signals the whole foreground group


@pytest.mark.parametrize(("stop", "signal_name"), [(stop_by_systemd, "SIGTERM"), (stop_by_ctrl_c, "SIGINT")])
def test_a_stop_during_a_crawl_is_passed_on_once_and_the_crawl_stops_gracefully(tmp_path, stop, signal_name):
    archive = tmp_path / "archive"
    output = tmp_path / "schedule.out"
    with serve_site(SCHEDULE_SITE) as server:
        process = schedule(archive, server.base_url + "/", "--every", "1h", log_to=output, own_group=True)
        try:
            wait_for(lambda: article_count(archive) >= 1, timeout=180, what="the first stored article", process=process)
            crawl_pid = runs(archive)[0][2]
            crawl_group = os.getpgid(crawl_pid)  # its own: a Ctrl-C to the scheduler's group misses it
        finally:
            stop(process)
            returncode = process.wait(timeout=180)
        site_name = "127.0.0.1-" + server.base_url.rsplit(":", 1)[1]
    text = output.read_text("utf-8")
    assert returncode == 0, text
    assert crawl_group == crawl_pid != process.pid
    assert f"received {signal_name}; stopping" in text
    assert text.count("asking it to stop") == 1 and f"crawl pid {crawl_pid}: asking it to stop" in text
    history = runs(archive)
    # 'interrupted', not 'finished': the signal reached the crawl before its end. Scrapy's
    # graceful stop still completes the requests already handed to its downloader.
    assert len(history) == 1 and history[0][1] == "interrupted" and history[0][4] is not None, text
    assert (archive / "jobs" / site_name).is_dir()  # Scrapy kept its job state for the next run to resume
    with Archive(archive, create=False) as opened:
        assert check(opened).consistent
    with pytest.raises(ProcessLookupError):
        os.kill(crawl_pid, 0)  # the crawl is gone, not orphaned


def test_a_crawl_that_finds_the_archive_locked_is_skipped_with_a_log_line(tmp_path):
    archive = tmp_path / "archive"
    output = tmp_path / "schedule.out"
    with serve_site(SCHEDULE_SITE) as server, ArchiveLock(archive, command="jiwen ingest"):
        process = schedule(archive, server.base_url + "/quick/", "--every", "1s", "--max-runs", "2", log_to=output)
        returncode = process.wait(timeout=240)
    text = output.read_text("utf-8")
    assert returncode == 0, text
    skipped = [line for line in text.splitlines() if "skipped, archive" in line]
    assert len(skipped) == 2, text
    assert f"is locked by pid {os.getpid()} (jiwen ingest)" in skipped[0]
    assert "Traceback" not in text and runs(archive) == []


def test_a_crawl_that_dies_is_recorded_as_killed_and_the_next_turn_completes_it(tmp_path):
    archive = tmp_path / "archive"
    output = tmp_path / "schedule.out"
    with serve_site(SCHEDULE_SITE) as server:
        process = schedule(archive, server.base_url + "/", "--every", "3s", "--max-runs", "2", log_to=output)
        try:
            wait_for(lambda: article_count(archive) >= 2, timeout=180, what="two stored articles", process=process)
            os.kill(runs(archive)[0][2], signal.SIGKILL)  # the OOM killer, say
            returncode = process.wait(timeout=300)
        finally:
            if process.poll() is None:
                process.kill()
    text = output.read_text("utf-8")
    assert returncode == 0, text
    assert "killed by SIGKILL; the next run resumes it" in text
    assert [run[1] for run in runs(archive)] == ["killed", "finished"], text
    assert article_count(archive) == 10
    with Archive(archive, create=False) as opened:
        assert check(opened).consistent


def test_a_stop_while_the_crawl_is_still_starting_leaves_no_run_behind(tmp_path):
    """Before Scrapy takes over its signals, the crawl process is plain Python: the stop it is
    passed must still end it cleanly, not kill it with a run record left open."""
    archive = tmp_path / "archive"
    output = tmp_path / "schedule.out"
    with serve_site(SCHEDULE_SITE) as server:
        process = schedule(archive, server.base_url + "/", "--every", "1h", log_to=output)
        try:
            wait_for(lambda: ": starting" in output.read_text("utf-8"), timeout=60, what="the crawl start", process=process)
        finally:
            process.send_signal(signal.SIGTERM)
            returncode = process.wait(timeout=180)
    text = output.read_text("utf-8")
    assert returncode == 0, text
    assert "asking it to stop" in text
    assert not [run for run in runs(archive) if run[1] in ("running", "killed")], text
    assert "killed by" not in text and "failed" not in text
    assert "stopped before it began crawling" in text or [run[1] for run in runs(archive)] == ["interrupted"], text


def test_sighup_reloads_the_sites_file_and_a_broken_one_keeps_the_schedule(tmp_path):
    archive = tmp_path / "archive"
    output = tmp_path / "schedule.out"
    sites = tmp_path / "sites.toml"
    with serve_site(SCHEDULE_SITE) as server:
        quick = f'[[site]]\nname = "quick"\nstart_urls = ["{server.base_url}/quick/"]\ninterval = "1h"\n'
        sites.write_text(quick, "utf-8")
        process = start_jiwen("schedule", "--archive", str(archive), log_to=output, env={"JIWEN_SITES": str(sites)})
        try:
            wait_for(lambda: [run[1] for run in runs(archive)] == ["finished"], timeout=240, what="the first crawl", process=process)
            log = archive / "logs" / "jiwen.log"
            sites.write_text("[[site]\nbroken", "utf-8")
            process.send_signal(signal.SIGHUP)
            wait_for(lambda: "sites not reloaded" in log.read_text("utf-8"), timeout=60, what="the reload error", process=process)
            # Another site, and the first one's interval changed: the new one runs at once, the
            # first waits out its (new) interval from its last run.
            second = f'[[site]]\nname = "second"\nstart_urls = ["{server.base_url}/quick/"]\ninterval = "2h"\n'
            sites.write_text(quick.replace('"1h"', '"3h"') + second, "utf-8")
            process.send_signal(signal.SIGHUP)
            wait_for(
                lambda: len(runs(archive)) >= 2 and runs(archive)[-1][1] == "finished",
                timeout=240,
                what="the added site's crawl",
                process=process,
            )
        finally:
            process.send_signal(signal.SIGTERM)
            returncode = process.wait(timeout=120)
    text = log.read_text("utf-8")
    assert returncode == 0, output.read_text("utf-8")
    assert query(archive, "SELECT site FROM runs ORDER BY id") == [("quick",), ("second",)]
    assert "sites reloaded" in text and "scheduled crawl second every 2h" in text
    assert "scheduled crawl quick every 3h" in text  # rescheduled, not crawled again


def start_scheduler_in(folder: Path, *args: str, log_to: Path):
    """The `jiwen` console script, started from `folder` as a user in a shell would."""
    import subprocess
    import sys

    from tests.schedule_support import CRAWL_ENV

    script = Path(sys.executable).with_name("jiwen")
    with open(log_to, "w", encoding="utf-8") as output:
        return subprocess.Popen(
            [str(script), "schedule", *args], cwd=folder, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, **CRAWL_ENV}
        )


def test_a_scheduler_started_in_a_clone_crawls_with_the_installed_package(tmp_path):
    clone = tmp_path / "clone"
    (clone / "jiwen").mkdir(parents=True)
    (clone / "jiwen" / "__init__.py").write_text("raise ImportError('the folder jiwen/ here, not the installed jiwen')\n", "utf-8")
    (clone / "jiwen" / "__main__.py").write_text("", "utf-8")
    archive = tmp_path / "archive"
    output = tmp_path / "schedule.out"
    with serve_site(SCHEDULE_SITE) as server:
        process = start_scheduler_in(
            clone, "--url", server.base_url + "/quick/", "--every", "10s", "--max-runs", "1", "--archive", str(archive), log_to=output
        )
        try:
            returncode = process.wait(timeout=240)
        finally:
            if process.poll() is None:
                process.kill()
    text = output.read_text("utf-8")
    assert returncode == 0, text
    assert "ImportError" not in text and "not the installed jiwen" not in text, text
    assert [run[1] for run in runs(archive)] == ["finished"], text
    assert article_count(archive) == 2


def _alive(pid: int) -> bool:
    """Running, not a zombie (an orphan's zombie waits for whoever reaps in this container)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


SLOW_ARTICLES = 40


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_a_crawl_does_not_outlive_a_scheduler_killed_with_sigkill(tmp_path, jiwen):
    from tests.crawler.test_resume_after_kill import bench_site_generator

    site = tmp_path / "site"
    site.mkdir()
    bench_site_generator()(site, SLOW_ARTICLES)
    # 3 s an article, two at a time: a crawl of a minute, which an orphan would see to its end.
    (site / "_routes.toml").write_text(
        "".join(f'[routes."/{path.relative_to(site)}"]\ndelay = 3.0\n' for path in site.rglob("t*.html")), "utf-8"
    )
    archive = tmp_path / "archive"
    output = tmp_path / "schedule.out"
    with serve_site(site) as server:
        process = schedule(archive, server.base_url + "/", "--every", "1h", log_to=output)
        try:
            wait_for(lambda: article_count(archive) >= 1, timeout=180, what="a stored article", process=process)
            crawl_pid = runs(archive)[0][2]
            assert crawl_pid != process.pid and _alive(crawl_pid)
            process.send_signal(signal.SIGKILL)
            process.wait()
            wait_for(lambda: not _alive(crawl_pid), timeout=120, what="the orphaned crawl to stop")
        finally:
            if process.poll() is None:
                process.kill()
        assert runs(archive)[0][1] == "interrupted"  # it stopped itself, gracefully, midway
        assert article_count(archive) < SLOW_ARTICLES
        # Nothing holds the lock: the next writer starts at once, and resumes the crawl.
        server.routes.clear()  # now without the delays
        result = jiwen("crawl", "--url", server.base_url + "/", "--archive", str(archive), "--no-throttle", timeout=600)
        assert result.returncode == 0, result.stderr[-2000:]
    assert [run[1] for run in runs(archive)] == ["interrupted", "finished"]
    assert article_count(archive) == SLOW_ARTICLES
    with Archive(archive, create=False) as opened:
        assert check(opened).consistent


def test_a_huge_every_is_one_line_not_an_overflow(tmp_path, jiwen):
    result = jiwen(
        "schedule", "--every", "99999999999999d", "--url", "http://127.0.0.1:9/", "--archive", str(tmp_path / "a"), "--max-runs", "1"
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip() == "jiwen: interval '99999999999999d' is longer than a year; use at most '366d'"
