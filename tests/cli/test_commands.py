"""The `jiwen` command: exit codes, one-line errors, the seed end to end. Through Click's runner in
this process (`jiwen`: dictionaries load once a session, not once a call), and in a real process
where the process is the point: a usage error's exit code, an ingest killed with SIGKILL, the seed
as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiwen.store.connection import now_utc
from tests.conftest import invoke_jiwen, run_jiwen, schema_validator

ARTICLE_TEMPLATE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{county}组织{count}名农村劳动力外出务工_就业动态</title></head>
<body>
<div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a> <a href="/jobs/">就业</a></div>
<h1>{county}组织{count}名农村劳动力外出务工</h1>
<div class="info">发布时间：2023-11-{day:02d} 09:30  来源：{province}人力资源和社会保障厅</div>
<div class="article">
<p>日前，{province}{county}通过“点对点”专车组织{count}名农村劳动力赴广东、浙江等地务工，这是该县今年开展“春风行动”以来输送的第{batch}批务工人员。</p>
<p>据了解，{county}今年已累计实现农村劳动力转移就业{total}万人，发放一次性交通补贴{money}万元，惠及脱贫劳动力{people}人。县人社局相关负责人表示，将继续做好稳岗就业服务，确保务工人员“出得去、稳得住”。</p>
<p>下一步，{county}还将开展订单式技能培训，预计培训{trained}人次，帮助更多群众实现家门口就业。</p>
</div>
<div class="footer">版权所有：{province}人力资源和社会保障厅 备案号：黔ICP备00000000号</div>
</body></html>
"""

PLACES = [("贵州省", "从江县"), ("贵州省", "榕江县"), ("四川省", "苍溪县"), ("云南省", "镇雄县"), ("广西壮族自治区", "都安瑶族自治县")]


@pytest.fixture
def jiwen():
    return invoke_jiwen


