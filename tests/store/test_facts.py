"""Facts in the store (jiwen/store/facts.py): sentences kept as offsets into the body, one compact
blob per article, and the migration of schema-1 archives (one row per fact) on first open."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time

import msgspec
import pytest

from jiwen.core.models import Article, CountFact, DateFact, FetchedPage, MoneyFact, PercentFact, PlaceFact, ProgramFact
from jiwen.extract.facts.sentences import sentence_at
from jiwen.library.export import write_export
from jiwen.store import Archive
from jiwen.store.facts import compact_fact

SENTENCES = (
    "{county}城镇新增就业{count}人，城镇调查失业率控制在5.5%以内。",
    "截至2024年3月，{county}已发放稳岗返还资金{money}万元，惠及企业和职工。",
    "{county}组织开展专场招聘会12场，提供岗位{count}个，现场达成就业意向的占{percent}%。",
)
COUNTIES = ("从江县", "凯里市", "天河区", "惠东县", "盘州市")


def _article(number: int, sentences: int = 12) -> Article:
    """An article whose facts carry their sentence, as the extractor gives them, and the numeric
    attribution fields."""
    county = COUNTIES[number % len(COUNTIES)]
    parts, facts, length = [], [], 0
    for index in range(sentences):
        count, money, percent = 100 + number + index, 10.5 + index, 30 + index / 10
        text = SENTENCES[index % 3].format(county=county, count=count, money=f"{money:g}", percent=f"{percent:g}")
        parts.append(text)
        length += len(text)
        if index % 4 == 3:
            parts.append("\n")
            length += 1
    body = "".join(parts)
    for index, sentence_start in enumerate(i for i in range(len(body)) if body.startswith(county, i)):
        facts.append(
            PlaceFact(
                text=county,
                start=sentence_start,
                end=sentence_start + 3,
                name=county,
                level="county",
                province="贵州省",
                prefecture=None if index % 2 else "黔东南苗族侗族自治州",
            )
        )
    position = body.find("人，")
    while position > 0:
        start = position
        while body[start - 1].isdigit():
            start -= 1
        facts.append(
            CountFact(
                text=body[start : position + 1],
                start=start,
                end=position + 1,
                value=int(body[start:position]),
                unit="人",
                subject="城镇新增就业",
                measure="城镇新增就业人数",
                place=county,
                place_adcode="522633",
                period_start="2024-01-01",
                period_end="2024-12-31",
            )
        )
        position = body.find("人，", position + 1)
    for start in (i for i in range(len(body)) if body.startswith("万元", i)):
        digits = start
        while body[digits - 1].isdigit() or body[digits - 1] == ".":
            digits -= 1
        facts.append(
            MoneyFact(
                text=body[digits : start + 2], start=digits, end=start + 2, value=float(body[digits:start]) * 10000, qualifier="about"
            )
        )
    for start in (i for i in range(len(body)) if body.startswith("2024年3月", i)):
        facts.append(DateFact(text="2024年3月", start=start, end=start + 7, date="2024-03", granularity="month"))
    facts.sort(key=lambda fact: fact.start)
    facts = [msgspec.structs.replace(fact, sentence=sentence_at(body, fact.start)) for fact in facts]
    return Article(title=f"{county}就业工作{number}", published=f"2024-03-{number % 28 + 1:02d}", body=body, facts=facts)


def _odd_article() -> Article:
    """Facts the body cannot give back: a text that is not at its offsets, a sentence the body
    does not hold, a name unlike the text, a programme fact, a range and a float count."""
    body = "春风行动期间，全省输送劳动力3至5万人。"
    return Article(
        title="边界情况", published="2024-02-01", body=body,
        facts=[
            ProgramFact(text="春风行动", start=0, end=4, name="春风行动", sentence="春风行动期间，全省输送劳动力3至5万人。"),
            ProgramFact(text="春风 行动", start=0, end=4, name="春风行动"),
            PlaceFact(text="全省", start=7, end=9, name="贵州省", level="province", sentence="不在正文里的句子。"),
            CountFact(text="3至5万人", start=15, end=20, value=30000, value_end=50000.0, qualifier="at_least",
                      unit="人", sentence=body),
            PercentFact(text="", start=20, end=20, value=0.0),
        ],
    )  # fmt: skip


def _store(archive: Archive, articles: list[Article]) -> list[str]:
    ids = []
    for number, article in enumerate(articles):
        url = f"https://rst.guizhou.gov.cn/art/{number}.html"
        page = FetchedPage(url=url, body=f"<p>{number}</p>".encode(), status=200, site="gz", fetched_at="2025-01-01T00:00:00+00:00")
        page_id, _ = archive.add_page(page)
        article_id, _ = archive.save_article(page_id, page, article, relevant=True, relevance=1.0,
                                             fingerprint=number * 7919, duplicate_of=None)  # fmt: skip
        ids.append(article_id)
    return ids


def _export(archive: Archive, format_name: str = "jsonl") -> bytes:
    out = io.BytesIO()
    write_export(archive.iter_articles(), format_name, out)
    return out.getvalue()


def _to_schema_1(db_path, articles_by_url: dict[str, Article]) -> None:
    """Rewrite an archive in schema 1's layout, as jiwen wrote it before: a `facts` table with one
    row per fact (its text, offsets and whole JSON, sentence included) and no facts columns."""
    _to_schema_3(db_path)
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("BEGIN")
    for table in ("facts", "watch_matches", "watches"):  # schema 3's tables
        db.execute(f"DROP TABLE {table}")
    db.execute(
        """CREATE TABLE facts (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL, data BLOB NOT NULL,
            PRIMARY KEY (article_id, seq))"""
    )
    db.execute("CREATE INDEX facts_kind ON facts(kind)")
    encoder = msgspec.json.Encoder()
    for article_id, url in db.execute("SELECT id, url FROM articles").fetchall():
        db.executemany(
            'INSERT INTO facts (article_id, seq, kind, text, start, "end", data) VALUES (?, ?, ?, ?, ?, ?, ?)',
            [(article_id, seq, type(fact).__struct_config__.tag, fact.text, fact.start, fact.end, encoder.encode(fact))
             for seq, fact in enumerate(articles_by_url[url].facts)],
        )  # fmt: skip
    db.execute("ALTER TABLE articles DROP COLUMN facts")
    db.execute("ALTER TABLE articles DROP COLUMN fact_kinds")
    db.execute("DROP TABLE figures")  # schemas 2-4's
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.execute("COMMIT")
    db.execute("VACUUM")
    db.close()


def _schema_of(db_path) -> tuple[str, set[str]]:
    db = sqlite3.connect(db_path)
    try:
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        db.close()
    return version, tables


def _urls(archive: Archive, articles: list[Article]) -> dict[str, Article]:
    return dict(zip((f"https://rst.guizhou.gov.cn/art/{n}.html" for n in range(len(articles))), articles))


def test_facts_come_back_exactly_as_saved_including_sentences_and_attribution(tmp_path):
    articles = [_article(1), _article(2), _odd_article(), Article(title="无事实", body="没有数字。")]
    with Archive(tmp_path / "archive") as archive:
        ids = _store(archive, articles)
        loaded = archive.get_articles(ids)
    assert [article.facts for article in loaded] == [article.facts for article in articles]
    counts = [fact for fact in loaded[0].facts if isinstance(fact, CountFact)]
    assert counts and counts[0].measure == "城镇新增就业人数" and counts[0].period_end == "2024-12-31"
    assert all(fact.sentence and fact.sentence in loaded[0].body for fact in loaded[0].facts)
    assert isinstance(loaded[2].facts[3].value, int) and isinstance(loaded[2].facts[3].value_end, float)


def test_a_fact_keeps_its_sentence_as_offsets_into_the_body_not_a_copy():
    article = _article(3)
    fact = article.facts[5]
    compact = compact_fact(article.body, fact)
    assert "sentence" not in compact and "text" not in compact
    assert article.body[compact["sentence_start"] : compact["sentence_end"]] == fact.sentence


def test_stored_facts_take_a_fraction_of_one_json_row_per_fact(tmp_path):
    articles = [_article(number, sentences=40) for number in range(20)]
    with Archive(tmp_path / "archive") as archive:
        _store(archive, articles)
        blobs = sum(row[0] for row in archive.db.execute("SELECT LENGTH(facts) FROM articles"))
    as_rows = sum(len(msgspec.json.encode(fact)) + len(fact.text.encode()) for a in articles for fact in a.facts)
    assert blobs * 8 < as_rows


def test_a_schema_1_archive_migrates_on_open_and_exports_byte_for_byte_the_same(tmp_path):
    articles = [_article(number) for number in range(30)] + [_odd_article()]
    folder = tmp_path / "archive"
    with Archive(folder) as archive:
        _store(archive, articles)
        expected = {name: _export(archive, name) for name in ("jsonl", "facts-jsonl", "csv")}
        stats = archive.stats()
        measures = archive.measure_counts()
        figures = {measure: list(archive.measured_facts(measure)) for measure in measures}
        db_path = archive.db_path
    assert measures, "the articles report figures with a measure"
    _to_schema_1(db_path, _urls(archive, articles))
    assert _schema_of(db_path) == ("1", {"meta", "pages", "articles", "facts", "runs", "fetch_errors"})
    with Archive(folder, read_only=True) as unmigrated:  # a reader meets schema 1 as it is
        assert unmigrated.measure_counts() == measures
        assert {measure: list(unmigrated.measured_facts(measure)) for measure in measures} == figures
        assert unmigrated.stats() == stats
        # A writer migrates the archive while this reader is open: the reader goes on reading the
        # layout it opened (its snapshot), every format the same as before.
        Archive(folder).close()
        assert _schema_of(db_path)[0] == "5"
        for name, data in expected.items():
            assert _export(unmigrated, name) == data, name
        assert unmigrated.stats() == stats
    _to_schema_1(db_path, _urls(archive, articles))
    with Archive(folder) as migrated:
        # Two thirds of the file freed (schema 1's fact rows): given back to the disk (VACUUM).
        assert migrated.db.execute("PRAGMA freelist_count").fetchone()[0] == 0
        assert _schema_of(db_path) == (
            "5",
            {"meta", "pages", "articles", "facts", "fact_counts", "fact_keys"} | {"watches", "watch_matches", "runs", "fetch_errors"},
        )
        for name, data in expected.items():
            assert _export(migrated, name) == data, name
        assert migrated.stats() == stats
        assert migrated.measure_counts() == measures
        assert {measure: list(migrated.measured_facts(measure)) for measure in measures} == figures
    assert expected["jsonl"].count(b"\n") == len(articles)
    assert '"sentence":"截至2024年3月'.encode() in expected["jsonl"]  # sentences are exported whole


MIGRATE = "import sys; from jiwen.store import Archive; Archive(sys.argv[1]).close()"


def test_an_archive_killed_while_migrating_is_left_as_it_was_and_migrates_next_time(tmp_path):
    articles = [_article(number, sentences=30) for number in range(1500)]
    folder = tmp_path / "archive"
    with Archive(folder) as archive:
        _store(archive, articles)
        expected = _export(archive)
        db_path = archive.db_path
    _to_schema_1(db_path, _urls(archive, articles))
    wal = db_path.with_name(db_path.name + "-wal")
    process = subprocess.Popen([sys.executable, "-c", MIGRATE, str(folder)])
    deadline = time.monotonic() + 120
    # Killed once the migration is visibly writing (its transaction's pages reach the WAL).
    while process.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 1_000_000:
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    process.wait(timeout=60)
    if process.returncode == 0:
        pytest.skip("the migration finished before it could be killed (machine too fast for this size)")
    assert process.returncode == -signal.SIGKILL
    assert _schema_of(db_path) == ("1", {"meta", "pages", "articles", "facts", "runs", "fetch_errors"})
    with Archive(folder) as migrated:
        assert _schema_of(db_path)[0] == "5"
        assert _export(migrated) == expected


def _to_schema_4(db_path) -> None:
    """Rewrite an archive as schema 4 had it: a `figures` row (article, position, measure) for
    each figure with a measure, as schemas 2-4 kept them for trends."""
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute(
        "CREATE TABLE figures (article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, "
        "seq INTEGER NOT NULL, measure TEXT NOT NULL, PRIMARY KEY (article_id, seq)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX figures_measure ON figures(measure)")
    db.execute("INSERT INTO figures SELECT article_id, seq, measure FROM facts WHERE measure IS NOT NULL")
    db.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    db.close()


def _to_schema_3(db_path) -> None:
    """Rewrite an archive as schema 3 had it: no summaries of the facts table."""
    _to_schema_4(db_path)
    db = sqlite3.connect(db_path, isolation_level=None)
    for table in ("fact_counts", "fact_keys"):
        db.execute(f"DROP TABLE {table}")
    db.execute("DROP INDEX articles_published")
    db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    db.close()


def _to_schema_2(db_path) -> None:
    """Rewrite an archive as schema 2 had it: the facts only in the articles' blobs."""
    _to_schema_3(db_path)
    db = sqlite3.connect(db_path, isolation_level=None)
    for table in ("facts", "watch_matches", "watches"):
        db.execute(f"DROP TABLE {table}")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.close()


