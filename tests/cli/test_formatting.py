"""Page text never reaches a terminal raw: escape sequences (CSI, OSC incl. OSC 52, DCS), C0 and
C1 controls, DEL and bidi overrides are dropped from everything the CLI prints, and escaped in its
JSON, whatever command prints them."""

from __future__ import annotations

import json
import re

import pytest

from jiwen.core.terminal import terminal_safe, terminal_safe_json
from tests.conftest import invoke_jiwen

# What a terminal acts on: ESC, BEL, CSI/OSC/DCS/ST in their 8-bit forms, any C0 but \t \n, DEL, C1.
ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

TITLE = "就业工作会议\x1b]0;pwned-title\x07\x1b[2J召开\x9b2J\x85\u202e"
PARAGRAPH = "贵州省人力资源和社会保障厅召开就业工作会议，全省城镇新增就业38万人，农村劳动力转移就业12万人。"
BODY = (
    f"<p>{PARAGRAPH * 3}</p>"
    "<p>剪贴板\x1b]52;c;cHduZWQ=\x07测试\x90qdcs-payload\x9c完毕\x7f。春风行动帮助务工人员返岗就业。</p>"
    f"<p>{PARAGRAPH * 3}</p>"
)
PAGE = (
    f'<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body><h1>{TITLE}</h1><div class="content">{BODY}</div></body></html>'
)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x1b]0;window title\x07b", "ab"),
        ("a\x1b]0;window title\x1b\\b", "ab"),
        ("x\x1b[2Jy\x1b[1;31mz\x1b[0m", "xyz"),
        ("c\x1b]52;c;aGVsbG8=\x07d", "cd"),
        ("e\x9b2Jf\x9d0;t\x9cg", "efg"),
        ("C1\x85\x8d\x9f", "C1"),
        ("del\x7f", "del"),
        ("\u202eevil\u2066", "evil"),
        ("reset\x1bc", "reset"),
        ("unterminated\x1b]0;title", "unterminated"),
        ("tab\tand\nnewline\r", "tab and newline"),
        ("中文 ordinary text", "中文 ordinary text"),
    ],
)
def test_escape_sequences_and_controls_are_dropped_whole(text, shown):
    assert terminal_safe(text) == shown


def test_multiline_text_keeps_its_tabs_and_newlines():
    assert terminal_safe("a\tb\nc\x1b[2J", multiline=True) == "a\tb\nc"


def test_json_for_a_terminal_escapes_instead_of_dropping_and_decodes_to_the_same_text():
    value = {"title": "a\x85b\u202ec\x7f", "n": 1}
    shown = terminal_safe_json(json.dumps(value, ensure_ascii=False))
    assert not ACTIVE.search(shown)
    assert json.loads(shown) == value


@pytest.fixture
def jiwen():
    """In this process: what is printed does not depend on it (a pipe either way; the terminal
    case below runs in a real process on a real pty)."""
    return invoke_jiwen


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("terminal")
    page = folder / "evil.html"
    page.write_text(PAGE, "utf-8")
    bad = folder / "bad\x1b]0;name\x07.html"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    archive = folder / "archive"
    ingest = invoke_jiwen("ingest", str(page), str(bad), "--archive", str(archive))
    assert "1 new" in ingest.stdout, ingest.stdout + ingest.stderr
    return {"archive": archive, "page": page, "ingest": ingest}


def assert_terminal_safe(result, *, as_json: bool = False) -> None:
    """Nothing a terminal acts on; in text output not even the sequences' payloads (JSON keeps
    them, escaped, as data)."""
    for stream in (result.stdout, result.stderr):
        found = ACTIVE.search(stream)
        assert found is None, f"{found.group()!r} printed: {stream[max(found.start() - 40, 0) : found.end() + 40]!r}"
    if not as_json:
        assert "pwned" not in result.stdout + result.stderr
        assert "dcs-payload" not in result.stdout + result.stderr


def test_ingest_lines_and_error_lines_quoting_a_file_name_are_safe(hostile_archive):
    assert_terminal_safe(hostile_archive["ingest"])
    assert "就业工作会议召开" in hostile_archive["ingest"].stdout
    assert "jiwen: " in hostile_archive["ingest"].stderr  # the binary file's line, name cleaned


@pytest.mark.parametrize(
    "command",
    [
        ("search", "就业"),
        ("search", "剪贴板"),
        ("search", "就业", "--json"),
        ("search", "就业", "--facet", "site", "--facet", "month"),
        ("stats",),
        ("stats", "--json"),
        ("runs",),
        ("runs", "--json"),
    ],
)
def test_archive_commands_print_nothing_a_terminal_acts_on(hostile_archive, jiwen, command):
    result = jiwen(*command, "--archive", str(hostile_archive["archive"]))
    assert result.returncode == 0, result.stderr
    assert_terminal_safe(result, as_json="--json" in command)


def test_search_shows_the_title_without_its_escape_sequences(hostile_archive, jiwen):
    result = jiwen("search", "就业", "--archive", str(hostile_archive["archive"]))
    assert "就业工作会议召开" in result.stdout


@pytest.mark.parametrize("options", [(), ("--compact",), ("--no-facts",)])
def test_extract_json_is_escaped_losslessly(hostile_archive, jiwen, options):
    result = jiwen("extract", str(hostile_archive["page"]), *options)
    assert result.returncode == 0, result.stderr
    assert_terminal_safe(result, as_json=True)
    assert "\x1b" in json.loads(result.stdout)["title"]  # the data is kept, only its display is safe


@pytest.mark.parametrize("format_name", ["json", "jsonl", "facts-jsonl"])
def test_json_exports_escape_controls_losslessly(hostile_archive, jiwen, format_name):
    result = jiwen("export", "--format", format_name, "--archive", str(hostile_archive["archive"]))
    assert result.returncode == 0, result.stderr
    assert_terminal_safe(result, as_json=True)
    if format_name != "facts-jsonl":
        first = json.loads(result.stdout)[0] if format_name == "json" else json.loads(result.stdout.splitlines()[0])
        assert "\x1b" in first["title"]  # the data is kept, only its display is safe


def test_a_csv_export_on_a_terminal_is_cleaned_and_a_redirected_one_is_not(hostile_archive):
    import os
    import pty
    import subprocess
    import sys

    command = [sys.executable, "-m", "jiwen", "export", "--format", "csv", "--archive", str(hostile_archive["archive"])]
    redirected = subprocess.run(command, capture_output=True, timeout=300)
    assert redirected.returncode == 0, redirected.stderr
    assert b"\x1b]0;pwned-title" in redirected.stdout  # a file gets the text as archived
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other side closed
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=300) == 0
    os.close(leader)
    text = shown.decode("utf-8")
    assert "就业工作会议召开" in text
    found = ACTIVE.search(text.replace("\r", "").replace("\n", ""))
    assert found is None, repr(text[max(found.start() - 40, 0) : found.end() + 40])
    assert "pwned" not in text
