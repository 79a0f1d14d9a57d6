"""archive.search.query: the search box's syntax as quoted tsquery text."""

from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.search.query import to_tsquery_text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quick brown", "('quick') & ('brown')"),
        ('"garden tools"', "('garden' <-> 'tools')"),
        ("garden -invoice", "('garden') & !('invoice')"),
        ("march OR returned", "(('march') | ('returned'))"),
        ("a b OR c d", "('a') & (('b') | ('c')) & ('d')"),
        ("invo*", "('invo':*)"),
        ("Müller", "('Muller')"),
        ("扫描图像", "('扫描' <-> '描图' <-> '图像')"),
        ("o'brien", "('o' <-> 'brien')"),
        ("gold or silver", "('gold') & ('or') & ('silver')"),
        ("OR gold OR", "('gold')"),
        ('-"x y" z', "!('x' <-> 'y') & ('z')"),
    ],
)
def test_syntax(query, expected):
    assert to_tsquery_text(query) == expected


@pytest.mark.parametrize("query", ["", "   ", "!!! & |", "-only", "OR", "*"])
def test_nothing_to_search_for(query):
    assert to_tsquery_text(query) is None


@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_input_gives_valid_tsquery(text):
    """Whatever is typed, PostgreSQL accepts the result (no syntax errors, no injection)."""
    tsquery = to_tsquery_text(text.replace("\x00", ""))
    if tsquery is None:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsquery('english', %s)", [tsquery])
        cursor.fetchone()
