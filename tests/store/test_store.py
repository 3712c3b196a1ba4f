"""The archive store on a real SQLite file."""

from __future__ import annotations

import sqlite3

import pytest

from jiwen.core.errors import ArchiveError
from jiwen.core.models import Article, CountFact, FetchedPage, PlaceFact
from jiwen.store import Archive, article_id_for
from jiwen.store.fingerprints import NEAR_DUPLICATE_CANDIDATES

GBK_PAGE = "<html><head><meta charset=gbk><title>就业</title></head><body><p>贵州输送劳动力</p></body></html>".encode("gb18030")


def make_page(url: str = "http://news.example.cn/202311/t20231108_1.html", body: bytes = GBK_PAGE) -> FetchedPage:
    return FetchedPage(
        url=url,
        body=body,
        status=200,
        fetched_at="2023-11-08T02:00:00+00:00",
        headers={"content-type": "text/html", "etag": '"abc"', "last-modified": "Wed, 08 Nov 2023 02:00:00 GMT"},
        content_type="text/html",
        site="example",
    )


def make_article(body: str = "从江县输送626名农村劳动力到广东务工。", title: str = "从江县输送劳动力") -> Article:
    start = body.index("626名")
    place_start = body.index("从江县")
    return Article(
        title=title,
        published="2023-11-08",
        body=body,
        facts=[
            CountFact(text="626名", start=start, end=start + 4, value=626, unit="名"),
            PlaceFact(text="从江县", start=place_start, end=place_start + 3, name="从江县", level="county",
                      adcode="522633", province="贵州省", prefecture="黔东南苗族侗族自治州"),
        ],
    )  # fmt: skip


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "archive") as opened:
        yield opened


def test_raw_page_bytes_come_back_exactly_as_fetched(archive):
    page_id, new = archive.add_page(make_page())
    assert new
    stored = archive.get_page(page_id)
    assert stored.body == GBK_PAGE
    assert stored.headers["etag"] == '"abc"'
    row = archive.db.execute("SELECT size, sha256, compression FROM pages WHERE id = ?", (page_id,)).fetchone()
    assert row["size"] == len(GBK_PAGE) and row["compression"] == "zstd" and len(row["sha256"]) == 64


def test_the_same_bytes_for_the_same_url_are_archived_once(archive):
    first, new_first = archive.add_page(make_page())
    second, new_second = archive.add_page(make_page())
    assert new_first and not new_second and first == second
    changed, new_changed = archive.add_page(make_page(body=GBK_PAGE + b"<!-- changed -->"))
    assert new_changed and changed != first
    assert archive.db.execute("SELECT COUNT(*) FROM pages").fetchone()[0] == 2


def test_article_ids_depend_only_on_the_canonical_url():
    assert article_id_for("http://a.cn/x.html?b=2&a=1#top") == article_id_for("http://a.cn/x.html?a=1&b=2")
    assert article_id_for("http://a.cn/x.html") != article_id_for("http://a.cn/y.html")


def test_an_article_and_its_facts_round_trip(archive):
    page = make_page()
    page_id, _ = archive.add_page(page)
    article_id, change = archive.save_article(
        page_id, page, make_article(), relevant=True, relevance=9.0, fingerprint=12345, duplicate_of=None
    )
    assert change == "new"
    (loaded,) = archive.get_articles([article_id])
    assert loaded.id == article_id and loaded.site == "example" and loaded.title == "从江县输送劳动力"
    assert [fact.text for fact in loaded.facts] == ["626名", "从江县"]
    assert loaded.facts[1].prefecture == "黔东南苗族侗族自治州"
    for fact in loaded.facts:
        assert loaded.body[fact.start : fact.end] == fact.text
    again, change = archive.save_article(
        page_id, page, make_article(title="新标题"), relevant=True, relevance=9.0, fingerprint=12345, duplicate_of=None
    )
    assert (again, change) == (article_id, "updated")
    assert tuple(archive.db.execute("SELECT COUNT(*), SUM(fact_count) FROM articles").fetchone()) == (1, 2)
    assert len(archive.get_articles([article_id])[0].facts) == 2


