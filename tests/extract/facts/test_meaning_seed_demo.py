"""What the figures of the seed article and the demo site mean (issue 21's examples): the place of
what a figure counts, subjects that keep their head noun, measures only where the subject supports
them, roles, and no invented places. The seed is read from ../shared (skipped without it); the
demo pages ship with jiwen."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiwen.core.models import MeasuredFact, PlaceFact
from jiwen.extract import process_page
from tests.extract import facts_fixtures

DEMO = Path(__file__).resolve().parents[3] / "jiwen" / "demo" / "site" / "news"


@pytest.fixture(scope="module")
def seed():
    if not facts_fixtures.SEED_TEXT.exists():
        pytest.skip(f"seed article absent at {facts_fixtures.SEED_TEXT} (shared material lives beside the repository)")
    # The raw dump through the whole extraction stage, as `jiwen extract` reads it.
    article = process_page(facts_fixtures.SEED_TEXT.read_bytes(), url=facts_fixtures.SEED_TEXT.as_uri(), content_type="text/plain")
    return {f.text: f for f in article.facts if isinstance(f, MeasuredFact)}


def figure(facts: dict, part: str) -> MeasuredFact:
    found = [fact for text, fact in facts.items() if part in text]
    assert len(found) == 1, sorted(facts)
    return found[0]


def demo_page(name: str):
    path = next(DEMO.glob(f"*/{name}"))
    return process_page(path.read_bytes(), url=f"http://127.0.0.1/news/{path.parent.name}/{name}", content_type="text/html")


def test_agreements_signed_with_partner_provinces_are_the_publishers_figures(seed):
    # 分别与广东、浙江、福建、江苏四省…签订劳务协议235份: the partners are not where it counts.
    assert figure(seed, "四省").place == "贵州省"
    assert figure(seed, "235份").place == "贵州省"
    assert figure(seed, "129个").place == "贵州省"  # 与广东省共建…基地


def test_a_subject_keeps_its_head_noun(seed):
    base = figure(seed, "129个")
    assert base.subject.endswith("稳岗就业基地") and base.text.endswith("稳岗就业基地")


def test_a_subject_never_starts_with_punctuation_nor_holds_another_figure(seed):
    for part in ("4213人", "144.33万人"):
        subject = figure(seed, part).subject or ""
        assert not subject.startswith(tuple("、，,；")) and not any(ch.isdigit() for ch in subject), subject


def test_people_served_and_ledgers_of_companies_are_no_headline_indicator(seed):
    assert figure(seed, "9.92万名").measure is None  # 服务9.92万名外出务工人员
    assert figure(seed, "950家").measure is None  # 建立950家重点企业台账: it counts ledgers


def test_the_demo_subsidy_indicator_holds_paid_out_totals_only():
    facts = []
    for path in sorted(DEMO.glob("*/*.html")):
        facts += [f for f in demo_page(path.name).facts if isinstance(f, MeasuredFact) and f.measure == "发放补贴金额"]
    paid = [f for f in facts if f.role == "actual"]
    assert paid, "the demo reports subsidies paid"
    texts = {f.text for f in paid}
    for rate_or_budget in ("2000元", "5000元", "3.4亿元", "26万元"):
        assert not any(rate_or_budget in text for text in texts), texts
    roles = {f.text: f.role for f in facts}
    assert roles.get("2000元") in (None, "standard") and all(role != "actual" for text, role in roles.items() if "3.4亿元" in text)


def test_a_function_word_before_a_township_suffix_is_no_place():
    names = set()
    for name in ("t20240402_1006.html", "t20240312_1003.html"):
        names |= {f.name for f in demo_page(name).facts if isinstance(f, PlaceFact)}
    assert not {"把返乡", "针对返乡"} & names and not any(n.endswith("返乡") for n in names)
