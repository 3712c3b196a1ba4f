"""Malformed queries and filters are refused with one line that says what is wrong."""

from __future__ import annotations

import pytest

from jiwen.core.errors import QuerySyntaxError
from jiwen.core.models import SearchRequest


@pytest.mark.parametrize(
    "text, problem",
    [
        ('"高校毕业生 就业', "unclosed quote"),
        ("(稳岗返还 OR 以工代赈", "unbalanced parenthesis"),
        ("date:[20240101 TO 20240301", "unbalanced bracket"),
        ("titel:就业", "unknown field 'titel'"),
        ("title: 就业", "nothing after"),
        ("就业 AND", "operator without an operand"),
        ("OR 就业", "operator without an operand"),
        ("就业 AND OR 创业", "AND followed by OR"),
    ],
)
def test_malformed_query_syntax_raises_a_one_line_error(index, text, problem):
    with pytest.raises(QuerySyntaxError) as caught:
        index.search(SearchRequest(query=text))
    message = str(caught.value)
    assert problem in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "request_fields, problem",
    [
        ({"since": "2024/03"}, "bad date"),
        ({"until": "2024-13"}, "bad month"),
        ({"since": "2023-02-29"}, "bad day"),
        ({"kinds": ["salary"]}, "unknown fact kind"),
        ({"facets": ["author"]}, "unknown facet"),
    ],
)
def test_malformed_filters_raise_a_one_line_error(index, request_fields, problem):
    with pytest.raises(QuerySyntaxError) as caught:
        index.search(SearchRequest(**request_fields))
    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)


def test_field_syntax_and_boolean_operators_work(index):
    hits = index.search(SearchRequest(query="site:hrss.gd.gov.cn AND NOT 稳岗返还")).hits
    assert [hit.id for hit in hits] == ["tianhe-biyesheng"]
    assert [h.id for h in index.search(SearchRequest(query="place:惠州市")).hits] == ["huidong-wengang"]


def test_full_width_quotes_work_as_phrase_quotes(index):
    full_width = index.search(SearchRequest(query="“就业岗位”"))
    ascii_quotes = index.search(SearchRequest(query='"就业岗位"'))
    assert [hit.id for hit in full_width.hits] == [hit.id for hit in ascii_quotes.hits] == ["congjiang-wengang"]
