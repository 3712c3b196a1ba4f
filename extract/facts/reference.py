"""The day a text speaks from when it states no publication date: the day in its lead and the year
its body is about (extract/data/dates.toml [reference]). Relative dates (今年, 上月) and periods are
resolved against it; the article's `published` stays as the page stated it."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from jiwen.extract.facts.nlp import load_rules

LEAD_DAY = re.compile(r"(\d{1,2})月(\d{1,2})日")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)年")


def reference_date(text: str) -> str | None:
    """`YYYY-MM-DD` of the lead's day in the year the body is about, or None when the text does
    not fix both."""
    rules = load_rules("dates.toml")["reference"]
    lead = LEAD_DAY.search(text, 0, rules["lead_chars"])
    if lead is None:
        return None
    counts = Counter(YEAR.findall(text))
    if not counts:
        return None
    year, mentions = max(counts.items(), key=lambda item: (item[1], item[0]))
    if mentions < rules["min_year_mentions"]:
        return None
    says_last = any(word in text for word in rules["last_year_words"])
    says_this = any(word in text for word in rules["this_year_words"])
    if says_last == says_this:
        return None
    reference_year = int(year) + (1 if says_last else 0)
    try:
        return date(reference_year, int(lead.group(1)), int(lead.group(2))).isoformat()
    except ValueError:
        return None
