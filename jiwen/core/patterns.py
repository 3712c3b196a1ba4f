"""Regular expressions a user supplies (sites.toml `article_patterns`, `deny_patterns`,
`pagination.patterns`), compiled with a guard.

A pattern such as `(a+)+$` backtracks exponentially: one list-page link like `/aaaa…a!` pinned a
core for good, and since Python's `re` holds the interpreter inside C while it matches, the crawl
ignored SIGTERM too. Two guards:

- at load, `pattern_problem` refuses the shapes that backtrack catastrophically: an unbounded
  repeat around another unbounded repeat with nothing between them that the inner one cannot eat
  (`(a+)+`, `(\\w+\\d*)+`, `(?:.*,)+`), or around alternatives that can start with the same
  character (`(a|a)*`, `(a|aa)+`). A separator the inner repeat cannot match keeps a nested
  repeat linear (`(?:/\\w+)+`, `(?:\\d+\\.)+`), so those pass;
- at match time, every match runs under the `regex` module's `timeout` (the standard library has
  none); a pattern that runs out of time once (the polynomial `a*a*a*a*b` kind the static check
  cannot see) is logged and treated as matching nothing from then on, so a crawl stays responsive.
"""

from __future__ import annotations

import logging
import re
import re._constants as sre  # the standard library's own parse of a pattern (Python 3.11+)
import re._parser as sre_parse

import regex

log = logging.getLogger("jiwen.patterns")

# Generous for a URL (matching takes microseconds), short enough that a stuck pattern costs a
# crawl a fraction of a second once.
MATCH_SECONDS = 0.25
# A repeat bounded this high is treated as unbounded: `(a{1,1000}){1,1000}` backtracks as badly.
UNBOUNDED_FROM = 50
# Characters the static check compares character classes on: ASCII, and a few CJK and wide ones.
_ALPHABET = frozenset(map(chr, range(128))) | frozenset("中文年月日，。　／－＿")
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be used, in one line naming it; None when it can."""
    try:
        parsed = sre_parse.parse(pattern)
        regex.compile(pattern)
    except (re.error, regex.error) as error:
        return f"pattern {pattern!r} is not a valid regular expression ({error})"
    if _catastrophic(parsed):
        return (
            f"pattern {pattern!r} can backtrack without end (a repeat inside a repeat, or alternatives "
            "that overlap, under * or +); write it without the nesting, e.g. '(a+)+' as 'a+'"
        )
    return None


class GuardedPattern:
    """A compiled pattern whose every match is bounded in time (see the module docstring)."""

    def __init__(self, pattern: str, compiled: str | None = None, flags: int = 0) -> None:
        self.pattern = pattern  # as the user wrote it, for messages
        self._compiled = regex.compile(compiled if compiled is not None else pattern, flags)
        self._disabled = False

    def match(self, text: str):
        return self._run(self._compiled.match, text)

    def search(self, text: str):
        return self._run(self._compiled.search, text)

    def _run(self, method, text: str):
        if self._disabled:
            return None
        try:
            # concurrent=False: keep the interpreter lock. A URL matches in microseconds, and
            # `regex` otherwise releases the lock for every match: in the crawl's reactor thread,
            # beside the pipeline's sender and reader threads, each match then waited up to a
            # switch interval (5 ms) to get it back (0.4 ms a match beside one busy thread,
            # against 0.003 ms).
            return method(text, concurrent=False, timeout=MATCH_SECONDS)
        except TimeoutError:
            self._disabled = True
            log.warning(
                "pattern %r took longer than %ss on %r; it matches nothing for the rest of this run, "
                "rewrite it in sites.toml", self.pattern, MATCH_SECONDS, text[:200],
            )  # fmt: skip
            return None


def _catastrophic(items) -> bool:
    for op, value in items:
        if op in _REPEATS:
            low, high, body = value
            if op != getattr(sre, "POSSESSIVE_REPEAT", None) and _unbounded(high) and _ambiguous_body(body):
                return True
            if _catastrophic(body):
                return True
        elif op is sre.SUBPATTERN:
            if _catastrophic(value[-1]):
                return True
        elif op is sre.BRANCH:
            if any(_catastrophic(branch) for branch in value[1]):
                return True
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            if _catastrophic(value[1]):
                return True
        # ATOMIC_GROUP never backtracks into itself: nothing inside it can blow up.
    return False


def _unbounded(high: int) -> bool:
    return high is sre.MAXREPEAT or high >= UNBOUNDED_FROM


def _ambiguous_body(body) -> bool:
    """Whether one text can be split into iterations of `body` in many ways."""
    items = _unwrap(body)
    inner = list(_inner_repeats(items))
    if inner:
        eaten = set().union(*(_characters(repeat_body) for repeat_body in inner))
        separators = [_single_characters(op, value) for op, value in items]
        # Every required single character is one the inner repeats can also eat (or there is none).
        if all(chars is None or chars <= eaten for chars in separators):
            return True
    # Alternatives that can start alike. Python's parser factors common prefixes out ('a|aa' is
    # 'a(?:|a)'), so an alternative that can match nothing starts where the next iteration does.
    following = _first_characters(items)
    for alternatives in (value[1] for op, value in items if op is sre.BRANCH):
        if sum(map(_nullable, alternatives)) > 1:
            return True
        starts = [_first_characters(_unwrap(alt)) | (following if _nullable(alt) else set()) for alt in alternatives]
        for index, first in enumerate(starts):
            if any(first & other for other in starts[index + 1 :]):
                return True
    return False


def _nullable(items) -> bool:
    """Whether `items` can match the empty string (anchors and lookarounds count as empty)."""
    for op, value in items:
        if op in _REPEATS:
            if value[0] > 0 and not _nullable(value[2]):
                return False
        elif op is sre.SUBPATTERN:
            if not _nullable(value[-1]):
                return False
        elif op is sre.BRANCH:
            if not any(_nullable(branch) for branch in value[1]):
                return False
        elif _single_characters(op, value) is not None:
            return False
    return True


def _unwrap(items):
    """A body that is one group, as the group's items."""
    items = list(items)
    while len(items) == 1 and items[0][0] is sre.SUBPATTERN:
        items = list(items[0][1][-1])
    return items


