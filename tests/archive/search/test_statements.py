"""What one search costs in statements: pinned, so the fixed cost per query cannot creep back.

A search's time on a quiet database is mostly its round trips (about 20 before this was
pinned: the configurations, the row count, the tsquery, the estimate, the count and facets,
the term statistics, a prefix's expansions, the ranking, the rows, the pages, the snippets).
The counts below are of ``search_page`` as the view calls it, the same path at any archive
size for these queries (the archive is past the impact-list threshold).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.search import search_page
from tests.archive.search.corpus import build

pytestmark = pytest.mark.django_db


def _statements(user, query: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        page = search_page(user=user, query=query)
    assert page.hits
    return [item["sql"] for item in captured.captured_queries]


def test_a_one_word_search_runs_a_fixed_number_of_statements(alice, settings):
    settings.SEARCH_IMPACT_THRESHOLD = 20
    build(alice, 150)
    # The search's own transaction (a savepoint and its release here, inside the test's),
    # statement_timeout, configurations and row count, tsquery, estimate, savepoint, planner
    # settings, count with facets, settings back, release, term statistics, ranking (scored
    # from the postings), the documents, the pages with the best one's text, the snippets.
    # (19 before: the row count, the pages' texts and a second match of the ranking each
    # had a statement of their own.)
    statements = _statements(alice, "lantern")
    assert len(statements) == 16, "\n".join(statements)
