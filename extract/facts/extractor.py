"""Facts of an article: counts, money, percents, places, programmes, dates, orgs and people.

`extract_facts(article)` runs the article body through one spaCy pipeline: a blank ``zh``
language whose tokenizer is jiwen's jieba segmenter (see `jiwen.extract.facts.nlp`; no downloadable
Chinese model exists here, so every component is rule-based), followed by one component per fact
kind. Each component reads the same segmentation (``doc.user_data["jiwen_tokens"]``) and appends
facts with character offsets into the body (``body[start:end] == text``) to ``doc._.facts``.
Regular expressions run over the whole text; only gazetteer lookups walk the words.
"""

from __future__ import annotations

import functools
from bisect import bisect_right

from jiwen.core.models import (
    Article,
    CountFact,
    Fact,
    MoneyFact,
    PercentFact,
    PersonFact,
    PlaceFact,
    ProgramFact,
    fact_kind,
)
from jiwen.extract.facts import dates, numbers, orgs, people, places, programs
from jiwen.extract.facts.attribution.figures import attribute
from jiwen.extract.facts.nlp import blank_pipeline, tokens_of
from jiwen.extract.facts.reference import reference_date

# Component name -> the function that finds that kind of fact in a segmented text.
FINDERS = {
    "jiwen_programs": programs.find_programs,
    "jiwen_numbers": numbers.find_numbers,
    "jiwen_places": places.places_of,
    "jiwen_dates": dates.find_dates,
    "jiwen_orgs": orgs.find_orgs,
    "jiwen_people": people.find_people,
}


@functools.cache
def pipeline():
    """The spaCy pipeline, built once per process: jieba tokenizer + one component per fact kind."""
    nlp = blank_pipeline()  # imports spaCy (see `import_spacy`) before the two names below
    from spacy.language import Language
    from spacy.tokens import Doc

    if not Doc.has_extension("facts"):
        Doc.set_extension("facts", default=None)
    # spaCy's default cap (1,000,000 characters) guards the memory of its parser and NER; this
    # pipeline has neither, and a 5 MB portal page can have a body past that cap.
    nlp.max_length = 50_000_000
    for name, finder in FINDERS.items():
        if name not in nlp.pipe_names:
            Language.component(name, func=_component(finder))
            nlp.add_pipe(name)
    return nlp


def _component(finder):
    def component(doc):
        if doc._.facts is None:
            doc._.facts = []
        doc._.facts.extend(finder(tokens_of(doc)))
        return doc

    return component


def facts_doc(text: str, published: str | None = None, *, with_spans: bool = True, title: str | None = None, province: str | None = None):
    """The spaCy Doc of a body with its facts in ``doc._.facts`` (the facts `jiwen extract` reports)
    and, unless `with_spans` is off, as spans in ``doc.spans["jiwen_facts"]``."""
    nlp = pipeline()
    doc = nlp.make_doc(text)
    # The publication date travels with the document, not in a global: the date component reads it.
    tokens_of(doc).published = published
    tokens_of(doc).province = province
    for _name, component in nlp.pipeline:
        doc = component(doc)
    doc._.facts = _without_overlaps(doc._.facts or [])
    # What each figure measures, where and when: from the facts around it (attribution/).
    attribute(text, doc._.facts, published, title, province)
    if not with_spans:  # a tenth of the facts stage, for tools the extractor does not use
        return doc
    # The same facts as spaCy spans (labelled by kind, widened to whole tokens), for spaCy tools.
    spans = (doc.char_span(f.start, f.end, label=fact_kind(f), alignment_mode="expand") for f in doc._.facts)
    doc.spans["jiwen_facts"] = [span for span in spans if span is not None]
    return doc


def facts_of_text(text: str, published: str | None = None, title: str | None = None, province: str | None = None) -> list[Fact]:
    """The facts of a normalized body text; `published` (ISO date) resolves relative dates and
    periods, `title` tells the place the article is about (for figures that name none),
    `province` the publisher's province (我省/本省/全省) when the caller knows it."""
    if not text:
        return []
    return list(facts_doc(text, published, with_spans=False, title=title, province=province)._.facts)


# Facts are read from at most this many characters of a body (a long article is 30,000; a body
# past this is a portal page's whole text or a dump): the stage stays linear in the body's size
# and bounded in time. extract_facts says so in the article's warnings.
FACTS_MAX_CHARS = 200_000


def facts_window(text: str, limit: int = FACTS_MAX_CHARS) -> str:
    """`text`, or its first `limit` characters cut back to the last paragraph or sentence end, so
    no fact is cut in half; offsets into it are offsets into `text`."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind("\n", 0, limit), text.rfind("。", 0, limit) + 1)
    return text[: cut if cut > limit // 2 else limit]


def extract_facts(article: Article, province: str | None = None) -> list[Fact]:
    """The facts of `article.body`, ordered by position; relative dates resolved against
    `article.published` when it is known; 我省/本省/全省 read as `province` when it is given (the
    site's `province` in sites.toml, `jiwen extract --province`), else as the text tells it. A body longer than FACTS_MAX_CHARS gives the facts of
    its first part, and a line in `article.warnings` says how much was read."""
    window = facts_window(article.body)
    if len(window) < len(article.body):
        warning = f"facts extracted from the first {len(window)} of {len(article.body)} characters"
        if warning not in article.warnings:
            article.warnings = [*article.warnings, warning]
    # A text that states no date may still fix the day it speaks from (reference.py).
    reference = article.published or reference_date(window)
    return facts_of_text(window, reference, article.title, province)


def _without_overlaps(facts: list[Fact]) -> list[Fact]:
    """Numbers inside a programme or place name (三支一扶, 天九镇) are part of the name, not counts; a place
    inside a person's name (建华 in 周建华) is part of the name, not a place."""
    program_spans = sorted((f.start, f.end) for f in facts if isinstance(f, (ProgramFact, PlaceFact)))
    person_spans = sorted((f.start, f.end) for f in facts if isinstance(f, PersonFact))

    def inside(fact: Fact, spans) -> bool:
        # The nearest span starting at or before the fact (spans of one kind do not nest much):
        # a bisection, not a scan, so a body with many facts stays linear.
        index = bisect_right(spans, (fact.start, float("inf"))) - 1
        return any(spans[i][1] >= fact.end for i in range(max(0, index - 2), index + 1))

    kept = [
        f
        for f in facts
        if not (isinstance(f, (CountFact, MoneyFact, PercentFact)) and inside(f, program_spans))
        and not (isinstance(f, PlaceFact) and inside(f, person_spans))
    ]
    kept.sort(key=lambda f: (f.start, -f.end))
    return kept