def _fact_table(db_path) -> list[tuple]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute(
            "SELECT article_id, seq, kind, text, value, unit, measure, role, place, adcode, province, "
            'period_start, period_end, start, "end" FROM facts ORDER BY article_id, seq'
        ).fetchall()
    finally:
        db.close()


def test_every_figure_is_a_plain_row_of_the_facts_table_that_sqlite3_can_query(tmp_path):
    articles = [_article(1), _article(2), _odd_article()]
    with Archive(tmp_path / "archive") as archive:
        ids = _store(archive, articles)
        loaded = archive.get_articles(ids)
        db_path = archive.db_path
    rows = _fact_table(db_path)
    figures = ("count", "money", "percent")
    assert len(rows) == sum(type(fact).__struct_config__.tag in figures for article in loaded for fact in article.facts)
    by_key = {(row[0], row[1]): row for row in rows}
    for article in loaded:
        for seq, fact in enumerate(article.facts):
            if type(fact).__struct_config__.tag not in figures:
                assert (article.id, seq) not in by_key
                continue
            row = by_key[(article.id, seq)]
            assert row[2] == type(fact).__struct_config__.tag and row[3] == fact.text
            assert (row[13], row[14]) == (fact.start, fact.end)
            assert row[4] == fact.value and row[6] == fact.measure and row[8] == fact.place
            if isinstance(fact, CountFact):
                assert row[5] == fact.unit
    guizhou = [row for row in rows if row[6] == "城镇新增就业人数"]
    assert guizhou and {row[10] for row in guizhou if row[9]} <= {"贵州省"}


