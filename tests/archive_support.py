"""Archives of realistic size for tests, generated once into a cache.

`realistic_archive(destination, count)` copies an archive of `count` synthetic articles (the
bench's generator, bench/synthetic.py: ~5.5 KB bodies with places, programmes and numbers) into
`destination`. The first call builds it through the store (a page and its article per URL) and
indexes it with `jiwen.library.maintenance.reindex`, so Whoosh's parallel writer runs as users meet it;
later calls copy the cached folder from ~/.cache/jiwen/test-archives/<key>/, where the key is a
hash of the generator, this file and the count: a change to either builds a new one.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import sys
from pathlib import Path

from jiwen.core.models import Article, FetchedPage
from jiwen.store import Archive

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("JIWEN_TEST_CACHE", Path.home() / ".cache" / "jiwen" / "test-archives"))
GENERATOR = REPO_ROOT / "bench" / "synthetic.py"


def page_html(title: str, published: str, body: str) -> bytes:
    """A plain news page around the article, as a provincial site serves one."""
    paragraphs = "".join(f"<p>{html.escape(line)}</p>\n" for line in body.split("\n") if line)
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body><div class='article'><h1>{html.escape(title)}</h1>"
        f"<div class='info'>发布时间：{published}</div>\n{paragraphs}</div></body></html>"
    ).encode()


def _key(count: int) -> str:
    digest = hashlib.sha256()
    for path in (GENERATOR, Path(__file__)):
        digest.update(path.read_bytes())
    digest.update(str(count).encode())
    return digest.hexdigest()[:16]


def _build(directory: Path, count: int) -> None:
    sys.path.insert(0, str(GENERATOR.parent))
    try:
        from synthetic import generate_articles
    finally:
        sys.path.remove(str(GENERATOR.parent))
    from jiwen.library.maintenance import reindex

    with Archive(directory) as archive:
        with archive.transaction():
            for generated in generate_articles(count):
                page = FetchedPage(
                    url=generated.url,
                    body=page_html(generated.title, generated.published, generated.body),
                    status=200,
                    content_type="text/html",
                    site=generated.site,
                    fetched_at="2024-01-01T00:00:00+00:00",
                )
                page_id, _ = archive.add_page(page)
                article = Article(
                    url=generated.url, title=generated.title, published=generated.published,
                    body=generated.body, facts=generated.facts,
                )  # fmt: skip
                archive.save_article(
                    page_id, page, article, relevant=generated.relevant, relevance=1.0,
                    fingerprint=None, duplicate_of=None,
                )  # fmt: skip
        reindex(archive)


def realistic_archive(destination: Path, count: int = 2000) -> Path:
    """A copy of the cached archive of `count` articles at `destination` (store and index)."""
    cached = CACHE / f"{count}-{_key(count)}" / "archive"
    if not (cached / "archive.sqlite3").exists():
        scratch = cached.parent / f"building-{os.getpid()}"
        shutil.rmtree(scratch, ignore_errors=True)
        _build(scratch / "archive", count)
        shutil.rmtree(cached.parent / "archive", ignore_errors=True)
        os.replace(scratch / "archive", cached)
        shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(cached, destination, ignore=shutil.ignore_patterns("writer.lock", "logs"))
    return destination
