"""Export from a really crawled archive (the bundled sample site over loopback), through the CLI."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path

import pytest

from jiwen.core.schema import schema_for
from jiwen.demo.server import serve_site
from jiwen.library.export import CSV_COLUMNS
from tests.conftest import invoke_jiwen, run_jiwen, schema_validator

FILTERS = [
    ["就业"],
    ["--place", "贵州省"],
    ["--program", "春风行动"],
    ["--since", "2024-03", "--until", "2024-03"],
    ["培训", "--since", "2024-03-10"],
]


@pytest.fixture(scope="module")
def crawled_archive(tmp_path_factory) -> list[str]:
    archive_dir = tmp_path_factory.mktemp("crawled") / "archive"
    site = Path(str(resources.files("jiwen.demo").joinpath("site")))
    with serve_site(site) as server:
        result = run_jiwen("crawl", "--url", server.base_url + "/", "--no-throttle", "--archive", str(archive_dir))
    assert result.returncode == 0, result.stderr[-2000:]
    return ["--archive", str(archive_dir)]


def export(archive: list[str], *args: str) -> str:
    result = invoke_jiwen("export", *archive, *args)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_every_format_of_a_crawled_archive_validates(crawled_archive):
    articles = json.loads(export(crawled_archive, "--format", "json"))
    assert len(articles) >= 5
    schema_validator("json").validate(articles)
    for line in export(crawled_archive, "--format", "jsonl").splitlines():
        schema_validator("jsonl").validate(json.loads(line))
    rows = [json.loads(line) for line in export(crawled_archive, "--format", "facts-jsonl").splitlines()]
    assert len(rows) == sum(len(article["facts"]) for article in articles)
    for row in rows:
        schema_validator("facts-jsonl").validate(row)
    table = list(csv.DictReader(io.StringIO(export(crawled_archive, "--format", "csv"))))
    assert len(table) == len(rows) and tuple(table[0]) == CSV_COLUMNS


@pytest.mark.parametrize("filters", FILTERS, ids=" ".join)
def test_export_filters_select_what_search_finds(crawled_archive, filters):
    searched = invoke_jiwen("search", *filters, "--json", "--limit", "1000", *crawled_archive)
    assert searched.returncode == 0, searched.stderr
    found = {hit["id"] for hit in json.loads(searched.stdout)["hits"]}
    exported = {article["id"] for article in json.loads(export(crawled_archive, *filters, "--format", "json"))}
    assert exported == found
    assert found, f"the sample site has articles for {filters}"


def test_ids_survive_reextraction_and_reindexing(crawled_archive):
    before = [article["id"] for article in json.loads(export(crawled_archive, "--format", "json"))]
    assert invoke_jiwen("reextract", "-q", *crawled_archive).returncode == 0
    assert invoke_jiwen("reindex", *crawled_archive).returncode == 0
    after = [article["id"] for article in json.loads(export(crawled_archive, "--format", "json"))]
    assert before == after


def test_output_file_is_written_and_announced(crawled_archive, tmp_path):
    target = tmp_path / "facts.jsonl"
    result = invoke_jiwen("export", *crawled_archive, "--format", "facts-jsonl", "--kind", "money", "-o", str(target))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in target.read_text("utf-8").splitlines()]
    assert rows and {row["kind"] for row in rows} == {"money"}
    assert f"exported {len(rows)} facts to {target}" in result.stderr


def test_schema_option_prints_the_committed_schema(crawled_archive):
    printed = json.loads(export(crawled_archive, "--schema", "--format", "facts-jsonl"))
    assert printed == schema_for("facts-jsonl")
