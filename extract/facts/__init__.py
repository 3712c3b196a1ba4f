"""Article -> facts: counts, money, percents, places, programmes, dates, orgs and people.

`extractor.py` builds the blank spaCy ``zh`` pipeline (jieba segmenter + one rule component per
kind) and holds the entry points; one module per fact kind beside it.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .extractor import extract_facts, facts_doc, facts_of_text, pipeline


def __getattr__(name: str):
    # Imported on first use (PEP 562): the search index uses only nlp.py's segmenter, and
    # must not pay for the spaCy pipeline's module.
    if name in __all__:
        from . import extractor

        return getattr(extractor, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["extract_facts", "facts_doc", "facts_of_text", "pipeline"]
