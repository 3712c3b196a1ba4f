"""Articles and gold facts for the fact-extraction tests and bench/facts_quality.py.

The seed (/work/shared/seed, never copied into the repo) is a traditional-Chinese dump with pinyin
annotations after many characters and a sidebar of other headlines; `seed_article()` gives the
body the article extractor would export (simplified, annotations removed, sidebar dropped), so the
fact tests do not depend on that extractor. Our own articles live in tests/fixtures/facts.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from jiwen.core.models import Article

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("JIWEN_SHARED", REPO.parent / "shared"))
SEED_TEXT = SHARED / "seed" / "guizhou-employment.txt"
SEED_GOLD = SHARED / "seed" / "guizhou-employment.gold.json"
FIXTURES = REPO / "tests" / "fixtures" / "facts"

# 穩(wěn): a pinyin reading in brackets after a character, Latin letters with tone marks only.
PINYIN = re.compile(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]+\)")


def seed_article() -> Article:
    import opencc

    converter = opencc.OpenCC("t2s")
    lines = SEED_TEXT.read_text(encoding="utf-8").splitlines()
    body_lines = [
        converter.convert(PINYIN.sub("", line)).strip()
        for line in lines[3:]  # title, title again, subtitle
        if line.strip() and not line.startswith("- ")
    ]
    return Article(title="贵州多措并举稳住外出务工基本盘", body="\n".join(body_lines), published=None)


def seed_gold() -> dict:
    return json.loads(SEED_GOLD.read_text(encoding="utf-8"))


def fixture_names() -> list[str]:
    return sorted(path.name[: -len(".gold.json")] for path in FIXTURES.glob("*.gold.json"))


def fixture_article(name: str) -> Article:
    """An article written for this project: NAME.txt is the body, NAME.meta.json its metadata."""
    meta_path = FIXTURES / f"{name}.meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    body = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8").strip("\n")
    return Article(title=meta.get("title"), published=meta.get("published"), body=body)


def fixture_gold(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.gold.json").read_text(encoding="utf-8"))
