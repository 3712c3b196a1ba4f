"""The extraction dev set: 30 real Chinese news pages from the gne 0.4.3 sdist with gold records in
/work/shared/eval/html-dev.json, and the scorer described in that folder's README.

Importable by tests (`sys.path` gets the repo root) and by the bench scripts. The pages are not
copied into the project: they are downloaded once into $JIWEN_CACHE (default ~/.cache/jiwen).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

GNE_RELEASE = "gne-0.4.3"
REPO_ROOT = Path(__file__).resolve().parent.parent
GOLD_PATH = REPO_ROOT.parent / "shared" / "eval" / "html-dev.json"
SHANGHAI = timezone(timedelta(hours=8))
CATEGORIES = ("title", "date", "body_first", "body_last", "body_must", "must_not")


class DevSetUnavailable(RuntimeError):
    """The gold file or the pages cannot be had (no registry, no shared folder)."""


def cache_dir() -> Path:
    return Path(os.environ.get("JIWEN_CACHE") or Path.home() / ".cache" / "jiwen")


def pages_dir() -> Path:
    """Where the sdist's tests/ folder lives, downloading it with pip if needed."""
    target = cache_dir() / "gne"
    unpacked = target / GNE_RELEASE
    if (unpacked / "tests").is_dir():
        return unpacked
    target.mkdir(parents=True, exist_ok=True)
    archive = target / f"{GNE_RELEASE}.tar.gz"
    if not archive.exists():
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "gne==0.4.3", "-d", str(target)]
        try:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise DevSetUnavailable(f"cannot run pip to download gne==0.4.3: {error}") from None
        if completed.returncode != 0 or not archive.exists():
            last_line = (completed.stderr.strip().splitlines() or ["no output"])[-1]
            raise DevSetUnavailable(f"cannot download gne==0.4.3 from the package registry: {last_line}")
    try:
        with tarfile.open(archive) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(target, filter="data")
            else:  # Python before 3.11.4 has no extraction filters
                tar.extractall(target)
    except (OSError, tarfile.TarError) as error:
        raise DevSetUnavailable(f"cannot unpack {archive}: {error}") from None
    return unpacked


@dataclass
class DevPage:
    gold: dict
    path: Path
    data: bytes

    @property
    def name(self) -> str:
        return self.gold["file"].removeprefix("tests/").removesuffix(".html")


def load_devset() -> list[DevPage]:
    if not GOLD_PATH.exists():
        raise DevSetUnavailable(f"gold file {GOLD_PATH} is missing")
    gold_records = json.loads(GOLD_PATH.read_text("utf-8"))
    root = pages_dir()
    pages = []
    for record in gold_records:
        path = root / record["file"]
        data = path.read_bytes()
        if record.get("sha256") and hashlib.sha256(data).hexdigest() != record["sha256"]:
            print(f"warning: {record['file']} differs from the annotated page", file=sys.stderr)
        pages.append(DevPage(record, path, data))
    return pages


def _squash(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def _day(published: str | None) -> str | None:
    """The publication day in Asia/Shanghai of an ISO date or datetime."""
    if not published:
        return None
    try:
        if len(published) <= 10:
            return published[:10]
        moment = datetime.fromisoformat(published)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(SHANGHAI)
    return moment.date().isoformat()


def score_page(gold: dict, result: dict | None) -> dict[str, list[bool]]:
    """Per category, the pass/fail of each check. `result` holds title, published, body; None
    (a crash, no JSON) fails every check."""
    result = result or {}
    body = _squash(result.get("body"))
    titles = [gold["title"], *(gold.get("title_alt") or [])]
    days = [gold["published"], *(gold.get("published_alt") or [])]
    checks = {
        "title": [bool(result) and _squash(result.get("title")) in {_squash(title) for title in titles}],
        "date": [bool(result) and _day(result.get("published")) in days],
        "body_first": [bool(body) and _squash(gold["body_first"]) in body],
        "body_last": [bool(body) and _squash(gold["body_last"]) in body],
        "body_must": [bool(body) and _squash(phrase) in body for phrase in gold["body_must"]],
        "must_not": [bool(body) and _squash(phrase) not in body for phrase in gold["must_not"]],
    }
    return checks


def page_score(checks: dict[str, list[bool]]) -> float:
    flat = [passed for category in checks.values() for passed in category]
    return sum(flat) / len(flat)


@dataclass
class Summary:
    overall: float
    categories: dict[str, float]
    pages: dict[str, float]


def summarize(per_page: dict[str, dict[str, list[bool]]]) -> Summary:
    """overall = mean of page scores; a category = share of its checks passed over all pages."""
    pages = {name: page_score(checks) for name, checks in per_page.items()}
    categories = {}
    for category in CATEGORIES:
        flat = [passed for checks in per_page.values() for passed in checks[category]]
        categories[category] = sum(flat) / len(flat) if flat else 0.0
    return Summary(sum(pages.values()) / len(pages) if pages else 0.0, categories, pages)


def score_jiwen(pages: list[DevPage]) -> Summary:
    """jiwen's own extractor over the dev set (what the quality test asserts on)."""
    from jiwen.core.errors import ExtractionError
    from jiwen.extract.article import extract_article

    per_page = {}
    for page in pages:
        try:
            article = extract_article(page.data, url=page.gold.get("url"))
            result = {"title": article.title, "published": article.published, "body": article.body}
        except ExtractionError:
            result = None
        per_page[page.name] = score_page(page.gold, result)
    return summarize(per_page)
