"""Article -> facts: counts, money, percents, places, programmes, dates, orgs and people.

`extractor.py` builds the blank spaCy ``zh`` pipeline (jieba segmenter + one rule component per
kind) and holds the entry points; one module per fact kind beside it.
"""

from jiwen.extract.facts.extractor import extract_facts, facts_doc, facts_of_text, pipeline

__all__ = ["extract_facts", "facts_doc", "facts_of_text", "pipeline"]
