"""Names a user types (a measure, a place, a programme, a site) checked against what jiwen knows,
with "did you mean …" from the closest known names when one is not known.

A misspelt name used to answer "no figures" or "no articles" with exit 0 (贵洲省, 农村劳动力转移),
which reads as "there is nothing" rather than "I did not understand". Known names are the
archive's indicators (`jiwen trends --list`), the gazetteer's places and their short forms
(jiwen.text.gazetteer), the programme lexicon and the programmes the archive holds, and the
configured sites, the sites the archive holds and `local` (ingested files).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from jiwen.core.errors import JiwenError

if TYPE_CHECKING:
    from jiwen.store import Archive

NATIONAL = "全国"


class UnknownName(JiwenError):
    """One or more names that jiwen does not know; `problems` is {parameter: message}."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def closest(name: str, known: Iterable[str], count: int = 3) -> list[str]:
    """The known names nearest to `name` (difflib's ratio; for CJK names a character or two off)."""
    known = list(dict.fromkeys(known))
    found = difflib.get_close_matches(name, known, n=count, cutoff=0.5)
    if not found:  # a name typed short (农村劳动力转移) of a long indicator: the ones it starts
        found = [candidate for candidate in known if candidate.startswith(name) or name in candidate][:count]
    return found


def unknown(kind: str, parameter: str, name: str, known: Iterable[str], listing: str = "") -> str:
    suggestions = closest(name, known)
    message = f"no {kind} {name!r}"
    if suggestions:
        message += "; did you mean " + " or ".join(suggestions) + "?"
    return message + (f" ({listing})" if listing else "")


def place_problem(name: str | None, parameter: str = "place") -> str | None:
    """Why `name` is not a place jiwen knows, or None when it is (or is not given)."""
    if not name or not name.strip():
        return None
    from jiwen.text.gazetteer import gazetteer
    from jiwen.text.query_text import normalize_query

    forms = gazetteer().by_form
    name = normalize_query(name).strip()
    if name == NATIONAL or name in forms:
        return None
    prefix = [form for form in forms if form.startswith(name)]
    if prefix:  # 黔东 for 黔东南: search and trends take a name's beginning
        return None
    return unknown("place", parameter, name, [form for form in forms if len(form) >= 2 and form[0] == name[0]] or forms)


def programme_problem(name: str | None, held: Iterable[str] = ()) -> str | None:
    if not name or not name.strip():
        return None
    from jiwen.text.lexicon import programme_names
    from jiwen.text.query_text import normalize_query

    name = normalize_query(name).strip()
    known = [*programme_names(), *held]
    if any(candidate.startswith(name) for candidate in known):
        return None
    return unknown("programme", "program", name, known)


def site_problem(name: str | None, held: Iterable[str] = ()) -> str | None:
    if not name or not name.strip():
        return None
    known = ["local", *held, *configured_sites()]
    if name.strip() in known:
        return None
    return unknown("site", "site", name.strip(), known, "'jiwen sites' lists them")


def measure_problem(name: str | None, known: Iterable[str]) -> str | None:
    if not name or not name.strip():
        return None
    known = list(known)
    if name.strip() in known:
        return None
    return unknown("indicator", "measure", name.strip(), known, "'jiwen trends --list' lists them")


def raise_problems(problems: dict[str, str | None]) -> None:
    found = {parameter: message for parameter, message in problems.items() if message}
    if found:
        raise UnknownName(found)


def configured_sites() -> list[str]:
    """The names in sites.toml; none when it cannot be read (its own commands report why)."""
    from jiwen.core.errors import ConfigError
    from jiwen.crawler.sites import load_sites

    try:
        return [site.name for site in load_sites()]
    except ConfigError:
        return []


def name_problems(
    archive: Archive,
    *,
    place: str | None = None,
    program: str | None = None,
    site: str | None = None,
    measure: str | None = None,
) -> dict[str, str]:
    """Every name of these that jiwen does not know, {parameter: message}: for a page that names
    all of a request's problems at once (the form's other parameters may be wrong as well)."""
    problems = {"place": place_problem(place)}
    if program:
        problems["program"] = programme_problem(program)
    if site:
        problems["site"] = site_problem(site, archive.stats()["articles_by_site"])
    if measure:
        problems["measure"] = measure_problem(measure, archive.measure_counts())
    return {name: message for name, message in problems.items() if message}
