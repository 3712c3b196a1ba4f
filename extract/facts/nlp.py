"""The language resources fact extraction shares: the spaCy pipeline over jiwen's jieba segmenter
(`jiwen.text.segmenter`), the `Tokens` view rules work on, and the rule files.

The document is carried by spaCy: a *blank* ``zh`` pipeline (no trained Chinese model exists
here, and nothing is downloaded at run time) whose tokenizer is our jieba segmenter and whose
components are rule-based (`jiwen.extract.facts` adds them). We do not use spaCy's own
``segmenter = "jieba"`` setting: it calls the global jieba module, which loads jieba's dictionary a
second time (about a second) and knows none of our user words. The Doc is built straight from the
jieba words (`Doc(vocab, words=..., spaces=...)`), so segmentation happens once per text.
"""

from __future__ import annotations

import functools
import sys
import threading
import tomllib
import types
from importlib import resources
from itertools import accumulate
from typing import Any

from jiwen.text.segmenter import segment


@functools.cache
def load_rules(name: str) -> dict[str, Any]:
    """One TOML rule file from jiwen/extract/data, parsed once per process."""
    text = resources.files("jiwen.extract.data").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


class Tokens:
    """A segmented text: its words and where each starts, for rules that need word boundaries."""

    __slots__ = ("_start_set", "memo", "province", "published", "starts", "text", "words")

    def __init__(self, text: str, words: list[str], published: str | None = None):
        self.text = text
        self.published = published  # ISO date of the article, for relative dates
        self.province: str | None = None  # the publisher's province when the caller knows it (我省)
        self.memo: dict[str, object] = {}  # results one rule computes and another reuses
        self.words = words
        ends = list(accumulate(map(len, words)))
        self.starts = [0, *ends[:-1]] if words else []
        self._start_set: set[int] | None = None

    def is_boundary(self, offset: int) -> bool:
        """True when a word starts (or the text ends) at `offset`."""
        if self._start_set is None:
            self._start_set = set(self.starts)
            self._start_set.add(len(self.text))
        return offset in self._start_set

    def index_at(self, offset: int) -> int:
        """Index of the word that contains `offset`."""
        from bisect import bisect_right

        return bisect_right(self.starts, offset) - 1


class JiebaDocMaker:
    """spaCy tokenizer: jieba words straight into a Doc (jieba yields every character, so the
    words join back to the text and no token is followed by an extra space)."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str):
        from spacy.tokens import Doc

        words = segment(text)
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        doc.user_data["jiwen_tokens"] = Tokens(text, words)
        return doc


_SPACY_IMPORT = threading.Lock()


def import_spacy() -> types.ModuleType:
    """spaCy itself, imported without its command-line tools until something asks for them.

    ``spacy/__init__.py`` imports ``spacy.cli.info`` for the ``spacy.info`` helper, and with it the
    whole ``spacy.cli`` package (project tooling, downloads, typer, httpx): about a third of
    ``import spacy``, none of it used by a pipeline. While spaCy's own import runs, two placeholder
    modules stand in for ``spacy.cli`` and ``spacy.cli.info``; they are taken out of ``sys.modules``
    as soon as it returns, so any later ``import spacy.cli`` loads the real package, and the
    ``spacy.info`` the placeholder leaves behind loads the real one when called. Everything a
    pipeline runs on (Language, Vocab, Doc, the registry) is spaCy's own, imported as usual.
    Written by hand: spaCy has no switch for this (checked against spaCy 3.8)."""
    with _SPACY_IMPORT:
        if "spacy" in sys.modules:
            return sys.modules["spacy"]
        if "spacy.cli" in sys.modules:  # the real tools are already loaded: nothing to spare
            import spacy

            return spacy

        def info(*args: Any, **kwargs: Any) -> Any:
            from spacy.cli.info import info as real_info

            return real_info(*args, **kwargs)

        cli = types.ModuleType("spacy.cli")
        cli_info = types.ModuleType("spacy.cli.info")
        cli_info.info = info  # type: ignore[attr-defined]
        placeholders = {"spacy.cli": cli, "spacy.cli.info": cli_info}
        sys.modules.update(placeholders)
        try:
            import spacy
        finally:
            for name, module in placeholders.items():
                if sys.modules.get(name) is module:
                    del sys.modules[name]
        return spacy


@functools.cache
def blank_pipeline():
    """A blank zh spaCy pipeline whose tokenizer is `segmenter()`; components are added by callers."""
    import_spacy()  # before spaCy's language classes: see there
    from spacy.lang.zh import Chinese

    # spacy.blank("zh") is this class made through spaCy's config system (resolving its registry:
    # 25 ms of every one-shot command); the class's own defaults give the same blank pipeline.
    nlp = Chinese()  # default "char" segmenter: no global jieba load; replaced just below
    nlp.tokenizer = JiebaDocMaker(nlp.vocab)
    return nlp


def tokens_of(doc) -> Tokens:
    """The `Tokens` view a Doc made by `blank_pipeline()` carries."""
    tokens = doc.user_data.get("jiwen_tokens")
    if tokens is None:
        tokens = Tokens(doc.text, [token.text for token in doc])
        doc.user_data["jiwen_tokens"] = tokens
    return tokens
