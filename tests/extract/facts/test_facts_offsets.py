"""Every fact of every fixture points exactly at its text in the body, sits in its sentence, and
has its kind's fields."""

from __future__ import annotations

import msgspec
import pytest

from jiwen.core.models import Article, Fact
from jiwen.extract.facts import extract_facts
from tests.extract import facts_fixtures

NAMES = facts_fixtures.fixture_names()


def articles() -> list[tuple[str, Article]]:
    items = [(name, facts_fixtures.fixture_article(name)) for name in NAMES]
    if facts_fixtures.SEED_TEXT.exists():
        items.append(("seed", facts_fixtures.seed_article()))
    return items


def test_there_are_at_least_ten_fixture_articles_with_gold():
    assert len(NAMES) >= 10


@pytest.mark.parametrize(("name", "article"), articles(), ids=[name for name, _ in articles()])
def test_every_fact_points_at_its_text_in_the_body(name, article):
    facts = extract_facts(article)
    assert facts, f"{name}: no facts"
    for fact in facts:
        assert article.body[fact.start : fact.end] == fact.text, (name, fact)
        assert fact.text and fact.text in fact.sentence or fact.sentence in fact.text, (name, fact)
    assert [f.start for f in facts] == sorted(f.start for f in facts)


@pytest.mark.parametrize(("name", "article"), articles(), ids=[name for name, _ in articles()])
def test_facts_round_trip_through_the_model_json(name, article):
    facts = extract_facts(article)
    decoded = msgspec.json.decode(msgspec.json.encode(facts), type=list[Fact])
    assert decoded == facts


def test_an_empty_body_has_no_facts():
    assert extract_facts(Article(body="")) == []


def test_facts_come_only_from_the_body():
    article = Article(title="北京举办招聘会", body="贵州省从江县输送626名农村劳动力。", published=None)
    assert "北京市" not in {getattr(f, "name", None) for f in extract_facts(article)}


def test_a_body_past_spacys_default_length_cap_still_gets_its_facts():
    from jiwen.extract.facts import facts_of_text

    paragraph = "从江县组织626名农村劳动力赴广东务工。\n"
    text = paragraph * (1_000_000 // len(paragraph) + 1)
    assert len(text) > 1_000_000
    facts = facts_of_text(text)
    last = facts[-1]
    assert text[last.start : last.end] == last.text and last.start > 1_000_000 - len(paragraph)


@pytest.mark.timeout(120)  # a hang guard, not a speed test: the quadratic scans took many minutes
@pytest.mark.parametrize(
    "body",
    ["1" * 300_000, "一" * 100_000, "1万" * 50_000, "百分之" * 30_000, "，。、" * 50_000],
    ids=["digits", "chinese-numerals", "mixed", "fraction-words", "punctuation"],
)
def test_a_body_of_numerals_or_punctuation_alone_ends_with_no_wrong_fact(body):
    from jiwen.extract.facts import facts_of_text

    facts = facts_of_text(body)
    assert all(body[fact.start : fact.end] == fact.text for fact in facts)
    assert not [fact for fact in facts if type(fact).__name__ in ("CountFact", "MoneyFact")]