def test_an_article_saved_again_as_it_was_is_unchanged_and_keeps_its_rows_and_index_state(archive):
    page = make_page()
    page_id, _ = archive.add_page(page)
    save = dict(relevant=True, relevance=9.0, fingerprint=12345, duplicate_of=None)
    article_id, _ = archive.save_article(page_id, page, make_article(), **save)
    archive.mark_indexed([article_id])
    before = dict(archive.db.execute("SELECT changed_at, extracted_at, indexed FROM articles").fetchone())
    writes = archive.db.total_changes
    assert archive.save_article(page_id, page, make_article(), **save) == (article_id, "unchanged")
    assert archive.db.total_changes - writes == 1  # its extracted_at: no facts rows, summaries or figures rewritten
    after = dict(archive.db.execute("SELECT changed_at, extracted_at, indexed FROM articles").fetchone())
    assert after["changed_at"] == before["changed_at"] and after["indexed"] == 1
    assert after["extracted_at"] >= before["extracted_at"]
    assert archive.pending_index() == ([], [])
    # Anything that says what the article is makes it an update again, to be indexed.
    for changed in ({"relevance": 8.0}, {"duplicate_of": None, "fingerprint": 54321}):
        assert archive.save_article(page_id, page, make_article(), **{**save, **changed})[1] == "updated"
        assert archive.pending_index() == ([article_id], [])
        archive.mark_indexed([article_id])
    assert archive.save_article(page_id, page, make_article(title="新标题"), **save)[1] == "updated"


def test_near_duplicates_are_found_within_five_bits_only(archive):
    base = 0x0123_4567_89AB_CDEF
    page = make_page()
    page_id, _ = archive.add_page(page)
    original_id, _ = archive.save_article(page_id, page, make_article(), relevant=True, relevance=1, fingerprint=base, duplicate_of=None)
    # Five differing bits, one in each of five bands: only the sixth band still agrees.
    near = base ^ (1 << 0) ^ (1 << 11) ^ (1 << 22) ^ (1 << 33) ^ (1 << 44)
    far = near ^ (1 << 60)  # six bits differ
    assert archive.near_duplicate_of(near, exclude_id="other") == original_id
    assert archive.near_duplicate_of(far, exclude_id="other") is None
    assert archive.near_duplicate_of(base, exclude_id=original_id) is None


def test_fingerprints_with_the_top_bit_set_survive_sqlite_integers(archive):
    top = (1 << 63) | 0xFF
    page = make_page()
    page_id, _ = archive.add_page(page)
    original_id, _ = archive.save_article(page_id, page, make_article(), relevant=True, relevance=1, fingerprint=top, duplicate_of=None)
    assert archive.near_duplicate_of(top ^ 1, exclude_id="other") == original_id


def test_refingerprinting_replaces_every_fingerprint_and_records_the_scheme(archive):
    """An archive whose fingerprints came from an older scheme gets them all recomputed."""
    old = 0x0123_4567_89AB_CDEF
    ids = []
    for number in range(3):
        page = make_page(url=f"http://news.example.cn/202311/t20231108_{number}.html")
        page_id, _ = archive.add_page(page)
        article = make_article(body=f"从江县输送626名农村劳动力到广东务工。第{number}批。")
        ids.append(archive.save_article(page_id, page, article, relevant=True, relevance=1, fingerprint=old, duplicate_of=None)[0])
    assert archive.fingerprint_scheme() is None
    assert archive.refingerprint("length-scheme", lambda body: len(body) << 56, chunk=2) == 3
    assert archive.fingerprint_scheme() == "length-scheme"
    expected = len("从江县输送626名农村劳动力到广东务工。第0批。") << 56
    assert archive.near_duplicate_of(expected, exclude_id="other") == min(ids)  # the oldest of equal ones
    assert archive.near_duplicate_of(old, exclude_id="other") is None  # the old values are gone


