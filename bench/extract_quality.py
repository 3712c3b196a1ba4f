"""Article extraction quality on the dev set: jiwen and its peers (trafilatura, GNE,
readability-lxml + htmldate for the date) in one run, scored as /work/shared/eval/README.md says.

    /work/venv/bin/python bench/extract_quality.py [--pages]

Peers get the page already decoded to text (they do not decode bytes themselves); their dates
are read into a day with jiwen's own date parser, which only helps them.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.devset import (
    CATEGORIES,
    DevSetUnavailable,
    load_devset,
    score_page,
    summarize,
)


def run_jiwen(text: str, data: bytes, url: str | None) -> dict:
    from jiwen.extract.article import extract_article

    article = extract_article(data, url=url)
    return {"title": article.title, "published": article.published, "body": article.body}


def _peer_date(value) -> str | None:
    from jiwen.extract.article.pubdate import parse_date

    return parse_date(str(value)) if value else None


def run_trafilatura(text: str, data: bytes, url: str | None) -> dict:
    import trafilatura

    document = trafilatura.bare_extraction(text, url=url, with_metadata=True, as_dict=True) or {}
    return {"title": document.get("title"), "published": _peer_date(document.get("date")), "body": document.get("text") or ""}


_GNE = None


def run_gne(text: str, data: bytes, url: str | None) -> dict:
    global _GNE
    if _GNE is None:
        from gne import GeneralNewsExtractor

        _GNE = GeneralNewsExtractor()
    result = _GNE.extract(text)
    return {"title": result.get("title"), "published": _peer_date(result.get("publish_time")), "body": result.get("content") or ""}


def run_readability(text: str, data: bytes, url: str | None) -> dict:
    import htmldate
    import lxml.html
    from readability import Document

    document = Document(text)
    summary = lxml.html.fromstring(document.summary())
    body = "\n".join(line.strip() for line in summary.itertext() if line.strip())
    return {"title": document.short_title(), "published": _peer_date(htmldate.find_date(text, url=url)), "body": body}


EXTRACTORS = {
    "jiwen": run_jiwen,
    "gne": run_gne,
    "readability+htmldate": run_readability,
    "trafilatura": run_trafilatura,
}
# The module each extractor needs; a peer that is not installed is left out of the table, not
# scored as crashing on every page.
REQUIRES = {"jiwen": ("jiwen",), "gne": ("gne",), "readability+htmldate": ("readability", "htmldate"), "trafilatura": ("trafilatura",)}


def available_extractors(names) -> dict:
    import importlib.util

    chosen = {}
    for name in names:
        missing = [module for module in REQUIRES[name] if importlib.util.find_spec(module) is None]
        if missing:
            print(f"{name}: not installed ({', '.join(missing)}); pip install -e '.[bench]'", file=sys.stderr)
        else:
            chosen[name] = EXTRACTORS[name]
    return chosen


COLUMNS = {
    "title": "title acc",
    "date": "date acc",
    "body_first": "body start",
    "body_last": "body end",
    "body_must": "must-keep",
    "must_not": "must-not absent",
}


def evaluate(pages, extractor) -> tuple:
    per_page = {}
    for page in pages:
        text = page.data.decode("utf-8", errors="replace")
        try:
            result = extractor(text, page.data, page.gold.get("url"))
        except Exception as error:
            print(f"  {extractor.__name__} crashed on {page.name}: {type(error).__name__}: {error}", file=sys.stderr)
            result = None
        per_page[page.name] = score_page(page.gold, result)
    return summarize(per_page)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", action="store_true", help="also print each page's score per extractor")
    arguments = parser.parse_args()
    try:
        pages = load_devset()
    except DevSetUnavailable as error:
        print(f"dev set unavailable: {error}", file=sys.stderr)
        return 1
    warnings.simplefilter("ignore")
    summaries = {name: evaluate(pages, extractor) for name, extractor in available_extractors(EXTRACTORS).items()}
    header = f"{'extractor':<22}" + "".join(f"{label:>16}" for label in COLUMNS.values()) + f"{'overall':>10}"
    print(f"dev set: {len(pages)} pages")
    print(header)
    print("-" * len(header))
    for name, summary in summaries.items():
        cells = "".join(f"{summary.categories[category]:>16.3f}" for category in CATEGORIES)
        print(f"{name:<22}{cells}{summary.overall:>10.3f}")
    if arguments.pages:
        print()
        print(f"{'page':<22}" + "".join(f"{name:>22}" for name in summaries))
        for page in pages:
            print(f"{page.name:<22}" + "".join(f"{summary.pages[page.name]:>22.2f}" for summary in summaries.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
