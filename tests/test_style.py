"""The style, held by tools (settings in pyproject.toml) and run with the suite, so CI holds it:
ruff's lint and format, the floors of docs/architecture.md (import-linter) and mypy. Each test
runs the real tool on the repository and shows its findings when it fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = BIN / name
    if not found.exists():
        found_on_path = shutil.which(name)
        if found_on_path is None:
            pytest.skip(f"{name} is not installed (pip install -c constraints.txt -e '.[test]')")
        return found_on_path
    return str(found)


def _run(*command: str) -> subprocess.CompletedProcess:
    # PYTHON: the interpreter .ci/check-code runs import-linter and mypy with (this venv's).
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, env={**os.environ, "PYTHON": sys.executable})


def test_ruff_finds_nothing_to_lint():
    result = _run(_tool("ruff"), "check", "--quiet", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted_as_ruff_formats_it():
    result = _run(_tool("ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_floors_hold_and_mypy_finds_no_error():
    _tool("mypy")
    _tool("lint-imports")
    result = _run("bash", str(ROOT / ".ci" / "check-code"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and "Success: no issues found" in result.stdout
