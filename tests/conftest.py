"""Fixtures shared by every test folder: the repository's neighbours and a CLI runner."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("JIWEN_SHARED", REPO_ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"{SHARED_DIR} is absent: the seed and eval material live beside the repository (set JIWEN_SHARED)")
    return SHARED_DIR


@pytest.fixture(scope="session")
def seed_path(shared_dir: Path) -> Path:
    path = shared_dir / "seed" / "guizhou-employment.txt"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(scope="session")
def seed_gold(shared_dir: Path) -> dict:
    import json

    return json.loads((shared_dir / "seed" / "guizhou-employment.gold.json").read_text("utf-8"))


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return tmp_path / "archive"


def run_jiwen(*args: str, env: dict | None = None, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """The real CLI in a real process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-c", "from jiwen.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


@functools.cache
def schema_validator(format_name: str):
    """A compiled validator: jsonschema.validate() re-checks the schema itself on every call."""
    import jsonschema

    from jiwen.core.schema import schema_for

    schema = schema_for(format_name)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@pytest.fixture
def jiwen():
    return run_jiwen


def invoke_jiwen(*args: str) -> subprocess.CompletedProcess:
    """The same CLI through Click's runner, in this process: dictionaries and models load once
    per test session instead of once per call. Returns what run_jiwen returns."""
    from click.testing import CliRunner

    from jiwen.cli import cli

    result = CliRunner().invoke(cli, list(args), prog_name="jiwen")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)
