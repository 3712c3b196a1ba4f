"""What a figure measures: the indicator (extract/data/indicators.toml) one of whose words stands
closest before the figure in its clause or in its subject."""

from __future__ import annotations

from jiwen.core.models import CountFact, MeasuredFact

CLAUSE_MARKS = "，,；;：:"


def measure_of(text: str, fact: MeasuredFact, sentence: int, rules) -> str | None:
    """The indicator name, or None: an unmeasured figure beats a wrong headline indicator."""
    kind = type(fact).__struct_config__.tag
    unit = fact.unit if isinstance(fact, CountFact) else None
    # Its clause only (a word of the clause before belongs to that clause's figure).
    window_start = max(sentence, fact.start - 30)
    clause_start = max(text.rfind(mark, window_start, fact.start) for mark in CLAUSE_MARKS)
    lead = text[max(window_start, clause_start + 1) : fact.start]
    for position in range(len(lead) - 1, -1, -1):  # after an earlier figure
        if lead[position].isdigit():
            lead = lead[position + 1 :]
            break
    if lead.endswith(rules["unmeasured_before"]):
        return None
    before = text[sentence : fact.start]
    if any(word in before for word in rules["single_entity"]):
        return None
    window = text[max(window_start, clause_start + 1) : fact.end] + (fact.subject or "")
    # Where the figure's own subject stands in the window: a word found there must be its head.
    subject = fact.subject or ""
    subject_spans = [(len(window) - len(subject), len(window))] if subject else []
    if subject and fact.text.endswith(subject):
        own_end = len(window) - len(subject)
        subject_spans.append((own_end - len(subject), own_end))
    # The word ending last wins, then the indicator listed first; only the words whose first
    # character is in the window can be in it.
    best: tuple[int, int, str] | None = None
    by_first = rules["indicator_words_by_first"]
    for character in set(window) & by_first.keys():
        for order, word, indicator in by_first[character]:
            if kind not in indicator["kinds"] or (indicator.get("units") and unit not in indicator["units"]):
                continue
            position = window.rfind(word)
            while position >= 0 and any(start <= position < end and position + len(word) != end for start, end in subject_spans):
                position = window.rfind(word, 0, position)
            if position >= 0 and (best is None or (position + len(word), -order) > best[:2]):
                best = (position + len(word), -order, indicator["name"])
    return best[2] if best else None
