"""The facts dev set: 16 real employment articles with gold facts, publication dates and
attribution in /work/shared/eval/facts-dev (format in its README), scored in-process with that
folder's own matching code.

The texts are never copied into the project: they are read from ../shared (or $JIWEN_SHARED).

Two fixed halves guard against fitting rules to the texts they are scored on: the articles sorted
by id, alternately A and B (A = 1st, 3rd, 5th … = 004 006 015 018 023 028 030 033; B = 005 010 016
020 025 029 032 034; each half has 8 articles from 8 regions and one traditional-character page).
Rules are written looking at half A only; half B is reported beside it as the check.

`score.py` is imported for its matching (`score_article`, `prf`); `score_more.py` is a script
without functions, so `score_more()` below restates its rules line for line (the official
command-line scorers print the same numbers: bench/facts_quality.py --official runs them).
"""

from __future__ import annotations

import importlib.util
import json
import os
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("JIWEN_SHARED", REPO.parent / "shared"))
FACTS_DEV = SHARED / "eval" / "facts-dev"
GOLD = FACTS_DEV / "gold.json"
KINDS = ["count", "money", "percent", "place", "program", "date"]
MORE = ["published", "subject", "place", "period", "role", "role_not_actual"]


class FactsDevUnavailable(RuntimeError):
    """The shared folder with the facts dev set is not there."""


def available() -> bool:
    return GOLD.exists() and (FACTS_DEV / "score.py").exists()


