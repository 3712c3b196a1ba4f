"""The counts and keys the store keeps beside the facts table (jiwen/store/fact_summary.py) and the
answers read from them (fact_queries.py): after any mix of new articles, re-extractions, figures
taken away and articles turning duplicate or off-topic, they equal a count over the facts rows
themselves, and every question gets the rows, total and facets a plain scan gives."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from jiwen.core.models import Article, CountFact, DateFact, FetchedPage, MoneyFact, PercentFact, PlaceFact
from jiwen.store import Archive
from jiwen.store.fact_queries import FactSelection
from jiwen.store.fact_summary import build_fact_summary

PLACES = (
    ("从江县", "522633", "贵州省"), ("凯里市", "522601", "贵州省"), ("黔东南苗族侗族自治州", "522600", "贵州省"),
    ("贵州省", "520000", "贵州省"), ("天河区", "440106", "广东省"), ("广东省", "440000", "广东省"),
    ("全国", None, None), ("美国", None, None), (None, None, None),
)  # fmt: skip
MEASURES = ("城镇新增就业人数", "农村劳动力转移就业人数", "失业率", "发放补贴金额", None)
ROLES = ("actual", "target", "change", None)
SITES = ("rst.guizhou.gov.cn", "hrss.gd.gov.cn", None)
DATES = ("2023-02-10", "2023-11-30", "2024-03-05", "2024-03-28", "2024-12-31", None)


def _random_article(rng: random.Random, number: int, figures: int) -> tuple[Article, str | None]:
    """An article with `figures` figures of random attribution, a place and a date fact beside
    them (facts that are no figures), and its site."""
    parts, facts = [], []
    for index in range(figures):
        kind = rng.choice((CountFact, MoneyFact, PercentFact))
        text = f"{number * 100 + index + 1}" + {CountFact: "人", MoneyFact: "元", PercentFact: "%"}[kind]
        start = sum(len(part) for part in parts) + 2
        parts.append(f"共计{text}。")
        place, adcode, _ = rng.choice(PLACES)
        fields = dict(
            text=text, start=start, end=start + len(text), value=number * 100 + index + 1, measure=rng.choice(MEASURES),
            place=place, place_adcode=adcode, period_end=rng.choice(DATES), role=rng.choice(ROLES),
        )  # fmt: skip
        facts.append(kind(unit="人", **fields) if kind is CountFact else kind(**fields))
    body = "".join(parts) + "贵州省2024年"
    facts.append(PlaceFact(text="贵州省", start=len(body) - 7, end=len(body) - 4, name="贵州省", level="province", province="贵州省"))
    facts.append(DateFact(text="2024年", start=len(body) - 4, end=len(body), date="2024", granularity="year"))
    article = Article(
        url=f"https://example.gov.cn/{number}.html", title=f"第{number}篇", published=rng.choice(DATES), body=body, facts=facts
    )
    return article, rng.choice(SITES)


def _save(archive: Archive, rng: random.Random, number: int, figures: int, *, duplicate_of: str | None = None) -> str:
    article, site = _random_article(rng, number, figures)
    page = FetchedPage(
        url=article.url, body=f"{number}-{rng.random()}".encode(), status=200, site=site, fetched_at="2024-05-01T00:00:00+00:00"
    )
    page_id, _ = archive.add_page(page)
    article_id, _ = archive.save_article(
        page_id, page, article, relevant=rng.random() > 0.2, relevance=1.0, fingerprint=None, duplicate_of=duplicate_of
    )
    return article_id


def _figure_rows(db) -> list[dict]:
    """Every facts row with its article's fields, read plainly."""
    db.row_factory = sqlite3.Row
    rows = db.execute(
        "SELECT facts.*, articles.published, articles.site, articles.url, articles.title, articles.relevant, articles.duplicate_of "
        "FROM facts JOIN articles ON articles.id = facts.article_id"
    ).fetchall()
    return [dict(row) for row in rows]


