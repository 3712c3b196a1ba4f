"""Fact extraction quality: jiwen against gold facts, side by side with JioNLP on the same texts.

    .venv/bin/python bench/facts_quality.py [--details] [--official]

Real text first: the facts dev set (16 real employment articles in ../shared/eval/facts-dev, never
copied here) in its two fixed halves A and B and whole (see bench/facts_dev.py: rules were
written looking at half A only), scored with that folder's own matching (score.py) and its
attribution rules (score_more.py: published, subject, place, period); JioNLP (score.py's
peer: money, dates, places) on the same texts in the same run. --official also runs the two
command-line scorers on `jiwen extract` and prints what they print.

Texts: the seed article (/work/shared/seed, normalized as the article extractor exports it:
simplified, pinyin annotations removed, sidebar dropped; skipped with a note if absent) and the
articles written for this project in tests/fixtures/facts (NAME.txt, NAME.meta.json with the
publication date, NAME.gold.json with required / optional / must_not facts).

Matching rule. A gold fact's text may occur several times in the body; all occurrences count.
  - count, money, percent: a prediction matches a gold fact when its span overlaps an occurrence
    of the gold text and the values agree (value, and value_end when the gold gives one).
  - date: overlap, and the same `date` (null for an unresolved relative date).
  - place: the same canonical name (黔东南州 -> 黔东南苗族侗族自治州). Gold lists each place once
    (the seed lists 黔东南州 but not the later 黔东南), so any mention with that name matches.
  - program: overlap, and the same name. person: the same name. org: overlap (org names are
    fuzzy at the edges: 惠东县华江鞋业厂 for 华江鞋业厂).
A required gold fact is found when some prediction matches it (recall). A prediction is a true
positive when it matches a required fact, ignored when it only matches an optional one, a false
positive otherwise (precision). must_not: a predicted programme with a must_not name, a place or
count overlapping a must_not text, or a date with a must_not value is a violation.

JioNLP (1.5) peers, run on the same bodies in the same run: jio.ner.extract_money (money),
jio.ner.extract_time with the publication date as time_base (dates; a time span's start, cut to
the gold granularity, is its date; without a publication date JioNLP resolves against today,
which is counted as it comes), and jio.recognize_location (places; it gives no offsets, so places
are also scored at the level of distinct names for both systems: "place-names").
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "extract"))

import facts_fixtures

from jiwen.extract.facts import extract_facts

sys.path.insert(0, str(REPO))
from bench import facts_dev

GOLD_KEYS = {
    "counts": "count",
    "money": "money",
    "percents": "percent",
    "places": "place",
    "programs": "program",
    "dates": "date",
    "orgs": "org",
    "people": "person",
}
KINDS = ["count", "money", "percent", "place", "place-names", "program", "date", "org", "person"]


def occurrences(body: str, text: str) -> list[tuple[int, int]]:
    spans, start = [], body.find(text)
    while text and start >= 0:
        spans.append((start, start + len(text)))
        start = body.find(text, start + 1)
    return spans


def _overlaps(span, spans) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def _same_number(a, b) -> bool:
    return a is not None and b is not None and abs(float(a) - float(b)) < 1e-6 * max(1.0, abs(float(b)))


def matches(kind: str, predicted: dict, gold: dict, body: str) -> bool:
    key_text = gold.get("text") or gold.get("name")
    spans = occurrences(body, key_text)
    span = (predicted["start"], predicted["end"])
    if kind == "person" or (kind == "place" and "name" in gold):
        return predicted.get("name") == gold["name"]
    if kind == "org":
        return _overlaps(span, spans)
    if not _overlaps(span, spans):
        return False
    if kind in ("count", "money", "percent"):
        if "value" not in gold:
            return True
        if not _same_number(predicted.get("value"), gold["value"]):
            return False
        return "value_end" not in gold or _same_number(predicted.get("value_end"), gold["value_end"])
    if kind == "date":
        return "date" not in gold or predicted.get("date") == gold["date"]
    if kind in ("place", "program"):
        return "name" not in gold or predicted.get("name") == gold["name"]
    return True


class Score:
    def __init__(self):
        self.tp = self.fp = self.found = self.required = self.violations = 0

    def add(self, other: Score):
        for field in ("tp", "fp", "found", "required", "violations"):
            setattr(self, field, getattr(self, field) + getattr(other, field))

    @property
    def precision(self):
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self):
        return self.found / self.required if self.required else 1.0

    @property
    def f1(self):
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_kind(kind: str, predicted: list[dict], gold: dict, body: str, details: list[str]) -> Score:
    key = next(k for k, v in GOLD_KEYS.items() if v == kind)
    required = gold.get("required", {}).get(key, [])
    optional = gold.get("optional", {}).get(key, [])
    score = Score()
    score.required = len(required)
    for item in required:
        if any(matches(kind, p, item, body) for p in predicted):
            score.found += 1
        else:
            details.append(f"  missed {kind}: {item}")
    for p in predicted:
        if any(matches(kind, p, item, body) for item in required):
            score.tp += 1
        elif not any(matches(kind, p, item, body) for item in optional):
            score.fp += 1
            details.append(f"  extra {kind}: {p.get('text')!r} {_short(p)}")
    return score


def score_place_names(predicted_names: set[str], gold: dict) -> Score:
    required = {g["name"] for g in gold.get("required", {}).get("places", [])}
    optional = {g.get("name") or g.get("text") for g in gold.get("optional", {}).get("places", [])}
    score = Score()
    score.required = len(required)
    score.found = len(required & predicted_names)
    score.tp = len(predicted_names & required)
    score.fp = len(predicted_names - required - optional)
    return score


def _short(fact: dict) -> str:
    fields = {k: v for k, v in fact.items() if k not in ("text", "start", "end", "sentence", "kind") and v is not None}
    return str(fields)


def must_not_violations(facts: list[dict], must_not: dict, body: str, details: list[str]) -> dict[str, int]:
    violations: dict[str, int] = defaultdict(int)
    for name in must_not.get("programs", []):
        for f in facts:
            if f["kind"] == "program" and f["name"] == name:
                violations["program"] += 1
                details.append(f"  must_not program extracted: {name}")
    for key, kinds in (("places_from_sidebar", ("place",)), ("places_text", ("place",)), ("counts", ("count", "money", "percent"))):
        for text in must_not.get(key, []):
            spans = occurrences(body, text)
            for f in facts:
                if f["kind"] in kinds and (_overlaps((f["start"], f["end"]), spans) or f["text"] == text):
                    violations[f["kind"]] += 1
                    details.append(f"  must_not {f['kind']} extracted: {f['text']}")
    for value in must_not.get("dates", []):
        for f in facts:
            if f["kind"] == "date" and f["date"] == value:
                violations["date"] += 1
                details.append(f"  must_not date extracted: {value}")
    return violations


def jiwen_predictions(article) -> list[dict]:
    import msgspec

    return [msgspec.to_builtins(f) for f in extract_facts(article)]


def jionlp_predictions(article) -> tuple[list[dict], set[str]]:
    import contextlib
    import io
    import logging

    with contextlib.redirect_stdout(io.StringIO()):  # its import prints a banner
        import jionlp as jio

    logging.disable(logging.ERROR)  # its time parser logs a traceback for every string it gives up on
    body = article.body
    predicted: list[dict] = []
    for item in jio.ner.extract_money(body, with_parsing=True):
        number = item["detail"]["num"]
        low, high = number if isinstance(number, list) else [number, None]
        predicted.append(
            {
                "kind": "money",
                "text": item["text"],
                "start": item["offset"][0],
                "end": item["offset"][1],
                "value": float(low),
                "value_end": float(high) if high else None,
            }
        )
    base = None
    if article.published:
        year, month, day = (int(x) for x in article.published[:10].split("-"))
        base = {"year": year, "month": month, "day": day}
    try:
        times = jio.ner.extract_time(body, time_base=base, with_parsing=True) if base else jio.ner.extract_time(body, with_parsing=True)
    except Exception:
        times = []
    for item in times:
        span = item["detail"].get("time")
        start_time = span[0] if isinstance(span, list) and span else None
        predicted.append(
            {"kind": "date", "text": item["text"], "start": item["offset"][0], "end": item["offset"][1], "date_full": start_time}
        )
    names: set[str] = set()
    located = jio.recognize_location(body)
    for entry, _count in located.get("domestic") or []:
        name = entry.get("county") or entry.get("city") or entry.get("province")
        if name:
            names.add(name)
    for entry, _count in located.get("foreign") or []:
        name = entry.get("city") if entry.get("city") and entry.get("city") != entry.get("country") else entry.get("country")
        if name:
            names.add(name)
    return predicted, names


def jionlp_dates_as_gold_granularity(predicted: list[dict], gold: dict, body: str) -> list[dict]:
    """JioNLP gives full timestamps; cut each to the granularity of the gold date it overlaps."""
    out = []
    gold_dates = gold.get("required", {}).get("dates", []) + gold.get("optional", {}).get("dates", [])
    for p in predicted:
        if p["kind"] != "date":
            continue
        date = None
        for g in gold_dates:
            if _overlaps((p["start"], p["end"]), occurrences(body, g["text"])) and p["date_full"]:
                width = len(g["date"]) if g.get("date") else 10
                date = p["date_full"][:width]
                break
        out.append({**p, "date": date})
    return out


def articles():
    items = []
    if facts_fixtures.SEED_TEXT.exists():
        items.append(("seed", facts_fixtures.seed_article(), facts_fixtures.seed_gold()))
    else:
        print(f"note: seed not found at {facts_fixtures.SEED_TEXT}; scoring our own articles only")
    for name in facts_fixtures.fixture_names():
        items.append((name, facts_fixtures.fixture_article(name), facts_fixtures.fixture_gold(name)))
    return items


def dev_report(with_jionlp: bool, details: bool, with_urls: bool = False) -> None:
    """The facts dev set: jiwen per half and whole, JioNLP beside it."""
    if not facts_dev.available():
        print(f"note: facts dev set not found at {facts_dev.FACTS_DEV}; real-text scores skipped")
        return
    outputs = facts_dev.run(with_urls=with_urls)
    if with_urls:
        print("(each text extracted with its page's URL from sources.json, as a crawl knows it)")
    peer = facts_dev.jionlp_outputs() if with_jionlp else {}
    groups = {
        **{f"half {name}": ids for name, ids in facts_dev.halves().items()},
        "whole": sorted(a["id"] for a in facts_dev.gold_articles()),
    }
    print("facts dev set: real articles (../shared/eval/facts-dev), score.py matching")
    print(f"{'':<8}" + "".join(f"{name:>18}" for name in groups) + (f"{'JioNLP (whole)':>18}" if peer else ""))
    print(f"{'kind':<8}" + "".join(f"{'P    R    F1':>18}" for _ in groups) + (f"{'P    R    F1':>18}" if peer else ""))
    scores = {name: facts_dev.score_kinds(facts_dev.select(ids), outputs) for name, ids in groups.items()}
    peer_scores = facts_dev.score_kinds(facts_dev.select(groups["whole"]), peer) if peer else None
    for kind in facts_dev.KINDS:
        line = f"{kind:<8}"
        for name in groups:
            t = scores[name][kind]
            line += f"   {t['p']:.3f} {t['r']:.3f} {t['f1']:.3f}"
        if peer_scores is not None:
            t = peer_scores[kind]
            line += f"   {t['p']:.3f} {t['r']:.3f} {t['f1']:.3f}" if kind in ("money", "place", "date") else f"{'-':>18}"
        print(line)
    must_not = {name: sum(scores[name][k]["must_not"] for k in facts_dev.KINDS) for name in groups}
    print(f"{'must_not':<8}" + "".join(f"{must_not[name]:>18d}" for name in groups))
    more = {name: facts_dev.score_more(facts_dev.select(ids), outputs) for name, ids in groups.items()}
    print("attribution (score_more.py rules): share right (n)")
    for key in facts_dev.MORE:
        print(f"{key:<10}" + "".join(f"{more[name][0][key]:>11.3f} ({more[name][1][key]:>3d})" for name in groups))
    if details:
        for kind in facts_dev.KINDS:
            for article_id, shown in scores["whole"][kind]["missed"]:
                print(f"  {article_id} missed {kind}: {shown}")
            for article_id, shown in scores["whole"][kind]["spurious"]:
                print(f"  {article_id} extra {kind}: {shown}")
        for miss in more["whole"][2]:
            print("  " + " ".join(map(str, miss)))


def official_report() -> None:
    """The dev set's command-line scorers on `jiwen extract`, printed as they print."""
    import subprocess

    if not facts_dev.available():
        return
    command = f"{Path(sys.executable).parent / 'jiwen'} extract {{path}}"
    for name, ids in [*facts_dev.halves().items(), ("whole", None)]:
        gold = facts_dev.gold_file(ids)
        print(f"\n$ python3 score.py --gold {gold} --cmd '{command}'   # {name}")
        subprocess.run(
            [sys.executable, str(facts_dev.FACTS_DEV / "score.py"), "--gold", str(gold), "--cmd", command, "--examples", "0"], check=False
        )
        print(f"$ python3 score_more.py --gold {gold} --cmd '{command}'   # {name}")
        completed = subprocess.run(
            [sys.executable, str(facts_dev.FACTS_DEV / "score_more.py"), "--gold", str(gold), "--cmd", command],
            check=False,
            capture_output=True,
            text=True,
        )
        print(completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else completed.stderr[-300:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list every miss, extra fact and violation")
    parser.add_argument("--no-jionlp", action="store_true", help="skip the JioNLP peer")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="score only these fixture articles (and not the seed)")
    parser.add_argument("--official", action="store_true", help="also run the dev set's own scorers on `jiwen extract`")
    parser.add_argument("--no-dev", action="store_true", help="skip the facts dev set")
    parser.add_argument(
        "--with-urls", action="store_true", help="extract the dev texts with their pages' URLs (sources.json), as a crawl would"
    )
    options = parser.parse_args()
    if not options.no_dev and not options.only:
        dev_report(not options.no_jionlp, options.details, options.with_urls)
        if options.official:
            official_report()

    totals = {"seed": defaultdict(Score), "own": defaultdict(Score)}
    peer_totals = {"seed": defaultdict(Score), "own": defaultdict(Score)}
    started = time.perf_counter()
    for name, article, gold in articles():
        if options.only and name not in options.only:
            continue
        group = "seed" if name == "seed" else "own"
        details: list[str] = []
        predicted = jiwen_predictions(article)
        by_kind = defaultdict(list)
        for fact in predicted:
            by_kind[fact["kind"]].append(fact)
        for kind in KINDS:
            if kind == "place-names":
                score = score_place_names({f["name"] for f in by_kind["place"]}, gold)
            else:
                score = score_kind(kind, by_kind[kind], gold, article.body, details)
            totals[group][kind].add(score)
        for kind, count in must_not_violations(predicted, gold.get("must_not", {}), article.body, details).items():
            totals[group][kind].violations += count
        if not options.no_jionlp:
            peer, peer_names = jionlp_predictions(article)
            peer_money = [p for p in peer if p["kind"] == "money"]
            peer_dates = jionlp_dates_as_gold_granularity(peer, gold, article.body)
            sink: list[str] = []
            peer_totals[group]["money"].add(score_kind("money", peer_money, gold, article.body, sink))
            peer_totals[group]["date"].add(score_kind("date", peer_dates, gold, article.body, sink))
            peer_totals[group]["place-names"].add(score_place_names(peer_names, gold))
        if options.details and details:
            print(f"{name}:")
            print("\n".join(details))

    own_count = len(options.only) if options.only else len(facts_fixtures.fixture_names())
    for group, title in (("seed", "seed article"), ("own", f"our {own_count} articles")):
        if not totals[group]:
            continue
        print(f"\n{title}")
        print(f"{'kind':<12} {'P':>6} {'R':>6} {'F1':>6} {'must_not':>9}   |  {'JioNLP P':>8} {'R':>6} {'F1':>6}")
        for kind in KINDS:
            score = totals[group][kind]
            line = f"{kind:<12} {score.precision:6.3f} {score.recall:6.3f} {score.f1:6.3f} {score.violations:9d}   |"
            peer = peer_totals[group].get(kind)
            if peer is not None:
                line += f"  {peer.precision:8.3f} {peer.recall:6.3f} {peer.f1:6.3f}"
            print(line)
    print(f"\n({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
