"""The facts stage is bounded on very long bodies: it reads the first FACTS_MAX_CHARS characters
and says so in the article's warnings."""

from __future__ import annotations

import pytest

from jiwen.core.models import Article, CountFact
from jiwen.extract.facts import extract_facts
from jiwen.extract.facts.extractor import FACTS_MAX_CHARS, facts_window

PARAGRAPH = "今年以来，毕节市组织1500名农村劳动力赴浙江务工，发放交通补贴42万元，就业率达96%。\n"


@pytest.mark.timeout(300)
def test_a_two_megabyte_body_completes_and_reports_how_much_was_read():
    body = PARAGRAPH * (2_000_000 // len(PARAGRAPH.encode("utf-8")) + 1)
    article = Article(body=body, published="2024-06-20")
    facts = extract_facts(article)
    assert facts and max(f.end for f in facts) <= FACTS_MAX_CHARS
    assert article.warnings == [f"facts extracted from the first {len(facts_window(body))} of {len(body)} characters"]
    assert all(body[f.start : f.end] == f.text for f in facts)


def test_the_window_ends_at_a_paragraph_so_no_fact_is_cut():
    body = PARAGRAPH * (FACTS_MAX_CHARS // len(PARAGRAPH) + 10)
    window = facts_window(body)
    assert len(window) <= FACTS_MAX_CHARS and window.endswith("96%。")


def test_a_body_under_the_cap_is_read_whole_without_a_warning():
    article = Article(body=PARAGRAPH * 3, published="2024-06-20")
    assert len([f for f in extract_facts(article) if isinstance(f, CountFact)]) == 3
    assert article.warnings == []