def _expected_counts(rows: list[dict]) -> tuple[Counter, Counter, set]:
    """fact_counts and fact_keys as they must be, computed in Python."""
    coarse, keys = Counter(), set()
    for row in rows:
        on_topic = int(row["relevant"] == 1 and row["duplicate_of"] is None)
        period = row["period_end"] or row["published"]
        code, place = row["adcode"], row["place"]
        common = (on_topic, row["kind"], row["measure"] or "", row["role"] or "")
        site = row["site"] or ""
        coarse[(*common, code[:2] if code else place or "", (period or "")[:4], site)] += 1
        published, article_id = row["published"] or "", row["article_id"]
        found = {f"m:{row['measure']}" if row["measure"] else None, f"n:{place}" if not code and place else None}
        if code:
            found |= {f"a:{code[:2]}", f"a:{code[:4]}" if code[2:4] != "00" else None, f"a:{code}" if code[4:] != "00" else None}
        if period:
            found |= {f"d:{period[:7]}", f"d:{period[:4]}"}
        keys |= {(key, published, article_id) for key in found if key}
    return coarse, keys


def _stored_counts(db) -> tuple[Counter, set]:
    coarse = Counter(
        {
            tuple(row[:-1]): row[-1]
            for row in db.execute("SELECT on_topic, kind, measure, role, region, year, site, figures FROM fact_counts")
        }
    )
    keys = {tuple(row) for row in db.execute("SELECT key, published, article_id FROM fact_keys")}
    return coarse, keys


def _assert_summary_is_exact(archive: Archive) -> list[dict]:
    db = sqlite3.connect(archive.db_path)
    try:
        rows = _figure_rows(db)
        assert _stored_counts(db) == _expected_counts(rows)
        assert not db.execute("SELECT 1 FROM fact_counts WHERE figures <= 0").fetchall()
    finally:
        db.close()
    return rows


def _build_mixed_archive(folder, seed: int) -> tuple[Archive, list[str]]:
    rng = random.Random(seed)
    archive = Archive(folder)
    ids = [_save(archive, rng, number, rng.randint(0, 9)) for number in range(40)]
    for number in rng.sample(range(40), 12):  # re-extracted: other figures, other dates and sites
        _save(archive, rng, number, rng.randint(1, 9))
    for number in rng.sample(range(40), 5):  # re-extracted to no figure at all
        _save(archive, rng, number, 0)
    for number in rng.sample(range(40), 5):  # found to copy another article
        _save(archive, rng, number, rng.randint(1, 5), duplicate_of=ids[(number + 1) % 40])
    return archive, ids


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_summary_counts_equal_a_count_over_the_facts_rows_after_inserts_reextractions_and_deletes(tmp_path, seed):
    archive, _ = _build_mixed_archive(tmp_path / "archive", seed)
    with archive:
        rows = _assert_summary_is_exact(archive)
    assert len(rows) > 50 and {row["kind"] for row in rows} == {"count", "money", "percent"}


def test_a_figure_taken_away_leaves_no_count_and_no_key_behind(tmp_path):
    rng = random.Random(7)
    with Archive(tmp_path / "archive") as archive:
        _save(archive, rng, 1, 6)
        _save(archive, rng, 1, 0)
        counts = [archive.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in ("fact_counts", "fact_keys")]
    assert counts == [0, 0]


