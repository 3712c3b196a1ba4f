"""`jiwen schedule`: crawl each site at its interval, in the foreground, until SIGINT/SIGTERM.

APScheduler decides when; each crawl is its own `python -P -m jiwen crawl` process, because
Scrapy's Twisted reactor cannot be started twice in one process. -P keeps the current folder off
sys.path: started from a clone (a folder holding a `jiwen/` folder), `-m jiwen` would import that
folder instead of the installed package. The crawl watches its parent (JIWEN_SCHEDULER_PID): if
the scheduler dies without stopping it (kill -9 outside systemd), the crawl stops itself the
graceful way instead of running on as an orphan that holds the archive's lock.

Crawls run one at a time (one worker thread): they all write to the one archive. A site whose
previous crawl is still running or waiting when its next turn comes is skipped for that turn
(max_instances=1, coalesce), and turns missed while the machine slept are run once, late, rather
than dropped or repeated.

Stopping: the first SIGINT/SIGTERM is passed on to the running crawl (as SIGINT, see
CrawlRunner.stop), which Scrapy ends gracefully: in-flight pages are stored, the job state is kept
for the next run to resume. The scheduler waits for it and exits 0. A further signal is passed on
too, which makes Scrapy stop at once; the archive stays consistent either way (see jiwen/store/).

Reloading: SIGHUP reads sites.toml again and changes the schedule to match (sites added, removed,
enabled, disabled, or given another interval); a file with an error is logged and the schedule
stays as it was. Each crawl reads its site's settings afresh anyway, so SIGHUP is only needed for
what decides *when* to crawl.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from jiwen.core.durations import duration_seconds
from jiwen.core.errors import ArchiveError, ConfigError
from jiwen.core.lock import LOCKED_PHRASE
from jiwen.core.logs import NO_LOG_FILE_ENV, setup_logging
from jiwen.library.timetable import CrawlTarget, first_run_time, trigger_for
from jiwen.store import Archive

log = logging.getLogger(__name__)

# Set in a scheduled crawl's environment: the scheduler's pid, which the crawl watches.
SCHEDULER_PID_ENV = "JIWEN_SCHEDULER_PID"
# How often an orphan check runs, and how long a stop may take before the next, harder one.
PARENT_POLL_SECONDS = 1.0
ORPHAN_STOP_GRACE_SECONDS = 60.0
# The main thread wakes this often to run signal handlers (see run_schedule).
SIGNAL_CHECK_SECONDS = 0.5
DEFAULT_URL_INTERVAL = "6h"
# Sites below this are crawled impolitely often; allowed for --every (tests, your own server).
POLITE_INTERVAL_SECONDS = 600
# A crawl prints a progress line every few seconds; the log keeps one a minute.
PROGRESS_LOG_SECONDS = 60.0
# `jiwen` exits with this after a KeyboardInterrupt (jiwen/cli.py), 128 + SIGINT by convention.
INTERRUPTED_EXIT = 130


def scheduled_targets(site_names: list[str], urls: list[str], every: str | None) -> list[CrawlTarget]:
    """The named sites (or, with neither names nor URLs, every enabled site) and the URLs."""
    from jiwen.crawler.sites import find_site, load_sites, site_for_url

    targets: list[CrawlTarget] = []
    if site_names or not urls:
        sites = load_sites()
        chosen = [find_site(sites, name) for name in site_names] if site_names else [s for s in sites if s.enabled]
        targets += [CrawlTarget(site.name, ("--site", site.name), every or site.interval) for site in chosen]
    for url in urls:
        targets.append(CrawlTarget(site_for_url(url).name, ("--url", url), every or DEFAULT_URL_INTERVAL))
    if not targets:
        raise ConfigError("nothing to schedule: every site in sites.toml is disabled; name a --site or a --url")
    names = [target.name for target in targets]
    for name in names:
        if names.count(name) > 1:
            # One job (and one Scrapy job folder) per name: two of them would crawl into each other.
            raise ConfigError(f"{name!r} is scheduled twice (a --site and a --url, or two URLs on one host); name it once")
    for target in targets:
        trigger_for(target.interval)  # fail on a bad interval before anything runs
    return targets


class CrawlRunner:
    """Runs one `jiwen crawl` process at a time and relays its output to the log; knows the
    running process so a stop signal can be forwarded to it."""

    def __init__(self, archive_dir: Path, *, max_runs: int | None, on_done: Callable[[], None], render: str | None = None) -> None:
        self.archive_dir = archive_dir
        self.render = render  # --render for every crawl (the crawl's own option, passed on)
        self.max_runs = max_runs
        self.on_done = on_done
        self.runs = 0
        self.stopping = False
        self.idle = threading.Event()
        self.idle.set()
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def crawl(self, target: CrawlTarget) -> None:
        with self._lock:
            if self.stopping:
                return  # a turn queued behind the crawl that was running when the stop came
            self.idle.clear()
            command = [sys.executable, "-P", "-m", "jiwen", "crawl", "--archive", str(self.archive_dir), *target.crawl_arguments]
            if self.render:
                command += ["--render", self.render]
            log.info("crawl %s: starting", target.name)
            # Its own process group: a Ctrl-C in the terminal reaches only the scheduler, which
            # forwards it once; Scrapy would take a second copy as "stop now, unclean".
            try:
                self._process = subprocess.Popen(
                    command,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    encoding="utf-8",
                    errors="replace",
                    # UTF-8 whatever the service's locale: crawl output carries Chinese titles.
                    env={
                        **os.environ,
                        NO_LOG_FILE_ENV: "1",
                        "PYTHONUNBUFFERED": "1",
                        "PYTHONIOENCODING": "utf-8",
                        SCHEDULER_PID_ENV: str(os.getpid()),
                    },
                    process_group=0,
                )
            except OSError as error:
                self.idle.set()
                log.error("crawl %s: cannot start %s: %s", target.name, sys.executable, error)
                return
        try:
            process = self._process
            lines = self._relay_output(target, process)
            returncode = process.wait()
            self._report(target, process.pid, returncode, lines)
        finally:
            with self._lock:
                self._process = None
                self.runs += 1
                finished_all = self.max_runs is not None and self.runs >= self.max_runs
                if finished_all:
                    self.stopping = True
                self.idle.set()
            if finished_all:
                log.info("stopping after %d crawl runs (--max-runs)", self.runs)
                self.on_done()

    def stop(self, *, signal_crawl: bool) -> None:
        """No new crawls; with `signal_crawl`, ask the running one (if any) to stop.

        The crawl always gets SIGINT, whichever signal the scheduler got: once Scrapy runs, both
        mean the same graceful stop, but in the seconds before (imports, loading dictionaries)
        SIGTERM would kill the process outright, while SIGINT ends it through Python's
        KeyboardInterrupt, closing its run record and index batch on the way out."""
        with self._lock:
            self.stopping = True
            process = self._process
            if process is not None and signal_crawl and process.poll() is None:
                log.info("crawl pid %d: asking it to stop (SIGINT); waiting for it", process.pid)
                process.send_signal(signal.SIGINT)

    def _relay_output(self, target: CrawlTarget, process: subprocess.Popen) -> list[str]:
        lines: list[str] = []
        last_progress = 0.0
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.rstrip()
            if not line:
                continue
            lines.append(line)
            del lines[:-50]
            if line.startswith("crawl ") and "pages fetched" in line:
                # Progress: a line every few seconds on a terminal, one a minute in the log.
                if time.monotonic() - last_progress >= PROGRESS_LOG_SECONDS or ": done," in line:
                    last_progress = time.monotonic()
                    log.info("%s", line)
            elif line.startswith(("crawl finished:", "  ")):
                log.debug("crawl %s: %s", target.name, line)  # the run's report, summarised below
            else:
                log.info("crawl %s: %s", target.name, line)
        return lines

    def _report(self, target: CrawlTarget, pid: int, returncode: int, lines: list[str]) -> None:
        if returncode == 1 and any(LOCKED_PHRASE in line for line in lines):
            reason = next(line for line in lines if LOCKED_PHRASE in line).removeprefix("jiwen: ")
            log.info("crawl %s: skipped, %s", target.name, reason)
            return
        run = self._run_of(pid)
        if returncode in (INTERRUPTED_EXIT, -signal.SIGINT) or (self.stopping and returncode and run is None):
            # A stop that came before Scrapy took over the signals (while Python or jiwen was
            # loading; in the interpreter's first milliseconds it even prints a traceback).
            where = f" (run {run['id']}: {run['outcome']})" if run else " before it began crawling"
            log.info("crawl %s: stopped%s", target.name, where)
        elif returncode < 0:
            log.warning("crawl %s: killed by %s; the next run resumes it", target.name, signal.Signals(-returncode).name)
        elif run is None:
            last = lines[-1] if lines else "no output"
            log.error("crawl %s: failed (exit %d) before it started: %s", target.name, returncode, last)
        else:
            log.log(
                logging.INFO if run["outcome"] == "finished" else logging.WARNING,
                "crawl %s: %s (run %d): %s",
                target.name,
                run["outcome"],
                run["id"],
                summarize_report(run["report"]),
            )

    def _run_of(self, pid: int) -> dict | None:
        try:
            with Archive(self.archive_dir, create=False) as archive:
                if not (runs := [run for run in archive.runs(20) if run["pid"] == pid]):
                    return None
                if runs[0]["outcome"] == "running":
                    archive.mark_abandoned_runs()  # the crawl died without closing its run
                    runs = [run for run in archive.runs(20) if run["pid"] == pid]
                return runs[0]
        except ArchiveError:
            return None


def stop_when_orphaned(parent_pid: int) -> None:
    """In a scheduled crawl: once the scheduler that started it is gone (its parent pid changes),
    stop as a Ctrl-C would (the job state is kept, the run closed, the lock released); a second
    SIGINT makes Scrapy stop at once, and a crawl still running after that is killed.

    A polling thread rather than prctl(PR_SET_PDEATHSIG): Linux sends that signal when the
    *thread* that started the child ends, and the scheduler starts crawls from a pool thread."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_POLL_SECONDS)
        log.warning("the scheduler (pid %d) is gone; stopping this crawl", parent_pid)
        for stop in (signal.SIGINT, signal.SIGINT, signal.SIGKILL):
            os.kill(os.getpid(), stop)
            time.sleep(ORPHAN_STOP_GRACE_SECONDS)

    threading.Thread(target=watch, name="jiwen-scheduler-watch", daemon=True).start()


