"""Long commands draw a progress bar on stderr when it is a terminal, and print nothing extra
when it is not (a pipe, a file, a test's runner)."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "facts"


def run_on_terminal(*arguments: str) -> tuple[str, str]:
    """(stdout, what the terminal on stderr showed) of `jiwen ARGUMENTS`."""
    controller, terminal = pty.openpty()
    # A new pseudo-terminal is 0 columns wide, which tqdm fills with an empty bar.
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = dict(os.environ)
    process = subprocess.Popen(
        [sys.executable, "-m", "jiwen", *arguments], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal, env=env
    )
    os.close(terminal)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed with the process (EIO on Linux)
            break
        if not chunk:
            break
        shown += chunk
    stdout = process.stdout.read().decode("utf-8")
    process.wait(timeout=120)
    os.close(controller)
    assert process.returncode == 0, shown.decode("utf-8", "replace")
    return stdout, shown.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [str(path) for path in sorted(FIXTURES.glob("*.txt"))[:3]]


def test_ingest_reextract_reindex_and_export_draw_a_bar_on_a_terminal(tmp_path, texts):
    archive = str(tmp_path / "archive")
    stdout, shown = run_on_terminal("ingest", *texts, "--archive", archive, "--quiet")
    assert "ingest:" in shown and "file" in shown
    assert stdout == "3 new\n"  # the summary stays on stdout, without the bar
    _, shown = run_on_terminal("reextract", "--archive", archive, "--quiet")
    assert "reextract:" in shown and "page" in shown
    _, shown = run_on_terminal("reindex", "--archive", archive)
    assert "reindex:" in shown and "article" in shown
    _, shown = run_on_terminal("export", "--archive", archive, "--all", "-o", str(tmp_path / "out.jsonl"))
    assert "export:" in shown and "exported 3 articles" in shown


def test_without_a_terminal_nothing_extra_is_printed(tmp_path, texts):
    archive = str(tmp_path / "archive")
    done = subprocess.run(
        [sys.executable, "-m", "jiwen", "ingest", *texts, "--archive", archive, "--quiet"], capture_output=True, text=True, check=True
    )
    assert done.stderr == ""
    done = subprocess.run([sys.executable, "-m", "jiwen", "reindex", "--archive", archive], capture_output=True, text=True, check=True)
    assert done.stderr == "" and done.stdout == "indexed 3 articles\n"


def test_the_demo_draws_its_crawl_as_a_bar_of_pages_fetched():
    stdout, shown = run_on_terminal("demo", "--query", "就业")
    assert "crawl:" in shown and "page" in shown
    assert "crawl finished" in stdout and "crawl:" not in stdout
