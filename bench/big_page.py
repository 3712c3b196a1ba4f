"""One 8 MB news page full of figures (issue 24: goal under 20 s and 800 MB), through the real
`jiwen extract` and `jiwen ingest`: wall time and peak resident memory of each, as a table.

    .venv/bin/python bench/big_page.py
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import generate_articles

PAGE_BYTES = 8 * 1024 * 1024


def big_page(path: Path) -> int:
    """Synthetic article bodies, paragraph after paragraph, until the page holds 8 MB."""
    parts, size = [], 0
    for generated in generate_articles(5000):
        for line in generated.body.split("\n"):
            piece = f"<p>{line}</p>\n"
            parts.append(piece)
            size += len(piece.encode("utf-8"))
        if size >= PAGE_BYTES:
            break
    html = (
        "<html><head><meta charset='utf-8'><title>贵州省就业工作情况</title></head><body><div class='article'>"
        "<h1>贵州省就业工作情况</h1><div class='info'>发布时间：2024-03-05</div>" + "".join(parts) + "</div></body></html>"
    )
    path.write_bytes(html.encode("utf-8"))
    return path.stat().st_size


def measure(*args: str) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of `jiwen ARGS` in a process of its own."""
    started = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run([sys.executable, "-m", "jiwen", *args], capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far
    return elapsed, max(peak, before) / 1024


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="jiwen-big-page-") as scratch:
        page = Path(scratch) / "big.html"
        size = big_page(page)
        print(f"page: {size / 1024 / 1024:.1f} MB")
        print(f"{'command':<10} {'seconds':>8} {'peak MB':>8}")
        for name, args in (
            ("extract", ("extract", str(page), "--compact")),
            ("ingest", ("ingest", str(page), "--archive", f"{scratch}/archive", "-q")),
        ):
            seconds, peak = measure(*args)
            print(f"{name:<10} {seconds:>8.1f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