def test_iterating_articles_streams_every_article_once_in_batches(archive):
    ids = set()
    for number in range(23):
        page = make_page(url=f"http://a.cn/{number}.html", body=GBK_PAGE + str(number).encode())
        page_id, _ = archive.add_page(page)
        article_id, _ = archive.save_article(page_id, page, make_article(), relevant=True, relevance=1, fingerprint=None, duplicate_of=None)
        ids.add(article_id)
    streamed = [article.id for article in archive.iter_articles(batch_size=5)]
    assert sorted(streamed) == sorted(ids) and len(streamed) == 23


def test_duplicates_are_linked_from_their_original(archive):
    first = make_page(url="http://a.cn/1.html")
    second = make_page(url="http://b.cn/1.html")
    first_id, _ = archive.save_article(
        archive.add_page(first)[0], first, make_article(), relevant=True, relevance=1, fingerprint=1, duplicate_of=None
    )
    archive.save_article(
        archive.add_page(second)[0], second, make_article(), relevant=True, relevance=1, fingerprint=1, duplicate_of=first_id
    )
    (original,) = archive.get_articles([first_id])
    assert original.duplicates == ["http://b.cn/1.html"]
    assert {article.id for article in archive.iter_articles(include_duplicates=False)} == {first_id}


def _plan(archive, sql: str, values: tuple) -> str:
    return "; ".join(row[3] for row in archive.db.execute("EXPLAIN QUERY PLAN " + sql, values))


def test_the_originals_are_never_read_through_the_index_of_copies(tmp_path):
    """Only copies are indexed by duplicate_of: SQLite then finds originals (`duplicate_of IS
    NULL`, nearly every article) by the index the query is about (a band, the id), not by
    reading every original. An archive with the index of every article gets the partial one
    from its next writer."""
    with Archive(tmp_path / "archive") as archive:
        archive.db.execute("DROP INDEX articles_duplicates")
        archive.db.execute("CREATE INDEX articles_duplicate_of ON articles(duplicate_of)")  # as older archives have it
    with Archive(tmp_path / "archive") as archive:
        indexes = {
            row[0]: row[1]
            for row in archive.db.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'articles' AND type = 'index'")
        }
        assert "articles_duplicate_of" not in indexes
        assert "WHERE duplicate_of IS NOT NULL" in indexes["articles_duplicates"]
        near = _plan(archive, NEAR_DUPLICATE_CANDIDATES, (1, 2, 3, 4, 5, 6, "x"))
        assert "articles_band0" in near and "duplicate" not in near
        batch = _plan(archive, "SELECT id FROM articles WHERE duplicate_of IS NULL AND id > ? ORDER BY id LIMIT ?", ("", 500))
        assert "duplicate" not in batch and "TEMP B-TREE" not in batch  # walked in id order, no sort
        copies = _plan(archive, "SELECT duplicate_of, url FROM articles WHERE duplicate_of IN (?, ?)", ("a", "b"))
        assert "articles_duplicates" in copies  # the copies of an article: still no scan


def test_stored_articles_wait_for_the_index_until_marked(archive):
    page = make_page()
    article_id, _ = archive.save_article(
        archive.add_page(page)[0], page, make_article(), relevant=True, relevance=1, fingerprint=None, duplicate_of=None
    )
    assert archive.pending_index() == ([article_id], [])
    archive.mark_indexed([article_id])
    assert archive.pending_index() == ([], [])


def test_conditional_request_validators_come_from_the_newest_fetch(archive):
    archive.add_page(make_page())
    assert archive.page_validators("http://news.example.cn/202311/t20231108_1.html") == (
        '"abc"',
        "Wed, 08 Nov 2023 02:00:00 GMT",
    )
    assert archive.page_validators("http://elsewhere.cn/") is None


