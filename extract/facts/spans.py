"""A set of character spans that answers "does this overlap / hold that?" by bisection.

The finders used to test each new match against every span found so far (`any(...)` over a
list), which made a body with many facts quadratic (an 8 MB body took minutes). Spans found in
one text barely nest, so looking at the few neighbours around the insertion point answers for all.
"""

from __future__ import annotations

from bisect import bisect_left, insort

_REACH = 4  # neighbours looked at on each side


class Spans:
    def __init__(self, spans=()):
        self._spans: list[tuple[int, int]] = sorted(spans)

    def add(self, start: int, end: int) -> None:
        insort(self._spans, (start, end))

    def _near(self, start: int):
        index = bisect_left(self._spans, (start, start))
        return self._spans[max(0, index - _REACH) : index + _REACH]

    def overlaps(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self._near(start))

    def holds(self, start: int, end: int) -> bool:
        """Some span contains [start, end)."""
        return any(s <= start and end <= e for s, e in self._near(start))

    def starts_inside(self, start: int, end: int) -> bool:
        """Some span starts strictly inside (start, end)."""
        index = bisect_left(self._spans, (start + 1, -1))
        return index < len(self._spans) and self._spans[index][0] < end

    def __iter__(self):
        return iter(self._spans)
