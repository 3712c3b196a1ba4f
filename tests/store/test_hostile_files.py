"""What is not a jiwen archive, and where an export must not write: read-only commands refuse a
foreign, empty, truncated or garbage store in one line without touching it, can read an archive
the user may not write, and `jiwen export -o` writes regular files only (jiwen/store/connection.py,
jiwen/library/export.py). The real CLI through Click's runner, in a real process where a user's
file permissions must bind it; real SQLite files."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from jiwen.index import ArchiveIndex
from tests.conftest import invoke_jiwen
from tests.schedule_support import SCHEDULE_SITE

ARTICLES = SCHEDULE_SITE / "news" / "202409"
READ_COMMANDS = (["stats"], ["search", "就业"], ["check"], ["export", "--format", "jsonl"], ["runs"])


def run_unprivileged(*args: str):
    """The CLI as a user whom file permissions bind: as root (CI), the same uid without any
    capability (setpriv drops CAP_DAC_OVERRIDE and the rest), so mode bits apply as to a user."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: file permissions cannot be made to apply")
        prefix = ["setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all"]
    return subprocess.run(
        [*prefix, sys.executable, "-c", "from jiwen.cli import main; main()", *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("small") / "archive"
    result = invoke_jiwen("ingest", str(ARTICLES), "--archive", str(directory), "-q")
    assert result.returncode == 0, result.stderr
    return directory


@pytest.fixture
def archive_copy(small_archive, tmp_path) -> Path:
    return Path(shutil.copytree(small_archive, tmp_path / "archive"))


def one_line_error(result) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jiwen: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_read_only_commands_refuse_a_foreign_sqlite_file_and_leave_it_unchanged(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    database = folder / "archive.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE customers (name TEXT)")
        connection.execute("INSERT INTO customers VALUES ('x')")
    before = digest(database)
    for command in READ_COMMANDS:
        line = one_line_error(invoke_jiwen(*command, "--archive", str(folder)))
        assert "not a usable jiwen archive" in line, (command, line)
    assert digest(database) == before
    assert sorted(path.name for path in folder.iterdir()) == ["archive.sqlite3"]  # no -wal, no -shm
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert [row[0] for row in connection.execute("SELECT name FROM sqlite_master")] == ["customers"]


def test_a_writer_refuses_a_foreign_sqlite_file_too(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    with sqlite3.connect(folder / "archive.sqlite3") as connection:
        connection.execute("CREATE TABLE customers (name TEXT)")
    line = one_line_error(invoke_jiwen("ingest", str(ARTICLES), "--archive", str(folder)))
    assert "not a usable jiwen archive" in line


def test_a_zero_byte_store_beside_an_intact_index_is_refused_and_check_never_advises_repair(archive_copy):
    with ArchiveIndex(archive_copy / "index") as index:
        indexed = len(index.ids())
    assert indexed == 10
    (archive_copy / "archive.sqlite3").write_bytes(b"")
    for name in ("archive.sqlite3-wal", "archive.sqlite3-shm"):
        (archive_copy / name).unlink(missing_ok=True)
    for command in READ_COMMANDS:
        line = one_line_error(invoke_jiwen(*command, "--archive", str(archive_copy)))
        assert "0 bytes" in line and "--repair" not in line, (command, line)
    line = one_line_error(invoke_jiwen("check", "--repair", "--archive", str(archive_copy)))
    assert "0 bytes" in line
    for command in (["reindex"], ["reextract"]):
        line = one_line_error(invoke_jiwen(*command, "--archive", str(archive_copy)))
        assert "0 bytes" in line, (command, line)
    assert (archive_copy / "archive.sqlite3").stat().st_size == 0
    with ArchiveIndex(archive_copy / "index") as index:
        assert len(index.ids()) == indexed  # the last copy of the text is untouched


def test_a_truncated_store_is_reported_as_damaged_in_one_line(archive_copy):
    database = archive_copy / "archive.sqlite3"
    invoke_jiwen("reindex", "--archive", str(archive_copy))  # a checkpoint: the pages are in the main file
    data = database.read_bytes()
    assert len(data) > 8192
    database.write_bytes(data[: len(data) // 2])
    for name in ("archive.sqlite3-wal", "archive.sqlite3-shm"):
        (archive_copy / name).unlink(missing_ok=True)
    for command in READ_COMMANDS:
        line = one_line_error(invoke_jiwen(*command, "--archive", str(archive_copy)))
        assert "truncated" in line or "damaged" in line, (command, line)


@pytest.mark.parametrize("content", [os.urandom(5000), b"hello, this is not a database\n" * 10, b"x"])
def test_garbage_in_place_of_the_store_is_refused_in_one_line(tmp_path, content):
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "archive.sqlite3").write_bytes(content)
    for command in READ_COMMANDS:
        line = one_line_error(invoke_jiwen(*command, "--archive", str(folder)))
        assert "not a usable jiwen archive" in line, (command, line)
    assert (folder / "archive.sqlite3").read_bytes() == content


def test_read_only_commands_do_not_create_the_wal_files_or_change_an_archive(archive_copy):
    invoke_jiwen("reindex", "--archive", str(archive_copy))
    for name in ("archive.sqlite3-wal", "archive.sqlite3-shm"):
        assert not (archive_copy / name).exists()
    before = digest(archive_copy / "archive.sqlite3")
    for command in READ_COMMANDS:
        result = invoke_jiwen(*command, "--archive", str(archive_copy))
        assert result.returncode == 0, (command, result.stderr)
    assert digest(archive_copy / "archive.sqlite3") == before


def test_an_archive_the_user_cannot_write_can_be_searched_and_read(small_archive):
    # Backup media or another user's archive: nothing in it may be written, so SQLite cannot
    # create the -shm file a reader of a WAL database needs.
    shared = Path(tempfile.mkdtemp(prefix="jiwen-readonly-"))
    try:
        archive = Path(shutil.copytree(small_archive, shared / "archive"))
        invoke_jiwen("reindex", "--archive", str(archive))  # checkpointed: no -wal file left
        for path in [archive, *archive.rglob("*")]:
            mode = 0o555 if path.is_dir() else 0o444
            os.chmod(path, mode)
        for command in READ_COMMANDS:
            result = run_unprivileged(*command, "--archive", str(archive))
            assert result.returncode == 0, (command, result.stderr)
            if command[0] == "check":
                assert "consistent" in result.stdout
        search = run_unprivileged("search", "就业", "--archive", str(archive), "--json")
        assert '"total":' in search.stdout and '"total":0' not in search.stdout
    finally:
        for path in [shared, *shared.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        shutil.rmtree(shared)


# -- export targets -------------------------------------------------------------------------


def export_to(archive: Path, target: Path):
    return invoke_jiwen("export", "--format", "jsonl", "--archive", str(archive), "-o", str(target))


def test_export_refuses_a_fifo_a_symlink_and_a_directory(archive_copy, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.jsonl"
    link.symlink_to(victim)
    for target, words in ((fifo, "not a regular file"), (link, "symbolic link")):
        line = one_line_error(export_to(archive_copy, target))
        assert words in line, line
    refused = export_to(archive_copy, folder)  # Click's own check: a usage error
    assert refused.returncode == 2 and "is a directory" in refused.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert folder.is_dir() and link.is_symlink() and victim.read_text() == "keep me"
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".tmp")]


def test_export_refuses_a_device_node(archive_copy, tmp_path):
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("creating a device node needs root (CI runs as root)")
    line = one_line_error(export_to(archive_copy, device))
    assert "not a regular file" in line
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_export_keeps_an_existing_files_mode(archive_copy, tmp_path):
    target = tmp_path / "export.jsonl"
    target.write_text("old")
    os.chmod(target, 0o644)
    result = export_to(archive_copy, target)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert target.read_text().count("\n") >= 1 and target.read_text() != "old"


def test_export_to_a_missing_or_read_only_folder_gives_one_line(small_archive, tmp_path):
    line = one_line_error(export_to(small_archive, tmp_path / "missing" / "x.jsonl"))
    assert "does not exist" in line
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    target = locked / "x.jsonl"
    line = one_line_error(run_unprivileged("export", "--archive", str(small_archive), "-o", str(target)))
    assert "Permission denied" in line and str(locked) in line


def test_temporary_files_of_killed_exports_are_removed_by_the_next_export(archive_copy, tmp_path):
    dead_pid = 2**22 + 12345  # above pid_max's default: never a live process
    stale = tmp_path / f".jiwen-write-{dead_pid}.abcd.tmp"
    stale.write_bytes(b"x" * 1000)
    alive = tmp_path / f".jiwen-write-{os.getpid()}.efgh.tmp"
    alive.write_bytes(b"y")
    result = export_to(archive_copy, tmp_path / "export.jsonl")
    assert result.returncode == 0, result.stderr
    assert not stale.exists()
    assert alive.exists()  # a running export's file is left alone
