"""What a figure measures: the indicator (extract/data/indicators.toml) one of whose words stands
closest before the figure in its clause or in its subject."""

from __future__ import annotations

from jiwen.core.models import CountFact, MeasuredFact


def measure_of(text: str, fact: MeasuredFact, sentence: int, rules) -> str | None:
    kind = type(fact).__struct_config__.tag
    unit = fact.unit if isinstance(fact, CountFact) else None
    # Its clause only (a word of the clause before belongs to that clause's figure).
    window_start = max(sentence, fact.start - 30)
    clause_start = max(text.rfind(mark, window_start, fact.start) for mark in "，,；;：:")
    window = text[max(window_start, clause_start + 1) : fact.end] + (fact.subject or "")
    best: tuple[int, int, str] | None = None
    for order, indicator in enumerate(rules["indicators"]):
        if kind not in indicator["kinds"] or (indicator.get("units") and unit not in indicator["units"]):
            continue
        for word in indicator["words"]:
            position = window.rfind(word)
            if position >= 0:
                key = (position + len(word), -order, indicator["name"])
                if best is None or key[:2] > best[:2]:
                    best = key
    return best[2] if best else None
