"""Indicator rows and the indicators-csv / indicators-jsonl exports, over a real store filled with
the fixture articles whose figures carry attribution (tests/fixtures/indicators/articles.toml)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from jiwen.core.models import IndicatorRow
from jiwen.core.schema import schema_for
from jiwen.library.export import select_articles, write_export
from jiwen.library.indicators import INDICATOR_COLUMNS, PlaceScope, indicator_rows
from jiwen.store import Archive
from tests.conftest import invoke_jiwen, schema_validator
from tests.indicator_archive import add_indicator_articles, fixture_articles


@pytest.fixture(scope="module")
def indicator_archive(tmp_path_factory):
    directory = tmp_path_factory.mktemp("indicators") / "archive"
    with Archive(directory) as archive:
        add_indicator_articles(archive)
    assert invoke_jiwen("reindex", "--archive", str(directory)).returncode == 0
    with Archive(directory, read_only=True) as archive:
        yield archive


def numeric_facts() -> int:
    return sum(len(article.facts) for _, article in fixture_articles())


def exported(archive, format_name: str, **kwargs) -> bytes:
    stream = io.BytesIO()
    write_export(select_articles(archive, **kwargs), format_name, stream)
    return stream.getvalue()


def csv_cells_as_json(row: dict) -> dict:
    """A CSV row read back with the types its schema gives (empty cells are nulls)."""
    properties = schema_for("indicators-csv")["$defs"]["IndicatorRow"]["properties"]
    typed = {}
    for name, cell in row.items():
        if cell == "":
            typed[name] = None
        elif name in ("value", "value_end"):
            typed[name] = float(cell) if "." in cell else int(cell)
        else:
            typed[name] = cell
        assert name in properties
    return typed


def test_every_numeric_fact_becomes_one_row_with_its_attribution_and_article(indicator_archive):
    rows = list(indicator_rows(select_articles(indicator_archive)))
    assert len(rows) == numeric_facts()
    county = next(row for row in rows if row.place == "从江县")
    assert county.province == "贵州省" and county.place_adcode == "522633"
    assert county.measure == "农村劳动力转移就业人数" and county.subject == "转移就业"
    assert (county.period_start, county.period_end, county.value, county.unit) == ("2023-01-01", "2023-03-31", 142000, "人")
    assert county.sentence == "其中，从江县转移就业14.2万人。" and county.url.endswith("t20230420_1.html")
    money = next(row for row in rows if row.kind == "money")
    assert money.unit == "元" and money.province == "四川省"
    percent = next(row for row in rows if row.kind == "percent")
    assert percent.unit == "%"
    national = next(row for row in rows if row.place == "全国")
    assert national.province is None and national.place_adcode is None


def test_indicators_jsonl_validates_against_its_committed_schema(indicator_archive):
    lines = exported(indicator_archive, "indicators-jsonl").decode("utf-8").splitlines()
    assert len(lines) == numeric_facts()
    for line in lines:
        schema_validator("indicators-jsonl").validate(json.loads(line))
        assert tuple(json.loads(line)) == INDICATOR_COLUMNS


def test_indicators_csv_has_the_schema_columns_and_validates_cell_by_cell(indicator_archive):
    table = list(csv.DictReader(io.StringIO(exported(indicator_archive, "indicators-csv").decode("utf-8"))))
    assert len(table) == numeric_facts()
    schema = schema_for("indicators-csv")
    assert tuple(table[0]) == INDICATOR_COLUMNS == tuple(schema["$defs"]["IndicatorRow"]["properties"])
    for row in table:
        schema_validator("indicators-csv").validate(csv_cells_as_json(row))


def test_indicators_csv_loads_in_pandas_as_a_tidy_table(indicator_archive, tmp_path):
    pandas = pytest.importorskip("pandas", reason="pandas is not installed; the data-frame check needs it")
    path = tmp_path / "indicators.csv"
    path.write_bytes(exported(indicator_archive, "indicators-csv"))
    frame = pandas.read_csv(path, dtype={"place_adcode": "string"})
    assert len(frame) == numeric_facts() and tuple(frame.columns) == INDICATOR_COLUMNS
    assert pandas.api.types.is_numeric_dtype(frame["value"])
    guizhou = frame[(frame.measure == "农村劳动力转移就业人数") & (frame.province == "贵州省")]
    assert guizhou.value.max() == 6552000 and frame.period_end.isna().sum() == 2
    jsonl = tmp_path / "indicators.jsonl"
    jsonl.write_bytes(exported(indicator_archive, "indicators-jsonl"))
    assert pandas.read_json(jsonl, lines=True, dtype={"place_adcode": str}).shape == frame.shape


def test_the_cli_exports_indicators_with_the_search_filters_and_place_meaning_the_figures_place(indicator_archive):
    archive = ["--archive", str(indicator_archive.directory)]
    result = invoke_jiwen("export", "--format", "indicators-jsonl", "--site", "sc-news", *archive)
    assert result.returncode == 0 and "exported 3 facts" in result.stderr
    assert {json.loads(line)["place"] for line in result.stdout.splitlines()} == {"四川省"}
    about = invoke_jiwen("export", "--format", "indicators-jsonl", "--place", "黔东南", *archive)
    assert {json.loads(line)["place"] for line in about.stdout.splitlines()} == {"黔东南苗族侗族自治州", "从江县"}
    guizhou = [
        json.loads(line)
        for line in invoke_jiwen("export", "--format", "indicators-jsonl", "--place", "贵州省", *archive).stdout.splitlines()
    ]
    assert len(guizhou) == 13 and {row["province"] for row in guizhou} == {"贵州省"}
    schema = invoke_jiwen("export", "--schema", "--format", "indicators-csv")
    assert json.loads(schema.stdout) == schema_for("indicators-csv")


@pytest.mark.parametrize(
    ("scope", "inside", "outside"),
    [
        ("贵州省", ["贵州省", "从江县", "黔东南苗族侗族自治州"], ["四川省", "全国", None]),
        ("贵州", ["贵州省", "从江县"], ["四川省"]),
        ("黔东南", ["黔东南苗族侗族自治州", "从江县"], ["贵州省"]),
        ("从江县", ["从江县"], ["黔东南苗族侗族自治州", "贵州省"]),
        ("全国", ["全国"], ["贵州省"]),
    ],
)
def test_a_place_scope_holds_the_place_and_the_places_inside_it(scope, inside, outside):
    rows = {row.place: row for row in indicator_rows(article_of(fixture_articles()))}
    rows[None] = IndicatorRow(
        **{
            **{name: None for name in INDICATOR_COLUMNS},
            "value": 1,
            "unit": "人",
            "qualifier": "exact",
            "kind": "count",
            "text": "1人",
            "sentence": "",
            "article_id": "x",
        }
    )
    chosen = PlaceScope(scope)
    assert all(rows[name] in chosen for name in inside)
    assert not any(rows[name] in chosen for name in outside)


def article_of(entries):
    from jiwen.core.models import ArchivedArticle

    for number, (site, article) in enumerate(entries):
        fields = {name: getattr(article, name) for name in article.__struct_fields__}
        yield ArchivedArticle(**fields, id=f"{number:016x}", site=site)


FACTS_DEV_TEXTS = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "facts-dev" / "texts"


@pytest.mark.skipif(not FACTS_DEV_TEXTS.is_dir(), reason=f"facts dev texts not at {FACTS_DEV_TEXTS} (../shared)")
def test_an_archive_of_the_real_dev_texts_exports_indicators_that_validate_load_in_pandas_and_trend(tmp_path):
    """Issue 13's 'done when' on real text: the 16 facts-dev articles ingested with the CLI (into a
    temporary archive, never the repository), exported as indicators-csv and drawn by trends."""
    pandas = pytest.importorskip("pandas", reason="pandas is not installed; the data-frame check needs it")
    archive = tmp_path / "archive"
    assert invoke_jiwen("ingest", str(FACTS_DEV_TEXTS), "--archive", str(archive), "-q").returncode == 0
    csv_path = tmp_path / "indicators.csv"
    result = invoke_jiwen("export", "--format", "indicators-csv", "--archive", str(archive), "-o", str(csv_path))
    assert result.returncode == 0, result.stderr
    table = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert len(table) > 100 and tuple(table[0]) == INDICATOR_COLUMNS
    for row in table:
        schema_validator("indicators-csv").validate(csv_cells_as_json(row))
    frame = pandas.read_csv(csv_path, dtype={"place_adcode": "string"})
    assert len(frame) == len(table) and pandas.api.types.is_numeric_dtype(frame["value"])
    assert frame.measure.eq("农村劳动力转移就业人数").sum() >= 5 and frame.article_id.nunique() >= 10
    chart = tmp_path / "t.png"
    result = invoke_jiwen("trends", "农村劳动力转移就业人数", "--by", "year", "--plot", str(chart), "--archive", str(archive))
    assert result.returncode == 0, result.stderr
    assert "农村劳动力转移就业人数, by year" in result.stdout and "新疆维吾尔自治区" in result.stdout
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
