"""The seed: a plain-text dump in traditional characters with pinyin readings, a damaged title
line and a 47-line headline sidebar. Gold: the "article" section of guizhou-employment.gold.json."""

import json

import pytest

from jiwen.extract.article import extract_article
from jiwen.text.normalize import normalize_text


@pytest.fixture(scope="module")
def seed(seed_path):
    gold = json.loads(seed_path.with_name("guizhou-employment.gold.json").read_text("utf-8"))["article"]
    return extract_article(seed_path.read_bytes()), gold, seed_path.read_text("utf-8")


def test_seed_title_is_one_of_the_gold_headlines(seed):
    article, gold, _ = seed
    assert article.title in gold["title_any_of"]


def test_seed_author_comes_from_the_closing_credit(seed):
    article, gold, _ = seed
    assert article.author == gold["author"]


def test_seed_body_starts_and_ends_as_gold(seed):
    article, gold, _ = seed
    assert article.body.startswith(gold["body_first"])
    assert article.body.rstrip("。").endswith(gold["body_last"])


def test_seed_has_no_publication_date_and_the_sidebar_dates_are_not_taken(seed):
    article, gold, _ = seed
    assert gold["published"] is None
    assert article.published is None


def test_all_sidebar_lines_are_discarded_and_none_is_in_the_body(seed):
    article, gold, raw = seed
    sidebar_lines = [normalize_text(line)[2:] for line in raw.splitlines() if line.startswith("- ")]
    assert len(sidebar_lines) == gold["sidebar_lines"] == 47
    discarded = [item.text for item in article.discarded if item.reason == "sidebar"]
    assert len(discarded) == gold["sidebar_lines"]
    assert discarded[0].endswith(normalize_text(gold["sidebar_first"]) + "2025-05-28 06:05:37")
    assert normalize_text(gold["sidebar_last"]) in discarded[-1]
    for line in sidebar_lines:
        assert line[:12] not in article.body


def test_seed_body_is_simplified_and_free_of_pinyin_readings(seed):
    article, _, _ = seed
    assert "(wěn)" not in article.body and "(yè)" not in article.body
    assert "穩" not in article.body and "稳岗就业" in article.body


def test_seed_damaged_subtitle_is_realigned_and_the_loss_is_reported(seed):
    article, _, _ = seed
    assert article.subtitle is not None and "岗促就业" in article.subtitle
    assert any("崗促就業" in warning for warning in article.warnings)
    assert any("'?'" in warning for warning in article.warnings)
