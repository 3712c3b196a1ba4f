"""What a figure measures: the indicator (extract/data/indicators.toml) one of whose words stands
closest before the figure in its clause or in its subject."""

from __future__ import annotations

from jiwen.core.models import CountFact, MeasuredFact


def measure_of(text: str, fact: MeasuredFact, sentence: int, rules) -> str | None:
    """The indicator name, or None: an unmeasured figure beats a wrong headline indicator."""
    kind = type(fact).__struct_config__.tag
    unit = fact.unit if isinstance(fact, CountFact) else None
    # Its clause only (a word of the clause before belongs to that clause's figure).
    window_start = max(sentence, fact.start - 30)
    clause_start = max(text.rfind(mark, window_start, fact.start) for mark in "，,；;：:")
    lead = text[max(window_start, clause_start + 1) : fact.start]
    lead = lead[max((i + 1 for i, ch in enumerate(lead) if ch.isdigit()), default=0) :]  # after an earlier figure
    if lead.endswith(rules["unmeasured_before"]) or any(word in text[sentence : fact.start] for word in rules["single_entity"]):
        return None
    window = text[max(window_start, clause_start + 1) : fact.end] + (fact.subject or "")
    # Where the figure's own subject stands in the window: a word found there must be its head.
    subject = fact.subject or ""
    subject_spans = [(len(window) - len(subject), len(window))]
    if subject and fact.text.endswith(subject):
        own_end = len(window) - len(subject)
        subject_spans.append((own_end - len(subject), own_end))
    best: tuple[int, int, str] | None = None
    for order, indicator in enumerate(rules["indicators"]):
        if kind not in indicator["kinds"] or (indicator.get("units") and unit not in indicator["units"]):
            continue
        for word in indicator["words"]:
            position = window.rfind(word)
            while position >= 0 and any(start <= position < end and position + len(word) != end for start, end in subject_spans if subject):
                position = window.rfind(word, 0, position)
            if position >= 0:
                key = (position + len(word), -order, indicator["name"])
                if best is None or key[:2] > best[:2]:
                    best = key
    return best[2] if best else None
