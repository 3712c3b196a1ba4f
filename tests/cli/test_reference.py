"""docs/cli.md is every command's --help as the code prints it today (`.ci/cli-reference`)."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_cli_reference_in_the_docs_is_what_help_prints_today():
    reference = runpy.run_path(str(ROOT / ".ci" / "cli-reference"))["reference"]()
    written = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == reference, "docs/cli.md is stale: run `.venv/bin/python .ci/cli-reference > docs/cli.md`"
