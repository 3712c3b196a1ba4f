"""Start-up cost of one-shot commands beside stock jieba's own start, in the same run.

    .venv/bin/python bench/startup.py [--rounds 5] [--file TEXT]

Each row is a fresh process of this interpreter, timed in CPU seconds (user + system, from the
child's own resource usage, so other work on the machine matters less than for wall time); the
best of `--rounds` is printed, the rounds interleaved (each round runs every row once). The baseline is stock jieba's start: `import jieba` and a first
`jieba.lcut` of a short text, which loads jieba's dictionary from its own prefix-dictionary cache
(written by the warm-up run, as every run after a user's first). jiwen's rows run with its cache
of derived data (~/.cache/jiwen, or $JIWEN_CACHE) warm in the same way; the last row shows a
first run, with an empty cache folder each round. The last rows are parts, not commands: `import
spacy` alone (the blank zh pipeline's floor: jiwen's facts run in spaCy) and the bare interpreter. The text is the seed
(/work/shared/seed/guizhou-employment.txt, ~11 KB) when present, else one this script writes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SEED = Path("/work/shared/seed/guizhou-employment.txt")
SHORT_TEXT = "今年以来全省城镇新增就业15.2万人"
# Paragraphs in the register of a provincial employment report, repeated to ~11 KB when the seed
# is not on this machine.
FALLBACK_PARAGRAPHS = [
    "近日，某某县点对点组织输送626名农村劳动力到广东、广西务工，这是该县近期输送的第三批务工人员。",
    "今年以来，全省城镇新增就业15.2万人，完成年度目标任务的78.6%，城镇调查失业率控制在5.5%以内。",
    "全省发放创业担保贷款12.6亿元，扶持创业1.1万人，带动就业3.4万人；开展职业技能培训8.5万人次。",
    "春风行动期间，各地举办招聘会320场，提供就业岗位12万个，达成就业意向2.3万人。",
]


def seed_text(folder: Path) -> Path:
    if SEED.exists():
        return SEED
    path = folder / "employment.txt"
    paragraphs = []
    while sum(len(p.encode("utf-8")) for p in paragraphs) < 11_000:
        paragraphs.append(FALLBACK_PARAGRAPHS[len(paragraphs) % len(FALLBACK_PARAGRAPHS)])
    path.write_text("就业形势总体稳定\n\n" + "\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def cpu_seconds(command: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of one run of `command` (its children included)."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    error = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{error}")
    return usage.ru_utime + usage.ru_stime


def interleaved_best(commands: dict[str, tuple[list[str], bool]], rounds: int, env: dict[str, str]) -> dict[str, float]:
    """The best CPU time of each command over `rounds` rounds, each round running every command
    once in turn: on a shared machine the load moves within a run, and timing one command's rounds
    back to back, then the next one's, put them under different loads (the ratio to jieba moved
    from 0.97 to 1.38 between two runs that way)."""
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(rounds):
        for label, (command, fresh_cache) in commands.items():
            if fresh_cache:
                with tempfile.TemporaryDirectory() as folder:
                    times[label].append(cpu_seconds(command, {**env, "JIWEN_CACHE": folder}))
            else:
                times[label].append(cpu_seconds(command, env))
    return {label: min(values) for label, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--file", type=Path, help="the text for `jiwen extract` (default: the seed)")
    args = parser.parse_args()
    python = sys.executable
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "", "PYTHONWARNINGS": "ignore"}
    env.pop("PYTHONDONTWRITEBYTECODE")
    with tempfile.TemporaryDirectory() as folder:
        text = args.file or seed_text(Path(folder))
        jieba = [python, "-c", f"import jieba; jieba.lcut({SHORT_TEXT!r})"]
        help_ = [python, "-m", "jiwen", "--help"]
        extract = [python, "-m", "jiwen", "extract", str(text)]
        spacy = [python, "-c", "import spacy"]
        for command in (jieba, help_, extract):  # warm-up: jieba's cache, jiwen's cache, .pyc files
            cpu_seconds(command, env)
        commands = {
            "stock jieba start (import jieba; jieba.lcut(short text))": (jieba, False),
            "jiwen --help": (help_, False),
            f"jiwen extract {text.name} ({text.stat().st_size / 1000:.1f} KB)": (extract, False),
            "jiwen extract, first run (empty jiwen cache)": (extract, True),
            "of which the floor: `import spacy` alone": (spacy, False),
            "python -c pass (the interpreter)": ([python, "-c", "pass"], False),
        }
        best = interleaved_best(commands, args.rounds, env)
    baseline = best["stock jieba start (import jieba; jieba.lcut(short text))"]
    rows = list(best.items())
    print(f"CPU seconds (user + system), best of {args.rounds}, {python}")
    print()
    print("| command | CPU s | × jieba start |")
    print("|---|---|---|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.3f} | {seconds / baseline:.2f} |")


if __name__ == "__main__":
    main()