@cache
def scorer():
    """The dev set's own score.py, imported from the shared folder."""
    if not available():
        raise FactsDevUnavailable(f"facts dev set not found at {FACTS_DEV}")
    spec = importlib.util.spec_from_file_location("facts_dev_score", FACTS_DEV / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def gold_articles() -> tuple[dict, ...]:
    if not available():
        raise FactsDevUnavailable(f"facts dev set not found at {FACTS_DEV}")
    return tuple(json.loads(GOLD.read_text(encoding="utf-8"))["articles"])


def halves() -> dict[str, list[str]]:
    """{"A": ids, "B": ids}: sorted ids taken alternately (see the module docstring)."""
    ids = sorted(article["id"] for article in gold_articles())
    return {"A": ids[0::2], "B": ids[1::2]}


def text_path(article: dict) -> Path:
    return (FACTS_DEV / article["file"]).resolve()


@cache
def source_urls() -> dict[str, str]:
    """Each text's page URL from sources.json (what a crawl of that page would know)."""
    sources = json.loads((FACTS_DEV / "sources.json").read_text(encoding="utf-8"))
    return {s["id"]: s["url"] for s in (sources if isinstance(sources, list) else sources.get("articles", [])) if s.get("url")}


def extract(article: dict, url: str | None = None) -> dict:
    """What `jiwen extract PATH [--url URL]` prints for the article's text, as a dict (same calls
    as the CLI)."""
    import msgspec

    from jiwen.extract.article import extract_article
    from jiwen.extract.facts import extract_facts
    from jiwen.library.ingest import page_from_file

    page = page_from_file(text_path(article))
    result = extract_article(page.body, url=url or page.url, content_type=page.content_type)
    result.facts = extract_facts(result)
    return msgspec.to_builtins(result)


def score_kinds(articles: list[dict], outputs: dict[str, dict]) -> dict[str, dict]:
    """score.py's totals per kind: {kind: {p, r, f1, tp, fp, fn, must_not}} plus examples."""
    score = scorer()
    totals = {kind: {"tp": 0, "fp": 0, "fn": 0, "must_not": 0, "missed": [], "spurious": []} for kind in KINDS}
    for article in articles:
        facts = score.clean_facts(outputs[article["id"]].get("facts") or [])
        result = score.score_article(article, facts, lenient_dates=True, title=article.get("title"))
        for kind in KINDS:
            found = result[kind]
            for key in ("tp", "fp", "fn"):
                totals[kind][key] += found[key]
            totals[kind]["must_not"] += len(found["must_not_hits"])
            totals[kind]["missed"] += [(article["id"], score.show(g, kind)) for g in found["missed"]]
            totals[kind]["spurious"] += [(article["id"], score.show(p, kind)) for p in found["spurious"]]
    for kind in KINDS:
        t = totals[kind]
        t["p"], t["r"], t["f1"] = score.prf(t["tp"], t["fp"], t["fn"])
    return totals


def _overlap(x: str, y: str) -> bool:
    if not x or not y:
        return False
    if x in y or y in x:
        return True
    return SequenceMatcher(None, x, y).find_longest_match(0, len(x), 0, len(y)).size >= 2


def score_more(articles: list[dict], outputs: dict[str, dict]) -> tuple[dict[str, float], dict[str, int], list[tuple]]:
    """score_more.py's published / subject / place / period / role shares, their counts, and the misses."""
    score = scorer()
    short_place, num, nfkc = score.short_place, score.num, score.nfkc
    counts = {key: [0, 0] for key in MORE}
    misses: list[tuple] = []
    for article in articles:
        out = outputs[article["id"]]
        got = out.get("published") or None
        got = got[:10] if got else None
        lenient = article.get("published") is None and (article.get("published_note") or "").startswith("No date on the page")
        ok = lenient or got == article.get("published")
        counts["published"][0] += ok
        counts["published"][1] += 1
        if not ok:
            misses.append((article["id"], "published", article.get("published"), got))
        facts = out.get("facts", [])

        def same(f, kind, value, text):
            return (
                f.get("kind") == kind
                and num(f.get("value")) is not None
                and num(value) is not None
                and abs(num(f["value"]) - num(value)) <= 1e-6 * max(1, abs(num(value)))
                and (text is None or nfkc(text) in nfkc(f.get("text")) or nfkc(f.get("text")) in nfkc(text))
            )

        for g in article["counts"]:
            if g.get("subject") and not g.get("optional"):
                hit = any(_overlap(g["subject"], f.get("subject") or "") for f in facts if same(f, "count", g["value"], None))
                counts["subject"][0] += hit
                counts["subject"][1] += 1
                if not hit:
                    got_subjects = [f.get("subject") for f in facts if same(f, "count", g["value"], None)]
                    misses.append((article["id"], "subject", g["text"], g["subject"], got_subjects))
        for item in article.get("attribution", []):
            candidates = [f for f in facts if same(f, item["kind"], item["value"], item["text"])]
            f = candidates[0] if candidates else {}
            gold_place, got_place = item.get("place"), f.get("place")
            ok = (
                (gold_place == "全国" and got_place == "全国")
                or (
                    gold_place not in (None, "全国")
                    and got_place not in (None, "全国")
                    and short_place(gold_place) == short_place(got_place)
                )
                or (gold_place is None and got_place is None and bool(candidates))
            )
            counts["place"][0] += ok
            counts["place"][1] += 1
            if not ok:
                misses.append((article["id"], "place", item["text"], gold_place, got_place))
            if item.get("role") and candidates:
                predicted = f.get("role")
                ok = isinstance(predicted, str) and predicted.strip().lower() == item["role"]
                counts["role"][0] += ok
                counts["role"][1] += 1
                if item["role"] != "actual":
                    counts["role_not_actual"][0] += ok
                    counts["role_not_actual"][1] += 1
                if not ok:
                    misses.append((article["id"], "role", item["text"], item["role"], predicted))
            if item.get("period_end"):
                ok = (f.get("period_end") or "")[:7] == item["period_end"][:7]
                counts["period"][0] += ok
                counts["period"][1] += 1
                if not ok:
                    misses.append((article["id"], "period", item["text"], item["period_end"], f.get("period_end"), item.get("period_text")))
    shares = {key: round(hit / max(n, 1), 3) for key, (hit, n) in counts.items()}
    return shares, {key: n for key, (_hit, n) in counts.items()}, misses


def run(ids: list[str] | None = None, with_urls: bool = False) -> dict[str, dict]:
    """jiwen's output for the given article ids (all by default); `with_urls`: each text with its
    page's URL, as `jiwen extract PATH --url URL` (a crawl knows it; the official command does not)."""
    wanted = set(ids) if ids else None
    urls = source_urls() if with_urls else {}
    return {a["id"]: extract(a, urls.get(a["id"])) for a in gold_articles() if wanted is None or a["id"] in wanted}


def jionlp_outputs(ids: list[str] | None = None) -> dict[str, dict]:
    """score.py's JioNLP peer (money, dates, places) on the same texts, as outputs."""
    import contextlib
    import io

    score = scorer()
    wanted = set(ids) if ids else None
    outputs = {}
    for article in gold_articles():
        if wanted is not None and article["id"] not in wanted:
            continue
        raw = text_path(article).read_text(encoding="utf-8", errors="replace")
        with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
            facts = score.peer_jionlp(raw, article.get("published"))
        outputs[article["id"]] = {"facts": [f for f in facts if f.get("kind") != "_error"]}
    return outputs


def select(ids: list[str]) -> list[dict]:
    wanted = set(ids)
    return [a for a in gold_articles() if a["id"] in wanted]


def gold_file(ids: list[str] | None) -> Path:
    """A gold file for the official scorers: the shared one for the whole set, else a copy of it
    holding only `ids` (in a temporary folder, with absolute text paths; no text is copied)."""
    if not ids:
        return GOLD
    import tempfile

    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    gold["articles"] = [dict(a, file=str(text_path(a))) for a in gold["articles"] if a["id"] in set(ids)]
    folder = Path(tempfile.mkdtemp(prefix="jiwen-facts-dev-"))
    path = folder / f"gold-{'-'.join(ids[:1])}-{len(ids)}.json"
    path.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return path
