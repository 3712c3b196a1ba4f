"""jiwen on the facts dev set: 16 real employment articles with gold facts, publication dates and
attribution in ../shared/eval/facts-dev (never copied into the project), scored with that
folder's own matching (bench/facts_dev.py). The floors are regression guards at the level
reached (README "Facts quality"), not the issue's targets, which some measures do not meet yet."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from bench import facts_dev  # noqa: E402

pytestmark = pytest.mark.skipif(not facts_dev.available(), reason=f"facts dev set not at {facts_dev.FACTS_DEV} (../shared)")

KIND_FLOORS = {"count": 0.95, "money": 0.95, "percent": 0.95, "place": 0.92, "program": 0.82, "date": 0.90}
MORE_FLOORS = {"published": 0.95, "subject": 0.90, "place": 0.75, "period": 0.75}


@pytest.fixture(scope="module")
def outputs():
    return facts_dev.run()


def test_the_two_halves_are_fixed_disjoint_and_cover_the_set():
    halves = facts_dev.halves()
    assert set(halves["A"]).isdisjoint(halves["B"])
    assert sorted(halves["A"] + halves["B"]) == sorted(a["id"] for a in facts_dev.gold_articles())
    assert halves["A"][:2] == ["004", "006"] and halves["B"][:2] == ["005", "010"]


def test_every_kind_scores_at_least_its_floor_on_the_whole_set_with_no_must_not_hit(outputs):
    scores = facts_dev.score_kinds(list(facts_dev.gold_articles()), outputs)
    for kind, floor in KIND_FLOORS.items():
        assert scores[kind]["f1"] >= floor, (kind, round(scores[kind]["f1"], 3), scores[kind]["missed"], scores[kind]["spurious"])
    for kind in ("count", "money", "percent"):
        assert scores[kind]["must_not"] == 0, kind
    # Known: one place, one programme and two dates of half B hit must_not (README "Facts quality").
    assert sum(scores[kind]["must_not"] for kind in scores) <= 4


def test_publication_date_subject_place_and_period_reach_their_floors(outputs):
    shares, _counts, misses = facts_dev.score_more(list(facts_dev.gold_articles()), outputs)
    for key, floor in MORE_FLOORS.items():
        assert shares[key] >= floor, (key, shares[key], [m for m in misses if m[1] == key][:10])


def test_every_fact_s_offsets_point_at_its_text_in_the_exported_body(outputs):
    for article_id, output in outputs.items():
        body = output["body"]
        for fact in output["facts"]:
            assert body[fact["start"] : fact["end"]] == fact["text"], (article_id, fact)