def test_an_article_saved_again_replaces_its_fact_rows(tmp_path):
    with Archive(tmp_path / "archive") as archive:
        _store(archive, [_article(1)])
        _store(archive, [Article(title="改了", body="没有数字。")])
        count = archive.db.execute("SELECT COUNT(*) FROM facts").fetchone()[0]
    assert count == 0


def test_a_schema_2_archive_gets_its_facts_table_from_the_first_writer(tmp_path):
    articles = [_article(number) for number in range(4)]
    folder = tmp_path / "archive"
    with Archive(folder) as archive:
        _store(archive, articles)
        expected_rows = _fact_table(archive.db_path)
        expected = _export(archive)
        db_path = archive.db_path
    _to_schema_2(db_path)
    assert _schema_of(db_path)[0] == "2" and "facts" not in _schema_of(db_path)[1]
    with Archive(folder, read_only=True) as reader:  # a reader reads schema 2 as it is
        assert _export(reader) == expected
    with Archive(folder) as migrated:
        assert _schema_of(db_path)[0] == "5" and {"facts", "fact_keys", "watches", "watch_matches"} <= _schema_of(db_path)[1]
        assert _export(migrated) == expected
    assert _fact_table(db_path) == expected_rows and expected_rows


def _trends_answers(archive: Archive) -> tuple:
    measures = archive.measure_counts()
    return (
        measures,
        {measure: list(archive.measured_facts(measure)) for measure in measures},
        [archive.has_measure(measure) for measure in [*measures, "没有这个指标"]],
    )


