"""Fixtures for the article-extraction tests: the project's fixture pages and the dev set."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGES_DIR = REPO_ROOT / "tests" / "fixtures" / "pages"

# bench/devset.py holds the dev-set loader and scorer the quality test shares with the benchmark.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


@pytest.fixture(scope="session")
def pages_dir() -> Path:
    return PAGES_DIR


@pytest.fixture
def page_bytes(pages_dir: Path):
    def read(name: str) -> bytes:
        return (pages_dir / name).read_bytes()

    return read


@pytest.fixture(scope="session")
def devset():
    from bench.devset import DevSetUnavailable, load_devset

    try:
        return load_devset()
    except DevSetUnavailable as error:
        pytest.skip(f"dev set unavailable: {error}")
