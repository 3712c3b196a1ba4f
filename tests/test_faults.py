"""Faults a user meets after months of leaving jiwen running: archives of realistic size with
thousands of articles waiting for the index, `kill -9` at random moments of every writer, devices,
FIFOs and huge files given as input, unreadable folders, a full disk, two writers at once, readers
during a write. Real CLI in real processes on real stores and indexes (checks of the result, and
the references killed runs are compared with, run in this process); the archives of 400 and
2,000 articles are generated once into a cache (tests/archive_support.py)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiwen.demo.server import serve_site
from jiwen.index import ArchiveIndex
from jiwen.store import Archive
from tests.archive_support import page_html, realistic_archive
from tests.conftest import invoke_jiwen, run_jiwen
from tests.schedule_support import SCHEDULE_SITE, query, start_jiwen, wait_for

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from synthetic import generate_articles

KILL_POINTS = 10


# -- helpers ----------------------------------------------------------------------------------


def write_pages(folder: Path, count: int, start: int = 50_000) -> Path:
    """`count` article pages as files, as a user's download folder holds them."""
    folder.mkdir(parents=True, exist_ok=True)
    for generated in generate_articles(count, start=start):
        (folder / f"{generated.id}.html").write_bytes(page_html(generated.title, generated.published, generated.body))
    return folder


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kill_at_random(args: list[str], log: Path, rng: random.Random, latest: float) -> set[int]:
    """Start `jiwen ARGS`, SIGKILL it after a random delay (or let it end); returns the processes
    it had started that were alive at the kill."""
    process = start_jiwen(*args, log_to=log)
    deadline = time.monotonic() + rng.uniform(0.3, latest)
    children: set[int] = set()
    while time.monotonic() < deadline and process.poll() is None:
        children |= descendants(process.pid)
        time.sleep(0.05)
    children |= descendants(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return children


def assert_no_orphans(children: set[int]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in children):
        time.sleep(0.1)
    left = [pid for pid in children if alive(pid)]
    assert not left, f"processes outlived the killed writer: {left}"


def assert_consistent(archive: Path) -> None:
    result = invoke_jiwen("check", "--archive", str(archive))
    assert result.returncode == 0 and "consistent" in result.stdout, (result.stdout, result.stderr)


def article_set(archive: Path) -> set[tuple[str, str]]:
    with Archive(archive, read_only=True) as store:
        return {(article.id, article.title or "") for article in store.iter_articles()}


def temporaries(folder: Path) -> list[str]:
    return sorted(
        str(path.relative_to(folder)) for path in folder.rglob("*")
        if ".tmp" in path.name or ".rebuild-" in path.name or ".old-" in path.name
    )  # fmt: skip


def assert_next_writer_starts_at_once(archive: Path, tmp_path: Path) -> None:
    page = write_pages(tmp_path / "one", 1, start=90_000)
    result = invoke_jiwen("ingest", str(page), "--archive", str(archive), "-q")
    assert result.returncode == 0, result.stderr
    assert "locked" not in result.stderr and "being written" not in result.stderr


# -- realistic size: the background indexer at 1,000+ waiting articles --------------------------


def test_an_ingest_finishes_and_indexes_everything_with_a_thousand_articles_waiting(tmp_path):
    archive = realistic_archive(tmp_path / "archive", 2000)
    with Archive(archive) as store:
        ids = sorted(store.article_ids())
        store.mark_all_unindexed()
        store.mark_indexed(ids[:800])  # 1,200 waiting, as a few killed crawls leave them
        assert len(store.pending_index()[0]) == 1200
    pages = write_pages(tmp_path / "pages", 50)
    result = run_jiwen("ingest", str(pages), "--archive", str(archive), "-q", timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "daemonic" not in result.stderr and "failed" not in result.stderr
    with Archive(archive, read_only=True) as store:
        assert store.pending_index() == ([], [])
    with ArchiveIndex(archive / "index") as index:
        assert len(index.ids()) == 2050
    assert_consistent(archive)


def test_reextract_of_four_hundred_articles_finishes_while_the_indexer_commits(tmp_path):
    archive = realistic_archive(tmp_path / "archive", 400)
    with sqlite3.connect(archive / "archive.sqlite3") as db:  # every article to be rewritten and indexed again
        db.execute("UPDATE articles SET title = 'stale'")
    result = run_jiwen("reextract", "--archive", str(archive), "-q", timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "database is locked" not in result.stderr
    assert "400" in result.stdout or "updated" in result.stdout, result.stdout
    assert "unchanged" not in result.stdout, result.stdout
    assert_consistent(archive)


# -- kill -9 ------------------------------------------------------------------------------------


def test_killing_a_parallel_reindex_leaves_no_worker_no_lock_and_no_rebuild_folder(tmp_path):
    archive = realistic_archive(tmp_path / "archive", 2000)
    rng = random.Random(12)
    workers_seen = False
    for attempt in range(3):
        process = start_jiwen("reindex", "--archive", str(archive), log_to=tmp_path / f"reindex{attempt}.log")
        children: set[int] = set()
        deadline = time.monotonic() + 120
        # Kill once Whoosh's parallel writer has forked its workers (children of the reindex).
        while time.monotonic() < deadline and process.poll() is None and not children:
            children = descendants(process.pid)
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.0))
        children |= descendants(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait()
        workers_seen |= bool(children)
        assert_no_orphans(children)
    assert workers_seen, "the reindex never started Whoosh's worker processes"
    assert_next_writer_starts_at_once(archive, tmp_path)
    assert temporaries(archive.parent) == []
    result = run_jiwen("reindex", "--archive", str(archive), timeout=900)
    assert result.returncode == 0, result.stderr
    assert_consistent(archive)


def test_kill_loops_over_every_writer_end_with_the_uninterrupted_archive(tmp_path):
    """At least ten random kill points each of ingest, crawl, reindex, reextract and export, then a
    rerun: the same article set as an uninterrupted run, `check` consistent, the next writer
    starting at once, no process left over, no temporary file or folder left."""
    rng = random.Random(20261201)
    pages = write_pages(tmp_path / "pages", 60)
    reference = tmp_path / "reference"
    assert invoke_jiwen("ingest", str(pages), "--archive", str(reference), "-q").returncode == 0

    # ingest
    archive = tmp_path / "ingested"
    for _point in range(KILL_POINTS):
        children = kill_at_random(["ingest", str(pages), "--archive", str(archive), "-q"], tmp_path / "k.log", rng, 8.0)
        assert_no_orphans(children)
    assert run_jiwen("ingest", str(pages), "--archive", str(archive), "-q").returncode == 0
    assert article_set(archive) == article_set(reference)
    assert_consistent(archive)

    # reindex, reextract and export, over the same archive
    for args, latest in (
        (["reindex", "--archive", str(archive)], 6.0),
        (["reextract", "--archive", str(archive), "-q"], 10.0),
        (["export", "--archive", str(archive), "--format", "json", "-o", str(tmp_path / "out" / "all.json")], 3.0),
    ):
        (tmp_path / "out").mkdir(exist_ok=True)
        for _point in range(KILL_POINTS):
            children = kill_at_random(args, tmp_path / "k.log", rng, latest)
            assert_no_orphans(children)
        result = run_jiwen(*args, timeout=600)
        assert result.returncode == 0, (args, result.stderr)
        assert article_set(archive) == article_set(reference), args
        assert_consistent(archive)
        assert temporaries(tmp_path / "out") == [] and temporaries(tmp_path) == [], args
    assert_next_writer_starts_at_once(archive, tmp_path)

    # crawl
    crawled, crawl_reference = tmp_path / "crawled", tmp_path / "crawl-reference"
    with serve_site(SCHEDULE_SITE) as server:
        url = server.base_url + "/"
        crawl = ["crawl", "--url", url, "--no-throttle", "--archive"]
        assert run_jiwen(*crawl, str(crawl_reference), timeout=600).returncode == 0
        for _point in range(KILL_POINTS):
            children = kill_at_random([*crawl, str(crawled)], tmp_path / "k.log", rng, 8.0)
            assert_no_orphans(children)
        result = run_jiwen(*crawl, str(crawled), timeout=600)
        assert result.returncode == 0, result.stderr[-2000:]
    assert {i for i, _ in article_set(crawled)} == {i for i, _ in article_set(crawl_reference)}
    assert_consistent(crawled)


# -- two writers, readers during a write ---------------------------------------------------------


def test_a_second_writer_is_refused_in_one_line_and_readers_run_during_a_write(tmp_path):
    archive = realistic_archive(tmp_path / "archive", 400)
    pages = write_pages(tmp_path / "pages", 60)
    writer = start_jiwen("ingest", str(pages), "--archive", str(archive), "-q", log_to=tmp_path / "w.log")
    try:
        deadline = time.monotonic() + 60
        lock = archive / "writer.lock"
        while time.monotonic() < deadline and not (lock.exists() and lock.read_text()):
            time.sleep(0.05)
        second = run_jiwen("ingest", str(pages), "--archive", str(archive))
        assert second.returncode == 1 and "is locked by" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
        readers = [
            subprocess.Popen(
                [sys.executable, "-c", "from jiwen.cli import main; main()", *command, "--archive", str(archive)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for command in (
                ["search", "就业"],
                ["stats"],
                ["search", "培训", "--json"],
                ["runs"],
                ["export", "-o", str(tmp_path / "e.jsonl")],
            )
        ]
        for reader in readers:
            _, error = reader.communicate(timeout=300)
            assert reader.returncode == 0, error
    finally:
        writer.wait(timeout=900)
    assert writer.returncode == 0, (tmp_path / "w.log").read_text()[-2000:]
    assert_consistent(archive)


# -- hostile input ------------------------------------------------------------------------------


def one_line(result) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jiwen: ") and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_extract_refuses_a_device_at_once(device):
    line = one_line(run_jiwen("extract", device, timeout=60))
    assert "not a regular file" in line


def test_extract_and_ingest_refuse_a_fifo_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "page.html"
    os.mkfifo(fifo)
    assert "not a regular file" in one_line(run_jiwen("extract", str(fifo), timeout=60))
    assert "not a regular file" in one_line(run_jiwen("ingest", str(fifo), "--archive", str(tmp_path / "a"), timeout=60))


def test_a_file_larger_than_the_cap_is_refused_without_reading_it_all(tmp_path):
    huge = tmp_path / "huge.html"
    with open(huge, "wb") as handle:
        handle.truncate(2 * 1024**3)  # 2 GB, sparse
    line = one_line(run_jiwen("extract", str(huge), timeout=120))
    assert "larger than the 50 MB limit" in line


def test_a_symlink_into_dev_zero_is_refused(tmp_path):
    link = tmp_path / "zero.html"
    link.symlink_to("/dev/zero")
    assert "not a regular file" in one_line(run_jiwen("ingest", str(link), "--archive", str(tmp_path / "a"), timeout=60))


def test_a_symlink_loop_is_reported_as_a_loop(tmp_path):
    (tmp_path / "a.html").symlink_to(tmp_path / "b.html")
    (tmp_path / "b.html").symlink_to(tmp_path / "a.html")
    assert "symbolic link loop" in one_line(run_jiwen("ingest", str(tmp_path / "a.html"), "--archive", str(tmp_path / "x")))
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "c.html").symlink_to(folder / "c.html")
    write_pages(folder, 1)
    result = run_jiwen("ingest", str(folder), "--archive", str(tmp_path / "x"), "-q")
    assert result.returncode == 1
    assert f"jiwen: {folder / 'c.html'}: a symbolic link loop" in result.stderr
    assert "1 new" in result.stdout


def run_unprivileged(*args: str):
    from tests.store.test_hostile_files import run_unprivileged as run

    return run(*args)


def test_permission_denied_paths_and_unlistable_folders_are_reported_not_skipped(tmp_path):
    closed = tmp_path / "closed"
    write_pages(closed, 1)
    os.chmod(closed, 0o000)
    folder = tmp_path / "folder"
    write_pages(folder, 2)
    hidden = folder / "sub"
    write_pages(hidden, 1, start=70_000)
    os.chmod(hidden, 0o000)
    unreadable = folder / "secret.html"
    unreadable.write_text("<html></html>")
    os.chmod(unreadable, 0o000)
    archive = tmp_path / "archive"
    try:
        named = next(closed.iterdir()) if os.geteuid() == 0 else closed / "a0050000.html"
        line = one_line(run_unprivileged("ingest", str(named), "--archive", str(archive)))
        assert "permission denied" in line.lower()
        result = run_unprivileged("ingest", str(folder), "--archive", str(archive), "-q")
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert f"jiwen: {hidden}: cannot list this folder" in result.stderr
        assert f"jiwen: {unreadable}: cannot open: Permission denied" in result.stderr
        assert "2 new" in result.stdout
    finally:
        os.chmod(closed, 0o755)
        os.chmod(hidden, 0o755)


# -- disk full ----------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a tmpfs mount needs root (CI runs as root)")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(mount_point)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_disk_gives_one_line_and_the_archive_catches_up_once_space_is_freed(small_disk, tmp_path):
    archive = small_disk / "archive"
    pages = write_pages(tmp_path / "pages", 120)
    result = run_jiwen("ingest", str(pages), "--archive", str(archive), "-q", timeout=600)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "space" in result.stderr or "full" in result.stderr, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("jiwen: ")]
    assert len(errors) == 1, result.stderr[-2000:]
    # Completely full now: even the lock file cannot be written.
    filler = small_disk / "filler"
    try:
        with open(filler, "wb") as handle:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
    except OSError:
        pass
    again = run_jiwen("ingest", str(pages), "--archive", str(archive), "-q", timeout=600)
    assert again.returncode == 1 and "Traceback" not in again.stderr, again.stderr[-3000:]
    # Space is freed: the archive takes the rest and agrees with its index.
    filler.unlink(missing_ok=True)
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    final = run_jiwen("ingest", str(pages), "--archive", str(archive), "-q", timeout=600)
    assert final.returncode == 0, final.stderr[-2000:]
    assert_consistent(archive)
    with Archive(archive, read_only=True) as store:
        assert store.stats()["articles"] == 120


def test_the_folder_of_a_killed_rebuild_is_removed_by_the_next_writer_even_with_nothing_to_index(tmp_path):
    pages = write_pages(tmp_path / "pages", 2)
    archive = tmp_path / "archive"
    assert run_jiwen("ingest", str(pages), "--archive", str(archive), "-q").returncode == 0
    dead_pid = 2**22 + 4321  # above pid_max's default: never a live process
    stale = archive / f".index.rebuild-{dead_pid}"
    shutil.copytree(archive / "index", stale)
    running = archive / f".index.rebuild-{os.getpid()}"  # a live rebuild's folder is left alone
    running.mkdir()
    result = run_jiwen("ingest", str(pages), "--archive", str(archive), "-q")  # nothing new
    assert result.returncode == 0, result.stderr
    assert not stale.exists()
    assert running.exists()


@pytest.mark.parametrize("settler", [("reindex",), ("check", "--repair")])
def test_a_killed_reextract_is_settled_as_killed_by_reindex_and_by_check_repair(tmp_path, settler):
    archive = realistic_archive(tmp_path / "archive", 400)
    process = start_jiwen("reextract", "--archive", str(archive), "-q", log_to=tmp_path / "reextract.log")
    running = "SELECT id FROM runs WHERE outcome = 'running' AND pid = ?"
    wait_for(lambda: query(archive, running, process.pid), timeout=120, what="the reextract's run", process=process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    result = run_jiwen(*settler, "--archive", str(archive), timeout=600)
    assert result.returncode == 0, result.stderr
    outcomes = query(archive, "SELECT outcome, finished_at IS NOT NULL FROM runs WHERE pid = ?", process.pid)
    assert outcomes == [("killed", 1)]
    assert "RUNNING" not in run_jiwen("runs", "--archive", str(archive)).stdout.upper()
