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

from jiwen.models import (
    fact_kind,
    Article,
    CountFact,
    Fact,
    MoneyFact,
    PercentFact,
    PersonFact,
    PlaceFact,
    ProgramFact,
)

from . import dates, numbers, orgs, people, places, programs
from .attribution import attribute
from .nlp import blank_pipeline, tokens_of

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
    from spacy.language import Language
    from spacy.tokens import Doc

    if not Doc.has_extension("facts"):
        Doc.set_extension("facts", default=None)
    nlp = blank_pipeline()
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


def facts_doc(text: str, published: str | None = None, *, with_spans: bool = True, title: str | None = None):
    """The spaCy Doc of a body with its facts in ``doc._.facts`` (what `render_facts_html` shows)
    and, unless `with_spans` is off, as spans in ``doc.spans["jiwen_facts"]``."""
    nlp = pipeline()
    doc = nlp.make_doc(text)
    # The publication date travels with the document, not in a global: the date component reads it.
    tokens_of(doc).published = published
    for _name, component in nlp.pipeline:
        doc = component(doc)
    doc._.facts = _without_overlaps(doc._.facts or [])
    # What each figure measures, where and when: from the facts around it (attribution.py).
    attribute(text, doc._.facts, published, title)
    if not with_spans:  # a tenth of the facts stage, for tools the extractor does not use
        return doc
    # The same facts as spaCy spans (labelled by kind, widened to whole tokens), for spaCy tools.
    spans = (doc.char_span(f.start, f.end, label=fact_kind(f), alignment_mode="expand") for f in doc._.facts)
    doc.spans["jiwen_facts"] = [span for span in spans if span is not None]
    return doc


def facts_of_text(text: str, published: str | None = None, title: str | None = None) -> list[Fact]:
    """The facts of a normalized body text; `published` (ISO date) resolves relative dates and
    periods, `title` tells the place the article is about (for figures that name none)."""
    if not text:
        return []
    return list(facts_doc(text, published, with_spans=False, title=title)._.facts)


def extract_facts(article: Article) -> list[Fact]:
    """The facts of `article.body`, ordered by position; relative dates resolved against
    `article.published` when it is known."""
    return facts_of_text(article.body, article.published, article.title)


def _without_overlaps(facts: list[Fact]) -> list[Fact]:
    """Numbers inside a programme name (三支一扶) are part of the name, not counts; a place
    inside a person's name (建华 in 周建华) is part of the name, not a place."""
    program_spans = [(f.start, f.end) for f in facts if isinstance(f, ProgramFact)]
    person_spans = [(f.start, f.end) for f in facts if isinstance(f, PersonFact)]

    def inside(fact: Fact, spans) -> bool:
        return any(s <= fact.start and fact.end <= e for s, e in spans)

    kept = [
        f
        for f in facts
        if not (isinstance(f, (CountFact, MoneyFact, PercentFact)) and inside(f, program_spans))
        and not (isinstance(f, PlaceFact) and inside(f, person_spans))
    ]
    kept.sort(key=lambda f: (f.start, -f.end))
    return kept
