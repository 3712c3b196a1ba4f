"""The background indexer's commits under two merge policies, timed in one run on the same
articles: Whoosh's (MERGE_SMALL at every commit: the segments it picks copied posting by posting
through its posting pool) and jiwen's (no merge at a commit; past MAX_SEGMENTS segments the
smallest merged a term at a time, index/merging.py).

    python bench/index_commits.py --archive ARCHIVE [--batch 100] [--after 1000]

ARCHIVE is read only: its index is copied to a temporary folder for each policy. Each policy
starts from a copy of ARCHIVE's index (one merged segment after `jiwen reindex`) and then, as
`ArchiveIndex.add` in batches of `--batch` (what the background indexer does):

1. every article again (a reextract that changed them all), then
2. `--after` articles again (a crawl's updates into the index that reextract left).

Printed: CPU ms an article of each phase (this process: analysis, commits, merges) and the
segments at its end. bench/reextract_speed.py's archive is a good ARCHIVE
(~/.cache/jiwen/bench/reextract/archive-5000).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from whoosh.writing import MERGE_SMALL

from jiwen.index import ArchiveIndex
from jiwen.index.analyzer import segmenter
from jiwen.index.writer import open_writer
from jiwen.store import Archive


def whoosh_policy(index: ArchiveIndex) -> None:
    """What `ArchiveIndex.add` did before: Whoosh's MERGE_SMALL at the commit (here an empty
    commit right after the add's, which merges the same segments)."""
    writer = open_writer(index._index, index.directory)
    writer.commit(mergetype=MERGE_SMALL)


def run(archive: Archive, index_folder: Path, policy: str, batch: int, after: int) -> list[tuple[str, float, int]]:
    index = ArchiveIndex(index_folder)
    if policy == "whoosh":
        index._merge_small = lambda: whoosh_policy(index)  # type: ignore[method-assign]
    ids = sorted(archive.article_ids(indexable_only=True))
    rows = []
    for phase, chosen in (("every article again", ids), (f"{after:,} again after that", ids[:after])):
        started = time.process_time()
        for start in range(0, len(chosen), batch):
            index.add(archive.iter_articles(ids=chosen[start : start + batch]))
        rows.append((phase, (time.process_time() - started) * 1000 / len(chosen), index.segment_count()))
    index.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path, required=True, help="an archive with a merged index (read only)")
    parser.add_argument("--batch", type=int, default=100, help="articles a commit (the background indexer's batch)")
    parser.add_argument("--after", type=int, default=1000, help="articles added again in the second phase")
    options = parser.parse_args()
    segmenter()
    with Archive(options.archive, read_only=True) as archive, tempfile.TemporaryDirectory(prefix="index-commits-") as scratch:
        print(
            f"{len(archive.article_ids(indexable_only=True)):,} articles, batches of {options.batch}; CPU ms an article, segments at the end"
        )
        for policy in ("whoosh", "jiwen"):
            folder = Path(scratch) / policy
            shutil.copytree(archive.index_dir, folder)
            for phase, milliseconds, segments in run(archive, folder, policy, options.batch, options.after):
                print(f"  {policy:<7} {phase:<28} {milliseconds:7.2f} ms  {segments:3d} segments")
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