def summarize_report(report: dict) -> str:
    parts = [
        f"{report.get('pages_fetched', 0)} pages",
        f"{report.get('new', 0)} new articles",
        f"{report.get('updated', 0)} updated",
        f"{sum((report.get('errors') or {}).values())} errors",
        f"{report.get('elapsed_seconds', 0)}s",
    ]
    return ", ".join(parts)


def run_schedule(
    archive_dir: Path,
    *,
    site_names: list[str],
    urls: list[str],
    every: str | None,
    max_runs: int | None,
    echo,
    now: bool = False,
    render: str | None = None,
) -> None:
    """Crawl the sites at their intervals until SIGINT/SIGTERM (or `max_runs` crawls); returns
    normally on a clean stop. `echo` receives the one line saying where the log goes; `render`
    ("auto", "browser", "http") is every crawl's --render (default: each site's `render`)."""
    archive_dir = Path(archive_dir)
    targets = scheduled_targets(site_names, urls, every)
    log_path = setup_logging(archive_dir)
    if log_path is not None:
        echo(f"jiwen schedule: logging to {log_path}")
    stop_requested = threading.Event()
    runner = CrawlRunner(archive_dir, max_runs=max_runs, on_done=stop_requested.set, render=render)
    signals_received: list[int] = []

    def on_signal(signal_number: int, frame) -> None:
        # Only record it: the main thread acts on it, outside the handler.
        signals_received.append(signal_number)
        stop_requested.set()

    reload_requested = threading.Event()

    def on_reload(signal_number: int, frame) -> None:
        reload_requested.set()
        stop_requested.set()  # wakes the main thread, which tells the two apart

    previous_handlers = {number: signal.signal(number, on_signal) for number in (signal.SIGINT, signal.SIGTERM)}
    if hasattr(signal, "SIGHUP"):
        previous_handlers[signal.SIGHUP] = signal.signal(signal.SIGHUP, on_reload)
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    scheduler.add_listener(_log_job_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR)
    try:
        scheduled = _apply_schedule(scheduler, runner, archive_dir, {}, targets, at_once=now)
        scheduler.start()
        while True:
            # With a timeout, not a bare wait(): the kernel may deliver SIGTERM to any thread (the
            # crawl's Popen thread, APScheduler's), and Python runs the handler only when the main
            # thread next runs bytecode; blocked in a bare wait(), it never would (seen once: a
            # scheduler that ignored its SIGTERM for good).
            if not stop_requested.wait(SIGNAL_CHECK_SECONDS):
                continue
            stop_requested.clear()  # before looking: a signal that comes after sets it again
            if signals_received or runner.stopping:
                break
            if reload_requested.is_set():
                reload_requested.clear()
                scheduled = _reload(scheduler, runner, archive_dir, scheduled, site_names, urls, every)
        handled = len(signals_received)
        if handled:
            log.info("received %s; stopping", signal.Signals(signals_received[0]).name)
        runner.stop(signal_crawl=bool(handled))
        scheduler.pause()
        while not runner.idle.wait(0.2):
            if len(signals_received) > handled:  # impatient: a second SIGINT makes Scrapy stop at once
                runner.stop(signal_crawl=True)
                handled = len(signals_received)
        scheduler.shutdown(wait=True)
        log.info("scheduler stopped after %d crawl runs", runner.runs)
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        for number, handler in previous_handlers.items():
            signal.signal(number, handler)


