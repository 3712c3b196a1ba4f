"""Runs of GBK text read one byte out of step, and their repair.

When a GBK (or GB18030) stream loses one byte, every following two-byte character is read from
the trail byte of one character and the lead byte of the next, until an ASCII byte puts the
reader back in step. The result is a run of characters almost never seen in news (貚彺倬蜆) that
often ends in a stray ASCII letter (the last trail byte, 0x40-0x7E). Re-encoding the run to
GB18030 bytes and dropping one byte at the start re-aligns it: 貚彺倬蜆I -> 崗促就業.
A repair is accepted only when every character it yields is common; otherwise the run is left
as it is and reported, so garbage is never indexed silently.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from jiwen.extract.article import charfreq

# A stretch of Han characters, optionally closed by one ASCII character that a GBK trail byte
# would read as (0x40-0x7E).
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+[\x40-\x7e]?")
# A run is suspicious when it carries this many rare characters, or fewer next to a "?" (the
# reader's replacement for the byte pair it could not map).
_RARE_ALONE = 3
_RARE_NEXT_TO_QUESTION_MARK = 2
_QUESTION_MARK_REACH = 4
_MARK = re.compile(r"[?\ufffd]")
# Characters either side of a mark that are searched for runs on a whole page.
_WINDOW = 40


@dataclass
class DamageReport:
    text: str
    repaired: list[tuple[str, str]]
    unrepaired: list[str]


def _rare_count(run: str) -> int:
    return sum(1 for character in run if charfreq.is_rare(character))


def _suspicious(text: str, match: re.Match, near_marks_only: bool) -> bool:
    window = text[max(match.start() - _QUESTION_MARK_REACH, 0) : match.end() + _QUESTION_MARK_REACH]
    marked = "?" in window or "\ufffd" in window
    if near_marks_only and not marked:
        return False
    rare = _rare_count(match.group())
    return rare >= _RARE_ALONE or (marked and rare >= _RARE_NEXT_TO_QUESTION_MARK)


def _realign(run: str) -> str | None:
    """The best re-aligned reading of the run's bytes, or None when none is plausible."""
    try:
        raw = run.encode("gb18030")
    except UnicodeEncodeError:
        return None
    best, best_rare = None, None
    for candidate_bytes in (raw[1:], raw[:-1], raw[1:-1]):
        try:
            candidate = candidate_bytes.decode("gb18030")
        except UnicodeDecodeError:
            continue
        han = [character for character in candidate if charfreq.is_han(character)]
        if not han or any(charfreq.is_rare(character) for character in han):
            continue
        if any(not (character.isprintable() and (charfreq.is_han(character) or character.isalnum())) for character in candidate):
            continue
        rare = _rare_count(candidate)
        if best_rare is None or rare < best_rare:
            best, best_rare = candidate, rare
    return best


def _plausibility(text: str) -> float:
    """Mean log corpus count of the Han characters: how much the text reads like Chinese."""
    han = [character for character in text if charfreq.is_han(character)]
    return sum(math.log(charfreq.char_count(character) + 1) for character in han) / max(len(han), 1)


def _repair_run(run: str) -> str | None:
    # The damage may start before the first rare character (a misread pair can be common by
    # chance): try every start up to it and keep the reading that looks most like Chinese.
    first_rare = next(index for index, character in enumerate(run) if charfreq.is_rare(character))
    best, best_score = None, _plausibility(run)
    for start in range(first_rare, -1, -1):
        repaired = _realign(run[start:])
        if repaired is None:
            continue
        candidate = run[:start] + repaired
        score = _plausibility(candidate)
        if score > best_score:
            best, best_score = candidate, score
    return best


def repair_damaged_runs(text: str, *, near_marks_only: bool = False) -> DamageReport:
    """Repair what can be re-aligned; list what cannot. `near_marks_only` looks only at runs
    next to a "?" (whole HTML pages: names and rare words are common there, lost bytes are not)."""
    if not charfreq.available():
        return DamageReport(text, [], [])
    repaired: list[tuple[str, str]] = []
    unrepaired: list[str] = []
    pieces: list[str] = []
    position = 0
    for match in _runs(text, near_marks_only):
        if not _suspicious(text, match, near_marks_only):
            continue
        fixed = _repair_run(match.group())
        if fixed is None:
            unrepaired.append(match.group())
            continue
        pieces.append(text[position : match.start()])
        pieces.append(fixed)
        position = match.end()
        repaired.append((match.group(), fixed))
    pieces.append(text[position:])
    return DamageReport("".join(pieces), repaired, unrepaired)


def _runs(text: str, near_marks_only: bool):
    if not near_marks_only:
        yield from _HAN_RUN.finditer(text)
        return
    # Only the stretches around each "?" (a whole page holds tens of thousands of runs).
    reach = _WINDOW
    end_of_last = -1
    for mark in _MARK.finditer(text):
        start = max(mark.start() - reach, end_of_last)
        end = mark.start() + reach
        for match in _HAN_RUN.finditer(text, start, end):
            if match.start() >= end_of_last:
                yield match
        end_of_last = max(end_of_last, end)
