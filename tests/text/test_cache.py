"""The cache of derived data: the facts are the same with it, without it and while it is written;
a damaged or stale file (marshal data, the segmenter's trie) is never read; jieba's tags read from it are jieba's tags."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from jiwen.text import cache
from jiwen.text.dictionary import WordTags, _jieba_dictionary, _tag_texts

REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "seed" / "guizhou-employment.txt"

# Articles and facts of every file named on the command line, one JSON object.
EXTRACT_ALL = """
import json, sys
import msgspec
from pathlib import Path
from jiwen.extract import extract_article, extract_facts
from jiwen.library.ingest import page_from_file
out = {}
for name in sys.argv[1:]:
    page = page_from_file(Path(name))
    article = extract_article(page.body, url=page.url, content_type=page.content_type)
    article.facts = extract_facts(article)
    out[name] = json.loads(msgspec.json.encode(article))
print(json.dumps(out, ensure_ascii=False, sort_keys=True))
"""


def _extract_all(files: list[str], cache_setting: str) -> dict:
    env = {**os.environ, "JIWEN_CACHE": cache_setting}
    done = subprocess.run([sys.executable, "-c", EXTRACT_ALL, *files], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_the_facts_are_the_same_without_the_cache_while_it_is_written_and_read_from_it(tmp_path):
    files = sorted(str(path) for path in (REPO / "tests" / "fixtures" / "facts").glob("*.txt"))
    files += sorted(str(path) for path in (REPO / "jiwen" / "demo" / "site" / "news").rglob("*.html"))[:4]
    if SEED.exists():
        files.append(str(SEED))
    folder = tmp_path / "cache"
    uncached = _extract_all(files, "off")
    writing = _extract_all(files, str(folder))  # an empty cache: built, then written
    written = sorted(path.name.split("-")[0] for path in (folder / "derived").glob("*.marshal"))
    assert written == ["char_counts", "gazetteer", "user_words", "word_tags"]
    (trie,) = (folder / "derived").glob("segmenter-*.dat")  # the segmenter's trie with its user words
    reading = _extract_all(files, str(folder))
    assert sum(len(article["facts"]) for article in uncached.values()) > 100
    assert uncached == writing == reading
    # A damaged trie is not read: the segmenter is built again and the file replaced.
    size = trie.stat().st_size
    trie.write_bytes(os.urandom(4096))
    assert _extract_all(files, str(folder)) == uncached
    assert trie.stat().st_size == size


def test_a_damaged_file_is_built_again_and_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("JIWEN_CACHE", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return {"words": ["黔东南州"]}

    assert cache.cached("example", lambda: [b"data"], build) == {"words": ["黔东南州"]}
    (path,) = (tmp_path / "derived").glob("example-*.marshal")
    path.write_bytes(b"\x00not marshal")
    assert cache.cached("example", lambda: [b"data"], build) == {"words": ["黔东南州"]}
    assert cache.cached("example", lambda: [b"data"], build) == {"words": ["黔东南州"]}
    assert len(calls) == 2  # built first, built again for the damaged file, then read


def test_changed_data_makes_a_new_file_and_the_stale_one_goes(tmp_path, monkeypatch):
    monkeypatch.setenv("JIWEN_CACHE", str(tmp_path))
    assert cache.cached("example", lambda: [b"old data"], lambda: 1) == 1
    assert cache.cached("example", lambda: [b"new data"], lambda: 2) == 2
    assert cache.cached("example", lambda: [b"new data"], lambda: 3) == 2
    assert len(list((tmp_path / "derived").glob("example-*.marshal"))) == 1
    assert cache.cache_key("example", [b"a"]) != cache.cache_key("example", [b"b"])


def test_an_unwritable_cache_only_costs_the_build(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("JIWEN_CACHE", str(blocker))
    assert cache.cached("example", lambda: [b"data"], lambda: [1, 2]) == [1, 2]


def test_the_tags_read_by_first_character_are_jiebas_tags():
    plain = dict(re.findall(r"^(\S+) \d+ (\S+)$", _jieba_dictionary(), re.MULTILINE))
    tags = WordTags(_tag_texts())
    words = list(plain)[::997] + ["遵义", "灯塔", "就业", "黔东南州", "Ｘ", ""]
    for word in words:
        assert tags.get(word) == plain.get(word), word
    assert "就业" in tags and tags["就业"] == plain["就业"]
