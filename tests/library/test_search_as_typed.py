"""Search as people type it: traditional and full-width queries, several words as one AND query,
`--site local` and the site and month facets over ingested (undated) files, and highlight spans in
the JSON hits apart from the snippet text."""

from __future__ import annotations

import json

import pytest

from jiwen.index.snippets import split_marks
from jiwen.store import Archive
from jiwen.text.query_text import normalize_query, traditional_characters
from tests.conftest import invoke_jiwen
from tests.indicator_archive import add_indicator_articles

UNDATED = "人社局组织劳务协作专场对接活动，帮助返乡人员在家门口就业。\n活动现场达成就业意向三百余人。\n"


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("typed")
    directory = root / "archive"
    with Archive(directory) as archive:
        add_indicator_articles(archive)
    dump = root / "undated-notice.txt"
    dump.write_text(UNDATED, encoding="utf-8")
    assert invoke_jiwen("ingest", str(dump), "--archive", str(directory)).returncode == 0
    assert invoke_jiwen("reindex", "--archive", str(directory)).returncode == 0
    return directory


def search(archive_dir, *arguments) -> dict:
    result = invoke_jiwen("search", *arguments, "--json", "--archive", str(archive_dir))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_traditional_or_full_width_query_finds_what_the_simplified_one_finds(archive_dir):
    simplified = search(archive_dir, "劳务协作")
    assert simplified["total"] >= 2
    assert search(archive_dir, "勞務協作")["total"] == simplified["total"]
    assert search(archive_dir, "劳务协作", "--place", "貴州省")["total"] == search(archive_dir, "劳务协作", "--place", "贵州省")["total"]
    assert normalize_query("ＡＮＤ　勞務") == "AND 劳务"


def test_several_words_without_quotes_are_one_query_that_needs_all_of_them(archive_dir):
    both = search(archive_dir, "劳务", "协作")
    assert both["total"] == search(archive_dir, "劳务 AND 协作")["total"] >= 1
    assert both["total"] <= search(archive_dir, "劳务")["total"]


def test_site_local_and_the_facets_cover_ingested_undated_files(archive_dir):
    found = search(archive_dir, "劳务协作", "--facet", "site", "--facet", "month")
    assert found["facets"]["site"].get("local", 0) >= 1
    assert found["facets"]["month"].get("undated") == 1
    local = search(archive_dir, "劳务协作", "--site", "local")
    assert local["total"] == found["facets"]["site"]["local"]
    assert all(hit["site"] is None for hit in local["hits"])


def test_json_hits_carry_highlight_spans_into_the_unmarked_snippet_text(archive_dir):
    hit = search(archive_dir, "劳务协作")["hits"][0]
    assert "【" not in hit["text"] and hit["highlights"]
    assert all(hit["text"][start:end] == "劳务协作" for start, end in hit["highlights"])
    assert split_marks("a【b】c【dd】", ("【", "】")) == ("abcdd", [[1, 2], [3, 5]])


def test_the_traditional_character_list_agrees_with_opencc():
    import opencc

    converter = opencc.OpenCC("t2s")
    listed = traditional_characters()
    assert all(converter.convert(character) != character for character in listed)
    assert {"勞", "務", "協", "貴"} <= listed and not {"劳", "务", "协"} & listed