def _inner_repeats(items):
    for op, value in items:
        if op in _REPEATS and op != getattr(sre, "POSSESSIVE_REPEAT", None):
            low, high, body = value
            if _unbounded(high):
                yield body
            else:
                yield from _inner_repeats(body)
        elif op is sre.SUBPATTERN:
            yield from _inner_repeats(value[-1])
        elif op is sre.BRANCH:
            for branch in value[1]:
                yield from _inner_repeats(branch)


def _single_characters(op, value) -> set[str] | None:
    """The characters one single-character item matches; None for other items (repeats, groups,
    anchors), which are not separators."""
    if op is sre.LITERAL:
        return {chr(value)}
    if op is sre.NOT_LITERAL:
        return set(_ALPHABET - {chr(value)})
    if op is sre.ANY:
        return set(_ALPHABET)
    if op is sre.IN:
        return _class_characters(value)
    return None


def _characters(items) -> set[str]:
    """Every character `items` can match anywhere (an over-approximation)."""
    found: set[str] = set()
    for op, value in items:
        single = _single_characters(op, value)
        if single is not None:
            found |= single
        elif op in _REPEATS:
            found |= _characters(value[2])
        elif op is sre.SUBPATTERN:
            found |= _characters(value[-1])
        elif op is sre.BRANCH:
            for branch in value[1]:
                found |= _characters(branch)
    return found


def _first_characters(items) -> set[str]:
    """The characters a match of `items` can start with (an over-approximation)."""
    found: set[str] = set()
    for op, value in items:
        single = _single_characters(op, value)
        if single is not None:
            return found | single
        if op in _REPEATS:
            found |= _first_characters(value[2])
            if value[0] > 0:
                return found
        elif op is sre.SUBPATTERN:
            return found | _first_characters(value[-1])
        elif op is sre.BRANCH:
            for branch in value[1]:
                found |= _first_characters(branch)
            return found
        # anchors and lookarounds match no character: look further
    return found


def _class_characters(items) -> set[str]:
    chars: set[str] = set()
    negate = False
    for op, value in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            chars.add(chr(value))
        elif op is sre.RANGE:
            chars |= {char for char in _ALPHABET if value[0] <= ord(char) <= value[1]}
        elif op is sre.CATEGORY:
            chars |= {char for char in _ALPHABET if _CATEGORY_TESTS.get(value, lambda _: True)(char)}
    return set(_ALPHABET - chars) if negate else chars


_CATEGORY_TESTS = {
    sre.CATEGORY_DIGIT: lambda char: re.match(r"\d", char) is not None,
    sre.CATEGORY_NOT_DIGIT: lambda char: re.match(r"\D", char) is not None,
    sre.CATEGORY_SPACE: lambda char: re.match(r"\s", char) is not None,
    sre.CATEGORY_NOT_SPACE: lambda char: re.match(r"\S", char) is not None,
    sre.CATEGORY_WORD: lambda char: re.match(r"\w", char) is not None,
    sre.CATEGORY_NOT_WORD: lambda char: re.match(r"\W", char) is not None,
}
