"""Like with like, through the real CLI: what a user tells `jiwen ingest` about a text (its date,
address, publisher's province), and `--role` on trends and the indicator exports (results by
default: a plan is never plotted or exported as a result)."""

from __future__ import annotations

import json

from tests.conftest import invoke_jiwen

STORY = """某县多措并举促进农村劳动力转移就业

今年以来，全省农村劳动力转移就业3200人。全省计划今年农村劳动力转移就业5000人以上。
"""
MEASURE = "农村劳动力转移就业人数"


def _ingest(tmp_path, *options):
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    archive = tmp_path / "archive"
    result = invoke_jiwen("ingest", str(story), "--archive", str(archive), *options)
    assert result.returncode == 0, result.stderr
    return archive


def test_what_the_user_knows_about_a_text_dump_fills_what_the_text_does_not_say(tmp_path):
    archive = _ingest(tmp_path, "--published", "2024-04-10", "--province", "贵州省", "--url", "http://news.example.cn/t20240410_1.html")
    rows = [
        json.loads(line)
        for line in invoke_jiwen("export", "--format", "indicators-jsonl", "--role", "any", "--archive", str(archive)).stdout.splitlines()
    ]
    assert {row["url"] for row in rows} == {"http://news.example.cn/t20240410_1.html"}
    assert {row["place"] for row in rows} == {"贵州省"}  # 全省 is the publisher's province
    by_value = {row["value"]: row for row in rows}
    assert by_value[3200]["published"] == "2024-04-10" and by_value[3200]["period_end"] == "2024-04-10"
    assert by_value[5000]["role"] == "target" and by_value[5000]["period_end"] == "2024-12-31"


def test_trends_and_indicator_exports_compare_results_unless_another_role_is_asked_for(tmp_path):
    archive = _ingest(tmp_path, "--published", "2024-04-10", "--province", "贵州省")
    default = json.loads(invoke_jiwen("trends", MEASURE, "--by", "year", "--json", "--archive", str(archive)).stdout)
    assert default["role"] == "actual" and [point["value"] for point in default["points"]] == [3200]
    planned = json.loads(invoke_jiwen("trends", MEASURE, "--by", "year", "--role", "target", "--json", "--archive", str(archive)).stdout)
    assert [(point["value"], point["role"]) for point in planned["points"]] == [(5000, "target")]
    exported = invoke_jiwen("export", "--format", "indicators-csv", "--archive", str(archive)).stdout
    assert "3200" in exported and "5000" not in exported


def test_a_bad_date_province_site_or_role_is_a_one_line_error_and_nothing_is_archived(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    for options, words in (
        (("--published", "10/04/2024"), "not a date"),
        (("--province", "江南省"), "not a province-level name"),
        (("--site", "../up"), "--site"),
        (("--url", "ftp://x/y"), "not an http(s) address"),
    ):
        result = invoke_jiwen("ingest", str(story), "--archive", str(tmp_path / "archive"), *options)
        assert result.returncode == 1 and words in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    result = invoke_jiwen("trends", MEASURE, "--role", "plan", "--archive", str(tmp_path / "archive"))
    assert result.returncode == 2 and "plan" in result.stderr
