"""archive.search.cursors: cursors round-trip; edited ones are refused, never a server error."""

from __future__ import annotations

import base64

import pytest

from archive.search.cursors import BadCursor, decode_cursor, encode_cursor
from tests.archive.search.test_behaviour import index


def _raw(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_cursor_round_trips():
    assert decode_cursor(encode_cursor("relevance", repr(0.25), 7), "relevance") == ("0.25", 7)
    at = "2026-12-04T10:00:00.123456+00:00"
    assert decode_cursor(encode_cursor("newest", at, 3), "newest") == (at, 3)


@pytest.mark.parametrize(
    ("cursor", "sort"),
    [
        (_raw("newest|2026-12-04|1"), "newest"),  # a date without a time zone (issue 15, 3)
        (_raw("oldest|2026-12-04T10:00:00|1"), "oldest"),
        (_raw("relevance|nan|1"), "relevance"),
        (_raw("relevance|0.5|1"), "newest"),  # another sort's cursor
        (_raw("newest|x"), "newest"),
        ("%%%", "relevance"),
        (_raw("relevance|0.5|one"), "relevance"),
    ],
)
def test_an_edited_cursor_is_refused(cursor, sort):
    with pytest.raises(BadCursor):
        decode_cursor(cursor, sort)


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
def test_an_edited_cursor_gives_a_note_not_an_error(client, alice, sort):
    index(alice, "linnet", "A linnet sang.")
    client.force_login(alice)
    edited = _raw(f"{sort}|2026-12-04|1")
    response = client.get("/search/", {"q": "linnet", "sort": sort, "after": edited})
    assert response.status_code == 200
    assert "out of date" in response.content.decode()
