"""archive.search.limits: a search too expensive to answer is refused with a plain message,
on the page and in the API, and never slows the database for others (issue 15, item 6)."""

from __future__ import annotations

import pytest
from django.db import connection

from archive.search import QueryTooExpensive, search_page
from tests.archive.search.test_behaviour import index

pytestmark = pytest.mark.django_db


def test_too_many_words_are_refused(alice, client, settings):
    settings.SEARCH_MAX_TERMS = 5
    index(alice, "a", "alpha beta gamma delta epsilon zeta")
    assert search_page(user=alice, query="alpha beta gamma delta epsilon").total == 1
    with pytest.raises(QueryTooExpensive, match="at most 5"):
        search_page(user=alice, query="alpha beta gamma delta epsilon zeta")
    client.force_login(alice)
    page = client.get("/search/", {"q": "a* b* c* d* e* f*"})
    assert page.status_code == 200
    assert "Please simplify it" in page.content.decode()


def test_a_search_past_the_time_limit_is_stopped_and_refused(alice, client, settings):
    # Enough documents that scoring a prefix over them takes more than a millisecond.
    words = " ".join(f"apple{i} apricot{i} avocado{i}" for i in range(100))
    for number in range(150):
        index(alice, f"d{number}", f"{words} page {number}")
    settings.SEARCH_TIMEOUT_MS = 1
    with pytest.raises(QueryTooExpensive, match="too long"):
        search_page(user=alice, query="a* OR ap* OR av* OR apr*")
    client.force_login(alice)
    page = client.get("/search/", {"q": "a* OR ap* OR av* OR apr*"})
    assert page.status_code == 200
    assert "takes too long" in page.content.decode()
    api = client.get("/api/search/", {"q": "a* OR ap* OR av* OR apr*"})
    assert api.status_code == 400
    assert "takes too long" in api.json()["q"][0]
    # The limit is local to the search: the connection is usable and unlimited afterwards.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.01), current_setting('statement_timeout')")
        assert cursor.fetchone()[1] == "0"