def test_runs_keep_their_reports(archive):
    run_id = archive.start_run("crawl", "example", {"urls": ["http://a.cn/"]})
    archive.record_fetch_error(run_id, "http://a.cn/404.html", "http", 404, "Not Found")
    archive.finish_run(run_id, "ok", {"pages": 3, "new": 2})
    (run,) = archive.runs()
    assert run["outcome"] == "ok" and run["report"] == {"pages": 3, "new": 2} and run["finished_at"]
    assert archive.fetch_errors(run_id)[0]["status"] == 404


def test_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "archive.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(ArchiveError, match="not a usable jiwen archive"):
        Archive(folder)


def test_opening_a_missing_archive_for_reading_says_how_to_make_one(tmp_path):
    with pytest.raises(ArchiveError, match="jiwen ingest"):
        Archive(tmp_path / "nothing", create=False)


def test_the_store_is_plain_sqlite_any_tool_can_read(archive):
    page = make_page()
    archive.save_article(archive.add_page(page)[0], page, make_article(), relevant=True, relevance=1, fingerprint=None, duplicate_of=None)
    other = sqlite3.connect(archive.db_path)
    # Facts are a compressed blob per article; their counts by kind are plain JSON beside it.
    kinds = dict(other.execute("SELECT key, value FROM articles, json_each(articles.fact_kinds) ORDER BY key"))
    assert kinds == {"count": 1, "place": 1}
    assert other.execute("SELECT json_extract(data, '$.title') FROM articles").fetchone()[0] == make_article().title


def test_a_read_only_opening_creates_nothing_and_refuses_writes(tmp_path):
    with pytest.raises(ArchiveError, match="no archive at"):
        Archive(tmp_path / "absent", read_only=True)
    assert not (tmp_path / "absent").exists()
    plain = tmp_path / "plain"
    plain.mkdir()
    sqlite3.connect(plain / "archive.sqlite3").execute("CREATE TABLE other (x)").connection.close()
    with pytest.raises(ArchiveError, match="not an archive this jiwen can read|not a usable jiwen archive"):
        Archive(plain, read_only=True)
    with sqlite3.connect(plain / "archive.sqlite3") as db:
        assert [row[0] for row in db.execute("SELECT name FROM sqlite_master")] == ["other"]
    with Archive(tmp_path / "archive") as archive:
        page = make_page()
        archive.save_article(
            archive.add_page(page)[0], page, make_article(), relevant=True, relevance=1, fingerprint=None, duplicate_of=None
        )
    with Archive(tmp_path / "archive", read_only=True) as reader:
        assert reader.stats()["articles"] == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.db.execute("DELETE FROM articles")


def test_the_page_of_an_article_is_its_archived_bytes(tmp_path):
    with Archive(tmp_path / "archive") as archive:
        page = make_page()
        article_id, _ = archive.save_article(
            archive.add_page(page)[0], page, make_article(), relevant=True, relevance=1, fingerprint=None, duplicate_of=None
        )
        assert archive.page_of_article(article_id).body == GBK_PAGE
        assert archive.page_of_article("0000000000000000") is None


def test_figures_of_a_measure_come_from_on_topic_originals_only(tmp_path):
    with Archive(tmp_path / "archive") as archive:
        for number, (relevant, duplicate_of) in enumerate([(True, None), (False, None), (True, "original")]):
            page = make_page(url=f"http://news.example.cn/202311/t20231108_{number}.html")
            article = make_article()
            article.facts[0] = CountFact(
                text="626名",
                start=article.facts[0].start,
                end=article.facts[0].end,
                value=626 + number,
                unit="名",
                measure="有组织劳务输出人数",
                place="从江县",
                place_adcode="522633",
            )
            archive.save_article(
                archive.add_page(page)[0], page, article, relevant=relevant, relevance=1, fingerprint=None, duplicate_of=duplicate_of
            )
        assert archive.measure_counts() == {"有组织劳务输出人数": 1}
        [(head, fact)] = list(archive.measured_facts("有组织劳务输出人数"))
        assert fact.value == 626 and head["url"] == "http://news.example.cn/202311/t20231108_0.html"
        assert list(archive.measured_facts("城镇新增就业人数")) == []