def write_articles(folder: Path, count: int, start: int = 0) -> list[Path]:
    """Pages written for this test from one template with varied places and numbers."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(start, start + count):
        province, county = PLACES[number % len(PLACES)]
        path = folder / f"article-{number:04d}.html"
        path.write_text(
            ARTICLE_TEMPLATE.format(
                province=province, county=county, count=100 + number * 7, day=1 + number % 28, batch=2 + number % 5,
                total=round(1.2 + number / 10, 1), money=150 + number, people=800 + number * 3, trained=300 + number,
            ),
            encoding="utf-8",
        )  # fmt: skip
        paths.append(path)
    return paths


def test_help_of_every_command_shows_examples(jiwen):
    commands = [
        "ingest",
        "extract",
        "search",
        "export",
        "reindex",
        "reextract",
        "stats",
        "check",
        "crawl",
        "schedule",
        "sites",
        "runs",
        "demo",
        "trends",
        "serve",
    ]
    for command in commands:
        result = jiwen(command, "--help")
        assert result.returncode == 0, result.stderr
        assert "Example" in result.stdout and f"jiwen {command}" in result.stdout, command


def test_a_usage_error_exits_2(tmp_path):
    result = run_jiwen("search", "--limit", "zero", "--archive", str(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_searching_a_missing_archive_is_one_line_and_exit_1(tmp_path):
    result = run_jiwen("search", "就业", "--archive", str(tmp_path / "none"))
    assert result.returncode == 1
    assert result.stderr.startswith("jiwen: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content, expected",
    [(b"", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary")],
)
def test_bad_files_give_a_one_line_error(jiwen, tmp_path, content, expected):
    path = tmp_path / "page.html"
    path.write_bytes(content)
    result = jiwen("extract", str(path))
    assert result.returncode == 1
    assert result.stderr.startswith("jiwen: ") and result.stderr.count("\n") == 1
    assert expected in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_extract_prints_the_json_contract_with_exact_offsets(jiwen, tmp_path):
    (path,) = write_articles(tmp_path / "pages", 1)
    result = jiwen("extract", str(path))
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    schema_validator("extract").validate(article)
    assert article["title"] == "从江县组织100名农村劳动力外出务工"
    assert article["published"].startswith("2023-11-01")
    assert "版权所有" not in article["body"] and "首页" not in article["body"]
    assert article["facts"], "the page is full of numbers and places"
    for fact in article["facts"]:
        assert article["body"][fact["start"] : fact["end"]] == fact["text"]


def test_extract_province_says_whose_our_province_figures_are_and_refuses_a_non_province(jiwen, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("帮扶车间吸纳就业\n去年以来，我省新建就业帮扶车间126个。\n", "utf-8")
    plain = json.loads(jiwen("extract", str(path)).stdout)
    told = jiwen("extract", str(path), "--province", "广西")
    assert told.returncode == 0, told.stderr
    (count,) = [f for f in json.loads(told.stdout)["facts"] if f["kind"] == "count"]
    assert count["place"] == "广西壮族自治区"
    assert [f["place"] for f in plain["facts"] if f["kind"] == "count"] == [None]
    refused = jiwen("extract", str(path), "--province", "江南")
    assert refused.returncode == 1
    assert refused.stderr.strip() == "jiwen: --province '江南' is not a province-level name (e.g. 陕西省, 广西)"


def test_the_seed_goes_from_file_to_search_hit_to_export(seed_path, seed_gold, archive_dir):
    jiwen = run_jiwen
    archive = ["--archive", str(archive_dir)]
    ingest = jiwen("ingest", str(seed_path), *archive)
    assert ingest.returncode == 0, ingest.stderr

    found = jiwen("search", "劳务协作", "--json", *archive)
    assert found.returncode == 0, found.stderr
    response = json.loads(found.stdout)
    assert response["total"] == 1
    assert response["hits"][0]["title"] in seed_gold["article"]["title_any_of"]

    exported = jiwen("export", "--format", "json", *archive)
    assert exported.returncode == 0, exported.stderr
    (article,) = json.loads(exported.stdout)
    schema_validator("json").validate([article])
    gold = seed_gold["article"]
    assert article["author"] == gold["author"]
    assert article["published"] is None
    assert article["body"].startswith(gold["body_first"])
    assert article["body"].rstrip("。）) \n").endswith(gold["body_last"])
    for headline in ("月季文化节", "KPL春季赛", "保时捷", "科比", "H7N9"):
        assert headline not in article["body"]
    kinds = {fact["kind"] for fact in article["facts"]}
    assert {"count", "money", "percent", "place"} <= kinds
    for fact in article["facts"]:
        assert article["body"][fact["start"] : fact["end"]] == fact["text"]


def test_ingesting_the_same_files_twice_changes_nothing(jiwen, tmp_path, archive_dir):
    write_articles(tmp_path / "pages", 4)
    first = jiwen("ingest", str(tmp_path / "pages"), "--archive", str(archive_dir), "-q")
    second = jiwen("ingest", str(tmp_path / "pages"), "--archive", str(archive_dir), "-q")
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "4 new" in first.stdout and "4 unchanged" in second.stdout
    with sqlite3.connect(archive_dir / "archive.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM pages").fetchone()[0] == 4


def test_a_bad_file_among_good_ones_loses_nothing(jiwen, tmp_path, archive_dir):
    pages = tmp_path / "pages"
    write_articles(pages, 3)
    (pages / "broken.html").write_bytes(b"\x00\x01\x02" * 2000)
    result = jiwen("ingest", str(pages), "--archive", str(archive_dir), "-q")
    assert result.returncode == 1
    assert "broken.html" in result.stderr and "Traceback" not in result.stderr
    assert "3 new" in result.stdout
    stats = json.loads(jiwen("stats", "--json", "--archive", str(archive_dir)).stdout)
    # The binary file is refused before it is stored (issue 24): an archive keeps pages only.
    assert stats["articles"] == 3 and stats["pages"] == 3 and stats["pages_failed"] == 0


def test_a_second_writer_is_turned_away_while_one_holds_the_archive(jiwen, tmp_path, archive_dir):
    from jiwen.core.lock import ArchiveLock

    write_articles(tmp_path / "pages", 1)
    with ArchiveLock(archive_dir, command="jiwen crawl"):
        result = jiwen("ingest", str(tmp_path / "pages"), "--archive", str(archive_dir))
    assert result.returncode == 1
    assert f"pid {os.getpid()}" in result.stderr and "jiwen crawl" in result.stderr


def test_an_ingest_killed_midway_is_completed_by_a_rerun(jiwen, tmp_path, archive_dir):
    pages = tmp_path / "pages"
    paths = write_articles(pages, 60)
    database = archive_dir / "archive.sqlite3"
    process = subprocess.Popen(
        [sys.executable, "-c", "from jiwen.cli import main; main()", "ingest", str(pages), "--archive", str(archive_dir), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        if database.exists():
            try:
                with sqlite3.connect(database, timeout=1) as db:
                    stored = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0
            if stored >= 5:
                break
        time.sleep(0.05)
    if process.poll() is not None:
        pytest.fail("the ingest finished before it could be killed; the test needs more files")
    process.send_signal(signal.SIGKILL)
    process.wait()
    with sqlite3.connect(database) as db:
        before = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert 0 < before < len(paths)

    rerun = jiwen("ingest", str(pages), "--archive", str(archive_dir), "-q")
    assert rerun.returncode == 0, rerun.stderr
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(paths)
        assert db.execute("SELECT COUNT(*) FROM pages").fetchone()[0] == len(paths)
        assert db.execute("SELECT COUNT(DISTINCT url) FROM pages").fetchone()[0] == len(paths)
    check = jiwen("check", "--archive", str(archive_dir))
    assert check.returncode == 0 and "consistent" in check.stdout, check.stdout + check.stderr


def test_reindex_rebuilds_the_same_search_results(jiwen, tmp_path, archive_dir):
    write_articles(tmp_path / "pages", 6)
    archive = ["--archive", str(archive_dir)]
    assert jiwen("ingest", str(tmp_path / "pages"), *archive).returncode == 0
    before = json.loads(jiwen("search", "务工", "--json", "--limit", "20", *archive).stdout)
    assert jiwen("reindex", *archive).returncode == 0
    after = json.loads(jiwen("search", "务工", "--json", "--limit", "20", *archive).stdout)
    assert before["total"] == after["total"] == 6
    assert [hit["id"] for hit in before["hits"]] == [hit["id"] for hit in after["hits"]]


def test_reindex_merge_merges_the_segments_of_several_ingests(jiwen, tmp_path, archive_dir):
    archive = ["--archive", str(archive_dir)]
    for batch in range(3):  # each ingest commits a segment of its own
        write_articles(tmp_path / f"pages{batch}", 2, start=10 * batch)
        assert jiwen("ingest", str(tmp_path / f"pages{batch}"), *archive).returncode == 0
    before = json.loads(jiwen("search", "务工", "--json", "--limit", "20", *archive).stdout)
    merged = jiwen("reindex", "--merge", *archive)
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout.strip().endswith("1 after"), merged.stdout
    assert int(merged.stdout.split()[2]) > 1
    after = json.loads(jiwen("search", "务工", "--json", "--limit", "20", *archive).stdout)
    assert before["total"] == after["total"] == 6
    assert sorted(hit["id"] for hit in before["hits"]) == sorted(hit["id"] for hit in after["hits"])
    assert "consistent" in jiwen("check", *archive).stdout


def test_reextract_rebuilds_articles_from_stored_pages_without_the_files(jiwen, tmp_path, archive_dir):
    pages = tmp_path / "pages"
    write_articles(pages, 3)
    archive = ["--archive", str(archive_dir)]
    assert jiwen("ingest", str(pages), *archive).returncode == 0
    for path in pages.iterdir():
        path.unlink()
    with sqlite3.connect(archive_dir / "archive.sqlite3") as db:
        db.execute("UPDATE articles SET title = 'stale'")
    result = jiwen("reextract", *archive, "-q")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(archive_dir / "archive.sqlite3") as db:
        titles = [row[0] for row in db.execute("SELECT title FROM articles")]
    assert len(titles) == 3 and "stale" not in titles


def test_reextract_rewrites_only_what_changed_and_changed_since_exports_only_that(jiwen, tmp_path, archive_dir):
    write_articles(tmp_path / "pages", 4)
    archive = ["--archive", str(archive_dir)]
    assert jiwen("ingest", str(tmp_path / "pages"), *archive, "-q").returncode == 0
    with sqlite3.connect(archive_dir / "archive.sqlite3") as db:
        stale = db.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()[0]
        db.execute("UPDATE articles SET title = 'stale' WHERE id = ?", (stale,))
        db.execute("UPDATE articles SET indexed = 1")
        last = db.execute("SELECT MAX(changed_at) FROM articles").fetchone()[0]
    db.close()
    while (mark := now_utc()) <= last:  # a time after every ingested article's
        time.sleep(0.05)
    result = jiwen("reextract", *archive)
    assert result.returncode == 0, result.stderr
    assert "1 updated" in result.stdout and "3 unchanged" in result.stdout, result.stdout
    exported = jiwen("export", "--changed-since", mark, "--all", *archive).stdout.splitlines()
    assert [json.loads(line)["id"] for line in exported] == [stale]
    with sqlite3.connect(archive_dir / "archive.sqlite3") as db:
        pending = [row[0] for row in db.execute("SELECT id FROM articles WHERE indexed = 0")]
    db.close()
    assert pending in ([stale], [])  # only the changed article was indexed again (or is still due)
    assert "consistent" in jiwen("check", *archive).stdout


def test_malformed_query_syntax_is_explained_in_one_line(jiwen, tmp_path, archive_dir):
    write_articles(tmp_path / "pages", 1)
    assert jiwen("ingest", str(tmp_path / "pages"), "--archive", str(archive_dir)).returncode == 0
    result = jiwen("search", "published:[2023 TO", "--archive", str(archive_dir))
    assert result.returncode == 1, result.stdout
    assert result.stderr.startswith("jiwen: ") and result.stderr.count("\n") == 1


@pytest.fixture(scope="module")
def three_articles(tmp_path_factory):
    folder = tmp_path_factory.mktemp("three")
    archive = folder / "archive"
    write_articles(folder / "pages", 3)
    assert invoke_jiwen("ingest", str(folder / "pages"), "--archive", str(archive)).returncode == 0
    return archive


@pytest.mark.parametrize("value", ["yesterday", "'", "2026-13-01", "last week", "1 day ago"])
def test_changed_since_accepts_iso_times_only_and_says_so_in_one_line(three_articles, jiwen, value):
    result = jiwen("export", "--changed-since", value, "--archive", str(three_articles))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("jiwen: bad --changed-since") and result.stderr.count("\n") == 1
    assert "ISO 8601" in result.stderr


def test_changed_since_compares_times_not_text(three_articles, jiwen):
    def exported(value: str) -> int:
        result = jiwen("export", "--all", "--changed-since", value, "--archive", str(three_articles))
        assert result.returncode == 0, result.stderr
        return len(result.stdout.splitlines())

    assert exported("2000-01-01") == 3
    assert exported("2000-01-01T08:00:00+08:00") == 3
    assert exported("2999-01-01") == 0
    assert exported("2999-01-01T00:00") == 0


@pytest.mark.parametrize("query", ["！！！", "...", "😀😀", "的", "的 了 是", "，。", "the"])
@pytest.mark.parametrize("command", ["search", "export"])
def test_a_query_with_nothing_to_search_for_is_refused_not_the_whole_archive(three_articles, jiwen, command, query):
    result = jiwen(command, query, "--archive", str(three_articles))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("jiwen: query") and result.stderr.count("\n") == 1
    assert "no word to search for" in result.stderr


def test_a_page_past_the_results_says_so_instead_of_an_empty_range(three_articles, jiwen):
    result = jiwen("search", "就业", "--page", "99999", "--limit", "2", "--all", "--archive", str(three_articles))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no results on page 99999 (3 results, 2 pages)"


FORMULA_PAGE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "formula-title.html"


def bad_targets(folder: Path) -> dict[str, tuple[Path, str]]:
    """Paths no writer may write: (path, what its one line says)."""
    folder.mkdir(exist_ok=True)
    (folder / "real.out").write_text("kept")
    (folder / "link.out").symlink_to(folder / "real.out")
    os.mkfifo(folder / "fifo.out")
    return {
        "missing folder": (folder / "absent" / "chart.out", "does not exist"),
        "symlink": (folder / "link.out", "is a symbolic link"),
        "fifo": (folder / "fifo.out", "not a regular file"),
        "device": (Path("/dev/null"), "not a regular file"),
    }


@pytest.mark.parametrize("target", ["missing folder", "symlink", "fifo", "device"])
@pytest.mark.parametrize("command", ["extract --view", "trends --plot", "export -o"])
def test_writers_of_named_paths_refuse_what_is_not_a_regular_file_in_a_folder_in_one_line(three_articles, jiwen, tmp_path, command, target):
    path, says = bad_targets(tmp_path / "out")[target]
    if command == "trends --plot":
        path = path.with_suffix(".png") if target in ("missing folder",) else path
        args = ["trends", "--archive", str(three_articles), "--plot", str(path)]
    elif command == "extract --view":
        args = ["extract", str(FORMULA_PAGE), "--no-facts", "--view", str(path)]
    else:
        args = ["export", "--archive", str(three_articles), "-o", str(path)]
    result = jiwen(*args)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jiwen: ") and says in lines[0], lines
    assert (tmp_path / "out" / "real.out").read_text() == "kept"
    assert not (tmp_path / "out" / "absent").exists()


def test_missing_paths_are_one_line_each_and_create_no_archive(jiwen, tmp_path):
    archive = tmp_path / "archive"
    result = jiwen("ingest", str(tmp_path / "gone-1.html"), str(tmp_path / "gone-2.html"), "--archive", str(archive))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"jiwen: {tmp_path / 'gone-1.html'}: no such file or folder",
        f"jiwen: {tmp_path / 'gone-2.html'}: no such file or folder",
    ]
    assert not archive.exists()


def test_a_missing_path_does_not_stop_the_rest_of_the_batch_and_a_binary_file_is_not_stored(jiwen, tmp_path):
    (good,) = write_articles(tmp_path / "pages", 1)
    binary = tmp_path / "image.html"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    archive = tmp_path / "archive"
    result = jiwen("ingest", str(tmp_path / "gone.html"), str(binary), str(good), "--archive", str(archive), "-q")
    assert result.returncode == 1
    assert f"jiwen: {tmp_path / 'gone.html'}: no such file or folder" in result.stderr
    assert f"jiwen: {binary}: looks binary" in result.stderr
    assert "1 new" in result.stdout
    with sqlite3.connect(archive / "archive.sqlite3") as db:
        assert [row[0] for row in db.execute("SELECT url FROM pages")] == [good.resolve().as_uri()]


@pytest.mark.parametrize(
    ("command", "option"),
    [(command, option) for command in (("search", "就业"), ("export",)) for option in ("--place", "--program", "--site")]
    + [(("trends",), "--place")],
)
def test_a_blank_filter_is_an_error_not_no_filter(three_articles, jiwen, command, option):
    result = jiwen(*command, option, " ", "--archive", str(three_articles))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"jiwen: {option} ' ' is blank; give a name or leave the option out\n"


def test_an_index_of_an_older_jiwen_is_refused_until_reindex_rebuilds_it_losing_nothing(jiwen, tmp_path, archive_dir):
    from jiwen.store import Archive
    from tests.index.older_index import write_older_index

    write_articles(tmp_path / "pages", 6)
    archive = ["--archive", str(archive_dir)]
    assert jiwen("ingest", str(tmp_path / "pages"), *archive).returncode == 0
    before = json.loads(jiwen("search", "务工", "--json", "--limit", "20", *archive).stdout)
    index = archive_dir / "index"
    shutil.rmtree(index)
    with Archive(archive_dir, read_only=True) as store:
        write_older_index(index, list(store.iter_articles()))
    refused = jiwen("search", "务工", *archive)
    assert refused.returncode == 1 and not refused.stdout
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("jiwen: search index "), refused.stderr
    assert "run 'jiwen reindex' once" in refused.stderr
    rebuilt = jiwen("reindex", *archive)
    assert rebuilt.returncode == 0 and rebuilt.stdout.strip() == "indexed 6 articles", rebuilt.stdout + rebuilt.stderr
    after = json.loads(jiwen("search", "务工", "--json", "--limit", "20", *archive).stdout)
    assert after["total"] == before["total"] == 6
    assert [hit["id"] for hit in after["hits"]] == [hit["id"] for hit in before["hits"]]
    assert "consistent" in jiwen("check", *archive).stdout