def test_trends_answer_alike_from_the_summaries_of_schema_5_and_the_figures_table_of_schemas_3_and_4(tmp_path):
    body = "一季度全省农村劳动力转移就业12万人，发放补贴300万元。"
    second = Article(
        title="转移就业",
        body=body,
        facts=[
            CountFact(text="12万人", start=14, end=18, value=120000, unit="人", measure="农村劳动力转移就业人数", role="actual"),
            MoneyFact(text="300万元", start=23, end=28, value=3000000),
        ],
    )
    assert [body[fact.start : fact.end] for fact in second.facts] == [fact.text for fact in second.facts]
    articles = [_article(number) for number in range(12)] + [second, _odd_article(), _article(20)]
    folder = tmp_path / "archive"
    with Archive(folder) as archive:
        ids = _store(archive, articles[:-2])
        # An off-topic article and a copy of another: their figures are not counted by trends.
        for number, (article, relevant, duplicate_of) in enumerate(((articles[-2], False, None), (articles[-1], True, ids[0]))):
            page = FetchedPage(url=f"https://rst.guizhou.gov.cn/other/{number}.html", body=b"<p>x</p>", status=200, site="gz")
            page_id, _ = archive.add_page(page)
            archive.save_article(page_id, page, article, relevant=relevant, relevance=0.5, fingerprint=number, duplicate_of=duplicate_of)
        expected = _trends_answers(archive)
        db_path = archive.db_path
        assert "figures" not in _schema_of(db_path)[1]
    measures, facts, found = expected
    assert len(measures) >= 2 and found[:-1] == [True] * len(measures) and found[-1] is False
    assert sum(measures.values()) == sum(len(listed) for listed in facts.values())
    for make_old, version in ((_to_schema_4, "4"), (_to_schema_3, "3")):
        make_old(db_path)
        assert _schema_of(db_path)[0] == version and "figures" in _schema_of(db_path)[1]
        with Archive(folder, read_only=True) as reader:  # read as it is, through its figures table
            assert _trends_answers(reader) == expected
        with Archive(folder) as writer:  # the first writer drops the table
            assert _schema_of(db_path)[0] == "5" and "figures" not in _schema_of(db_path)[1]
            assert _trends_answers(writer) == expected
            # Its pages are free for the next articles: a few percent of the file are not worth
            # rewriting all of it (VACUUM).
            free, pages = (writer.db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("freelist_count", "page_count"))
            assert 0 < free * 4 < pages


def test_a_figures_role_is_a_column_of_the_facts_table(tmp_path):
    body = "全年目标新增就业5万人。"
    target = CountFact(text="5万人", start=8, end=11, value=50000, unit="人", measure="城镇新增就业人数", role="target")
    with Archive(tmp_path / "archive") as archive:
        _store(archive, [Article(title="目标", body=body, facts=[target])])
        row = archive.db.execute("SELECT role, value, unit, measure FROM facts").fetchone()
    assert tuple(row) == ("target", 50000, "人", "城镇新增就业人数")