def _scope(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from jiwen.library.indicators import PlaceScope

    scope = PlaceScope(name)
    return tuple(sorted(scope.names)), tuple(sorted(scope.prefixes))


def _takes(selection: FactSelection, row: dict) -> bool:
    if not selection.include_all and not (row["relevant"] == 1 and row["duplicate_of"] is None):
        return False
    if selection.kinds and row["kind"] not in selection.kinds:
        return False
    if (selection.measure and row["measure"] != selection.measure) or (selection.role and row["role"] != selection.role):
        return False
    if selection.place_names or selection.place_prefixes:
        code = row["adcode"]
        if code is not None and not any(code.startswith(prefix) for prefix in selection.place_prefixes):
            return False
        if code is None and row["place"] not in selection.place_names:
            return False
    period = row["period_end"] or row["published"]
    if selection.period and not (period or "").startswith(selection.period):
        return False
    if selection.site and (row["site"] or "local") != selection.site:
        return False
    return selection.article_ids is None or row["article_id"] in selection.article_ids


def _expected_facets(taken: list[dict]) -> dict[str, dict[str, int]]:
    values = {
        "kind": lambda row: row["kind"], "measure": lambda row: row["measure"], "role": lambda row: row["role"],
        "province": lambda row: row["province"], "site": lambda row: row["site"] or "local",
        "year": lambda row: (row["period_end"] or row["published"] or "")[:4] or None,
    }  # fmt: skip
    facets = {}
    for name, value in values.items():
        counts = Counter(value(row) for row in taken if value(row) is not None)
        facets[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:30])
    return facets


def _newest_first(rows: list[dict]) -> list[tuple[str, int]]:
    ordered = sorted(rows, key=lambda row: (row["article_id"], row["seq"]))
    ordered.sort(key=lambda row: row["published"] or "", reverse=True)  # stable: ids and positions stay in order
    return [(row["article_id"], row["seq"]) for row in ordered]


SELECTIONS = [
    {}, {"kinds": ("money",)}, {"kinds": ("count", "percent"), "role": "target"}, {"measure": "城镇新增就业人数"},
    {"place": "贵州省"}, {"place": "黔东南苗族侗族自治州"}, {"place": "从江县"}, {"place": "全国"},
    {"period": "2024"}, {"period": "2024-03"}, {"period": "2023-11", "place": "贵州省"}, {"site": "local"},
    {"site": "hrss.gd.gov.cn", "kinds": ("percent",)}, {"measure": "失业率", "period": "2024", "place": "广东省"},
    {"include_all": True}, {"include_all": True, "place": "凯里市", "role": "actual"}, {"measure": "没有这个指标"},
]  # fmt: skip


@pytest.mark.parametrize("question", SELECTIONS, ids=lambda question: ",".join(f"{k}={v}" for k, v in question.items()) or "all")
def test_every_question_gets_the_rows_total_and_facets_a_scan_of_the_facts_rows_gives(tmp_path_factory, question):
    folder = tmp_path_factory.getbasetemp() / "mixed-archive"
    if not folder.exists():
        _build_mixed_archive(folder, 11)[0].close()
    fields = dict(question)
    if "place" in fields:
        fields["place_names"], fields["place_prefixes"] = _scope(fields.pop("place"))
    selection = FactSelection(**fields)
    with Archive(folder, read_only=True) as archive:
        rows = _figure_rows(sqlite3.connect(archive.db_path))
        taken = [row for row in rows if _takes(selection, row)]
        assert archive.count_facts(selection) == len(taken)
        assert archive.fact_facets(selection) == _expected_facets(taken)
        everything = [(row["article_id"], row["seq"]) for row in archive.select_facts(selection)]
        assert everything == _newest_first(taken)
        page = [(row["article_id"], row["seq"]) for row in archive.select_facts(selection, limit=7, offset=7)]
        assert page == _newest_first(taken)[7:14]
        assert [(row["article_id"], row["seq"]) for row in archive.iter_facts(selection)] == everything
        assert archive.fact_article_ids(selection) == sorted({row["article_id"] for row in taken})


def test_the_scan_and_the_summary_agree_when_the_summary_cannot_answer(tmp_path):
    """A selection by article ids (what `mentioning=` gives) is answered by a scan: the same
    numbers as the summary gives for the same figures."""
    archive, ids = _build_mixed_archive(tmp_path / "archive", 5)
    with archive:
        everything = FactSelection(include_all=True)
        by_ids = FactSelection(include_all=True, article_ids=tuple(ids))
        assert not by_ids.counted and everything.counted
        assert archive.count_facts(by_ids) == archive.count_facts(everything) > 0
        assert archive.fact_facets(by_ids) == archive.fact_facets(everything)