def _apply_schedule(
    scheduler: BackgroundScheduler,
    runner: CrawlRunner,
    archive_dir: Path,
    scheduled: dict[str, CrawlTarget],
    targets: list[CrawlTarget],
    at_once: bool = False,
) -> dict[str, CrawlTarget]:
    """Make the scheduler's jobs match `targets`: new ones added, gone ones removed, changed
    ones re-added (a job's next run comes from the runs table, so nothing is crawled early,
    unless `at_once`: `jiwen schedule --now` crawls every target first, then keeps the intervals)."""
    wanted = {target.name: target for target in targets}
    for name, old in scheduled.items():
        if wanted.get(name) != old:
            scheduler.remove_job(name)
            if name not in wanted:
                log.info("unscheduled crawl %s", name)
    for name, target in wanted.items():
        if scheduled.get(name) == target:
            continue
        trigger = trigger_for(target.interval)
        first = datetime.now().astimezone() if at_once else first_run_time(archive_dir, target, trigger)
        if (seconds := duration_seconds(target.interval)) is not None and seconds < POLITE_INTERVAL_SECONDS:
            log.warning("crawl %s every %s: fine for your own server, too often for a public site", target.name, target.interval)
        scheduler.add_job(runner.crawl, trigger, args=[target], id=name, name=name, next_run_time=first)
        log.info("scheduled crawl %s every %s; first run %s", name, target.interval, _local(first))
    return wanted


def _reload(scheduler, runner, archive_dir, scheduled, site_names, urls, every) -> dict[str, CrawlTarget]:
    try:
        targets = scheduled_targets(site_names, urls, every)
    except ConfigError as error:
        log.error("received SIGHUP; sites not reloaded, the schedule stays as it was: %s", error)
        return scheduled
    log.info("received SIGHUP; sites reloaded")
    return _apply_schedule(scheduler, runner, archive_dir, scheduled, targets)


def _log_job_event(event: JobExecutionEvent) -> None:
    if event.code == EVENT_JOB_MAX_INSTANCES:
        log.info("crawl %s: its previous run is still running or waiting; this turn is skipped", event.job_id)
    elif event.exception is not None:
        log.error("crawl %s: the scheduler's job failed: %r\n%s", event.job_id, event.exception, event.traceback)


def _local(moment: datetime) -> str:
    return moment.astimezone().isoformat(timespec="seconds")
