"""A `SearchRequest` as Whoosh queries: the text query, the filters and the off-topic mask.

Whoosh's parser is lenient: it turns most malformed input into odd queries or silently drops it
(an unclosed quote becomes plain words, `titel:x` searches for the text "titel:x"). A user who
mistypes syntax should be told, so the obvious mistakes are checked here before parsing.
"""

from __future__ import annotations

import calendar
import itertools
import re

from whoosh import qparser, query
from whoosh.searching import Searcher

from jiwen.core.errors import QuerySyntaxError
from jiwen.core.models import FACT_KINDS, SearchRequest
from jiwen.index.schema import SEARCHED_FIELDS
from jiwen.text.query_text import normalize_query

# Fields a user may name in a query (`site:…`, `place:贵州省`, `date:[20240101 TO 20240331]`).
QUERY_FIELDS = ("title", "body", "id", "url", "site", "place", "province", "program", "kinds", "month", "date", "facts")
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
BINARY_OPERATORS = OPERATORS - {"NOT"}
# Chinese keyboards produce these; the parser only knows the ASCII forms.
FULL_WIDTH = str.maketrans({"“": '"', "”": '"', "（": "(", "）": ")", "：": ":"})
QUOTED = re.compile(r'"[^"]*"')
FIELD_PREFIX = re.compile(r"(?<![\w.])([A-Za-z_]+):")
DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def _fail(problem: str, text: str, advice: str) -> QuerySyntaxError:
    return QuerySyntaxError(f"bad query {text!r}: {problem}; {advice}")


def check_syntax(text: str) -> None:
    if text.count('"') % 2:
        raise _fail("unclosed quote", text, 'close the phrase with " or remove the quote')
    bare = QUOTED.sub(" ", text)
    for opening, closing, name in (("(", ")", "parenthesis"), ("[", "]", "bracket"), ("{", "}", "brace")):
        depth = 0
        for character in bare:
            depth += (character == opening) - (character == closing)
            if depth < 0:
                break
        if depth:
            raise _fail(f"unbalanced {name}", text, f"balance the {opening} {closing}")
    for match in FIELD_PREFIX.finditer(bare):
        if match.group(1) not in QUERY_FIELDS:
            raise _fail(f"unknown field {match.group(1)!r}", text, "use one of " + ", ".join(QUERY_FIELDS))
        rest = bare[match.end() :]
        if not rest or rest[0].isspace() or rest[0] == ")":
            raise _fail(f"nothing after {match.group(0)!r}", text, "give the field a value")
    words = bare.replace("(", " ").replace(")", " ").split()
    if words and (words[0] in BINARY_OPERATORS or words[-1] in OPERATORS):
        raise _fail("operator without an operand", text, "put a word on each side of AND/OR/NOT")
    for left, right in itertools.pairwise(words):
        if left in OPERATORS and right in BINARY_OPERATORS:
            raise _fail(f"{left} followed by {right}", text, "put a word between the operators")


def _first_error(node: query.Query) -> str | None:
    error = getattr(node, "error", None)
    if error:
        return str(error)
    for child in node.children():
        found = _first_error(child)
        if found:
            return found
    return None


def parse_text(text: str, schema) -> query.Query | None:
    """The user's query over title and body, or None when there is none (filters only)."""
    text = normalize_query(text.translate(FULL_WIDTH)).strip()
    if not text:
        return None
    check_syntax(text)
    parser = qparser.MultifieldParser(list(SEARCHED_FIELDS), schema, group=qparser.AndGroup)
    try:
        parsed = parser.parse(text)
    except Exception as error:
        raise _fail(str(error).splitlines()[0] if str(error) else type(error).__name__, text, "check the syntax") from None
    error = _first_error(parsed)
    if error:
        raise _fail(error, text, "check the syntax")
    if parsed is query.NullQuery or isinstance(parsed, query.qcore._NullQuery):
        return None
    return parsed


def date_bound(value: str, *, end: bool, option: str) -> int:
    """`2024-03` -> 20240301 as a start, 20240331 as an end; also YYYY and YYYY-MM-DD."""
    match = DATE.match(value.strip())
    if not match:
        raise QuerySyntaxError(f"bad date {value!r} for {option}; use YYYY-MM-DD, YYYY-MM or YYYY")
    year = int(match.group(1))
    month = int(match.group(2) or (12 if end else 1))
    if not 1 <= month <= 12:
        raise QuerySyntaxError(f"bad month in {value!r} for {option}; use YYYY-MM-DD or YYYY-MM")
    last_day = calendar.monthrange(year, month)[1]
    day = int(match.group(3) or (last_day if end else 1))
    if not 1 <= day <= last_day:
        raise QuerySyntaxError(f"bad day in {value!r} for {option}; use YYYY-MM-DD or YYYY-MM")
    return year * 10000 + month * 100 + day


def _name_query(searcher: Searcher, fieldname: str, value: str) -> query.Query:
    """The exact name when the index has it; else every name starting with it, so the short forms
    people write (贵州, 黔东南, 广西) find 贵州省, 黔东南苗族侗族自治州, 广西壮族自治区."""
    value = normalize_query(value).strip()
    if searcher.reader().doc_frequency(fieldname, value):
        return query.Term(fieldname, value)
    return query.Prefix(fieldname, value)


def filter_queries(request: SearchRequest, searcher: Searcher) -> list[query.Query]:
    filters: list[query.Query] = []
    if request.place:
        filters.append(_name_query(searcher, "place", request.place))
    if request.program:
        filters.append(_name_query(searcher, "program", request.program))
    if request.site and request.site.strip() != "local":  # local: see searcher.PreparedSearch
        filters.append(query.Term("site", request.site.strip()))
    if request.since or request.until:
        low = date_bound(request.since, end=False, option="since") if request.since else None
        high = date_bound(request.until, end=True, option="until") if request.until else None
        if low is None:
            low = 1  # 0 marks an undated article, which no date range should include
        filters.append(query.NumericRange("date", low, high))
    for kind in request.kinds:
        if kind not in FACT_KINDS:
            raise QuerySyntaxError(f"unknown fact kind {kind!r}; use one of {', '.join(FACT_KINDS)}")
        filters.append(query.Term("kinds", kind))
    return filters


def offtopic_mask(request: SearchRequest) -> query.Query | None:
    return None if request.include_offtopic else query.Term("relevant", False)
