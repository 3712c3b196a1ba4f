"""Extraction processes started warm (forked from a fork server that loaded the extractor once,
jiwen.library.extractors) beside spawned ones that each load it, in the same run: two processes
each extract the warm-up page `--pages` times, then their CPU and memory are read (psutil: pip
install -e '.[bench]'). Memory as RSS (counts a page shared by three processes three times),
PSS (shares it among them) and USS (what each holds alone).

    python bench/extractor_start.py --rounds 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def _start() -> None:
    from jiwen.library.extractors import warm_up

    warm_up()


def _extract(pages: int) -> int:
    from jiwen.extract import process_page
    from jiwen.library.extractors import WARM_UP_PAGE

    for _ in range(pages):
        process_page(WARM_UP_PAGE, url="http://warm-up.invalid/")
    return os.getpid()


def measure(method: str, pages: int) -> dict[str, float]:
    import psutil

    from jiwen.library.extractors import extraction_context

    context = extraction_context() if method == "forkserver" else multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=context, initializer=_start) as pool:
        list(pool.map(_extract, [pages] * 8))
        # The pool's processes: this process's children (spawn), or the fork server and its
        # children (the server outlives its pool: one a process).
        children = [c for c in psutil.Process().children() if "resource_tracker" not in " ".join(c.cmdline())]
        servers = [c for c in children if "multiprocessing.forkserver" in " ".join(c.cmdline())]
        if method == "forkserver":
            members = servers + [worker for server in servers for worker in server.children()]
        else:
            members = [c for c in children if c not in servers]
        full = [p.memory_full_info() for p in members]
        return {
            "processes": len(members),
            "cpu": sum(sum(p.cpu_times()[:2]) for p in members),
            "rss": sum(m.rss for m in full) / 2**20,
            "pss": sum(m.pss for m in full) / 2**20,
            "uss": sum(m.uss for m in full) / 2**20,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20, help="warm-up pages each of the 8 tasks extracts")
    parser.add_argument("--rounds", type=int, default=2)
    arguments = parser.parse_args()
    print(f"two extraction processes, 8 tasks of {arguments.pages} pages; CPU of the processes (their server's included)")
    print(f"{'started by':<34}{'processes':>10}{'CPU s':>8}{'RSS MB':>8}{'PSS MB':>8}{'USS MB':>8}")
    for _ in range(arguments.rounds):
        for method, label in (("spawn", "spawn (each loads the extractor)"), ("forkserver", "fork server (loaded once)")):
            row = measure(method, arguments.pages)
            print(f"{label:<34}{row['processes']:>10.0f}{row['cpu']:>8.2f}{row['rss']:>8.0f}{row['pss']:>8.0f}{row['uss']:>8.0f}")


if __name__ == "__main__":
    main()
