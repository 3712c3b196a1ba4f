"""Give every figure of a bench archive the attribution an extracted figure has.

bench/synthetic.py's figures carry no measure, role, place or period, so on its archives `/facts`
filters match nothing and every count by those is one row: a summary of counts looks free. An
extracted figure carries them: on the 16 articles of the facts dev set (/work/shared/eval/facts-dev,
`jiwen extract`, December 2026), all 167 figures have a place with its code and a role, 137 (82 %)
a period and 73 (44 %) a measure. This rewrites a COPY of an archive (schema 3 or later; its
`facts` table, and nothing else) so that its figures do too, deterministically from each figure's
article id and position:

- place: each article is about one county (drawn from its id) of its site's province (the provincial
  sites of bench/synthetic.py: hrss.gd.gov.cn reports on 广东省) or, on the two national sites, of
  any province; a figure's place is that county (60 %), its prefecture (25 %), its province (10 %)
  or 全国 (5 %, no code);
- role: actual 55 %, target 15 %, change 10 %, allocation 8 %, other 8 %, standard 4 %;
- measure: for 44 % of the figures, one of the indicators of extract/data/indicators.toml that
  measure the figure's kind (a percent is a rate, money an amount), the first ones more often (a
  Zipf-like draw); none for the rest;
- period: the article's publication month (40 %), its year (25 %), the year before (10 %), the next
  year (a target, 7 %), none (18 %).

It rewrites the `facts` table and (schemas 2-4) the `figures` table (which measures each article reports), not
the facts blobs of the articles: the article pages and `/trends`, which read those, still show
the synthetic facts. From schema 4 on it then rebuilds the fact summaries (`/facts` reads
those) from the rewritten rows, as the upgrade to schema 4 builds them.

    python bench/attribution.py DIR       # DIR/archive.sqlite3, in place: give it a copy
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
import tomllib
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROLES = (("actual", 55), ("target", 15), ("change", 10), ("allocation", 8), ("other", 8), ("standard", 4))
SITE_PROVINCES = {
    "hrss.gd.gov.cn": "44", "rst.guizhou.gov.cn": "52", "rsj.sh.gov.cn": "31", "hrss.zj.gov.cn": "33",
    "rst.sc.gov.cn": "51", "hrss.hunan.gov.cn": "43", "rst.henan.gov.cn": "41", "hrss.yn.gov.cn": "53",
}  # fmt: skip


@cache
def measures(kind: str) -> tuple[str, ...]:
    data = tomllib.loads((REPO / "extract" / "data" / "indicators.toml").read_text(encoding="utf-8"))
    return tuple(indicator["name"] for indicator in data["indicator"] if kind in indicator["kinds"])


@cache
def counties() -> tuple[tuple[str, str, str, str, str, str], ...]:
    """(county, code, prefecture, its code, province, its code) of every county in the gazetteer."""
    from jiwen.text.gazetteer import gazetteer

    places = {place.name: place for forms in gazetteer().by_form.values() for place in forms if place.adcode}
    by_code = {place.adcode: place for place in places.values()}
    found = []
    for place in places.values():
        if place.level != "county" or not place.adcode or place.adcode.endswith("00"):
            continue
        province = by_code.get(place.adcode[:2] + "0000")
        prefecture = by_code.get(place.adcode[:4] + "00") or province  # a municipality's districts
        if prefecture and province:
            found.append((place.name, place.adcode, prefecture.name, prefecture.adcode, province.name, province.adcode))
    return tuple(sorted(found, key=lambda county: county[1]))


def _weighted(share: float, choices) -> str:
    total = sum(weight for _, weight in choices)
    point = share * total
    for value, weight in choices:
        point -= weight
        if point < 0:
            return value
    return choices[-1][0]


@cache
def counties_of(code: str | None) -> tuple:
    """The counties of the province whose code starts with `code` (all of them for None)."""
    return tuple(county for county in counties() if code is None or county[1].startswith(code))


def attribution(article_id: str, seq: int, kind: str, published: str | None, site: str | None) -> tuple:
    """(measure, role, place, adcode, province, period_start, period_end) of one figure."""
    # Seeded by the article (its county) and by the figure (the rest): the same figure always gets
    # the same attribution. (Not zlib.crc32 of salted keys: its values for two salts of one key
    # are tied to each other, and the draws came out correlated.)
    choices = counties_of(SITE_PROVINCES.get(site or ""))
    county = choices[int(random.Random(article_id).random() * len(choices))]
    draw = random.Random(f"{article_id}/{seq}").random
    share = draw()
    if share < 0.60:
        place, adcode, province = county[0], county[1], county[4]
    elif share < 0.85:
        place, adcode, province = county[2], county[3], county[4]
    elif share < 0.95:
        place, adcode, province = county[4], county[5], county[4]
    else:
        place, adcode, province = "全国", None, None
    role = _weighted(draw(), ROLES)
    measure = None
    if draw() < 0.44:
        names = measures(kind)
        measure = names[min(len(names) - 1, int(len(names) * draw() ** 2))]
    year = int((published or "2024")[:4])
    month = (published or "2024-01")[5:7] or "01"
    share = draw()
    if share < 0.40:
        period = (f"{year}-{month}-01", f"{year}-{month}-28")
    elif share < 0.65:
        period = (f"{year}-01-01", f"{year}-12-31")
    elif share < 0.75:
        period = (f"{year - 1}-01-01", f"{year - 1}-12-31")
    elif share < 0.82:
        period = (f"{year + 1}-01-01", f"{year + 1}-12-31")
    else:
        period = (None, None)
    return (measure, role, place, adcode, province, *period)


def attribute(database: Path, batch: int = 5_000) -> int:
    """Rewrite the attribution columns of every row of `facts` in `database`, `batch` articles a
    transaction (the rows are read a batch at a time: a million articles hold some 58 million
    figures, more than memory holds as tuples); then (schemas 2-4) the `figures` table and, from
    schema 4 on, the fact summaries, rebuilt from the rewritten rows as the upgrade builds them.
    Killed midway, run it again: the attribution of a figure is always the same. Returns how many
    figures were rewritten."""
    db = sqlite3.connect(database, isolation_level=None)
    db.execute("PRAGMA secure_delete = OFF")
    update = (
        "UPDATE facts SET measure = ?, role = ?, place = ?, adcode = ?, province = ?, period_start = ?, period_end = ? "
        "WHERE article_id = ? AND seq = ?"
    )
    written, last = 0, ""
    while True:
        articles = db.execute("SELECT id, published, site FROM articles WHERE id > ? ORDER BY id LIMIT ?", (last, batch)).fetchall()
        if not articles:
            break
        last = articles[-1][0]
        about = {article_id: (published, site) for article_id, published, site in articles}
        rows = db.execute(
            "SELECT article_id, seq, kind FROM facts WHERE article_id >= ? AND article_id <= ?",
            (articles[0][0], last),
        ).fetchall()
        updates = [(*attribution(article_id, seq, kind, *about[article_id]), article_id, seq) for article_id, seq, kind in rows]
        db.execute("BEGIN")
        written += db.executemany(update, updates).rowcount
        db.execute("COMMIT")
        if written and written // 1_000_000 != (written - len(updates)) // 1_000_000:
            print(f"  {written:,} figures, up to article {last}", file=sys.stderr, flush=True)
    db.execute("BEGIN")
    # Schemas 2-4's `figures` table said which articles report which measure (`jiwen trends`);
    # from schema 5 the summaries below say it.
    if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'figures'").fetchone():
        db.execute("DELETE FROM figures")
        db.execute("INSERT INTO figures (article_id, seq, measure) SELECT article_id, seq, measure FROM facts WHERE measure IS NOT NULL")
    version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if version and int(version[0]) >= 4:
        from jiwen.store.fact_summary import build_fact_summary

        build_fact_summary(db)
    db.execute("COMMIT")
    db.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("archive", type=Path, help="archive folder (rewritten in place)")
    arguments = parser.parse_args()
    started = time.perf_counter()
    written = attribute(arguments.archive / "archive.sqlite3")
    print(f"{written:,} figures attributed in {time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