SCHEMA_3 = Path(__file__).resolve().parents[1] / "fixtures" / "archives" / "schema-3" / "archive.sqlite3"


def _table(db_path, sql: str) -> list[tuple]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_an_archive_written_at_schema_3_gets_exact_summaries_from_its_first_writer_and_answers_alike(tmp_path):
    """tests/fixtures/archives/schema-3 was written by jiwen at schema 3 (make_schema_3.py)."""
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(SCHEMA_3, folder / "archive.sqlite3")
    db_path = folder / "archive.sqlite3"
    assert _table(db_path, "SELECT value FROM meta WHERE key = 'schema_version'") == [("3",)]
    facts_before = _table(db_path, "SELECT * FROM facts ORDER BY article_id, seq")
    questions = [FactSelection(**fields) for fields in ({}, {"include_all": True}, {"measure": "城镇新增就业人数"}, {"period": "2024"})]
    with Archive(folder, read_only=True) as old:  # a reader of schema 3 scans
        assert not old.has_fact_summary()
        scanned = [(old.count_facts(q), old.fact_facets(q), old.select_facts(q, limit=5, offset=2)) for q in questions]
    with Archive(folder) as archive:
        assert archive.has_fact_summary()
        rows = _assert_summary_is_exact(archive)
        assert [(archive.count_facts(q), archive.fact_facets(q), archive.select_facts(q, limit=5, offset=2)) for q in questions] == scanned
    assert len(rows) == len(facts_before) > 20 and {row[0] for row in _table(db_path, "SELECT on_topic FROM fact_counts")} == {0, 1}
    assert _table(db_path, "SELECT * FROM facts ORDER BY article_id, seq") == facts_before
    assert _table(db_path, "SELECT value FROM meta WHERE key = 'schema_version'") == [("5",)]
    assert scanned[1][0] > scanned[0][0] > 0 and scanned[2][0] > 0 and scanned[3][0] > 0 and len(scanned[0][2]) == 5


def test_building_the_summaries_again_gives_the_same_tables(tmp_path):
    archive, _ = _build_mixed_archive(tmp_path / "archive", 4)
    with archive:
        before = _stored_counts(archive.db)
        with archive.transaction():
            figures = build_fact_summary(archive.db)
        assert _stored_counts(archive.db) == before and figures == archive.db.execute("SELECT COUNT(*) FROM facts").fetchone()[0]


def test_counts_held_in_memory_follow_every_commit_of_another_writer(tmp_path):
    """fact_cube.py keeps fact_counts in memory per archive; a reader opened after a writer's
    commit sees the new counts, not the ones it held."""
    rng = random.Random(9)
    folder = tmp_path / "archive"
    with Archive(folder) as writer:
        _save(writer, rng, 1, 5)
    seen = []
    month = FactSelection(include_all=True, period="2024-03")  # counted from its figures, then remembered
    for number in range(2, 6):
        with Archive(folder, read_only=True) as reader:
            seen.append(reader.fact_totals(FactSelection(include_all=True)))
            reader.fact_totals(month)
        with Archive(folder) as writer:
            _save(writer, rng, number, number + 3)
            expected = writer.db.execute("SELECT COUNT(*) FROM facts").fetchone()[0]
            in_month = writer.db.execute(
                "SELECT COUNT(*) FROM facts JOIN articles ON articles.id = facts.article_id "
                "WHERE substr(COALESCE(facts.period_end, articles.published), 1, 7) = '2024-03'"
            ).fetchone()[0]
        with Archive(folder, read_only=True) as reader:
            total, facets = reader.fact_totals(FactSelection(include_all=True))
            assert reader.fact_totals(month)[0] == in_month
        assert total == expected == sum(facets["kind"].values()) and total > seen[-1][0]
