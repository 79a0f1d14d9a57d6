"""archive.search.ranking: the first pages equal the exact ranking of every match, on an archive
past every threshold (lowered here), for each query shape, filter, sort and page."""

from __future__ import annotations

import pytest

from archive.search import SearchFilters, search_page
from archive.search.ranking import reference_top
from archive.search.terms import merge
from tests.archive.search.corpus import build

pytestmark = pytest.mark.django_db


@pytest.fixture(
    params=[(0, True), (25, True), (25, False)],
    ids=["lists-for-all", "rare-terms-read", "lists-not-built-yet"],
)
def archive(alice, bob, settings, request):
    """600 documents of alice's (and 100 of bob's with the same words), with thresholds low
    enough that common words have trimmed impact lists and counts are estimated; every term
    with a list, or rare terms (df <= 25) without one, or (no merge yet) no term with a list
    but the few created with their first documents and counts pending as deltas."""
    threshold, merged = request.param
    settings.SEARCH_IMPACT_THRESHOLD = threshold
    settings.SEARCH_IMPACT_KEEP = 15
    settings.SEARCH_COUNT_LIMIT = 60
    build(bob, 100, seed=3)
    made = build(alice, 600)
    if merged:
        assert merge(alice.pk)
        assert merge(bob.pk)
    return made


QUERIES = [
    "invoice",  # the most common word (stem and exact readings)
    "letters",
    "zephyr",  # rare: no impact list
    "garden tools",  # AND of two common words
    "quarry walnut",  # AND of two rarer words
    "harbour OR orchard",  # OR
    "invoice -garden",  # exclusion
    "stat*",  # prefix
    "report lantern river",
]


@pytest.mark.parametrize("query", QUERIES)
def test_first_and_second_page_equal_the_exact_ranking(archive, alice, query):
    expected = reference_top(alice, query, 40)
    first = search_page(user=alice, query=query, limit=20)
    assert [hit.pk for hit in first.hits] == expected[:20]
    if first.next_cursor:
        second = search_page(user=alice, query=query, limit=20, cursor=first.next_cursor)
        assert [hit.pk for hit in second.hits] == expected[20:40]
    ranks = [hit.rank for hit in first.hits]
    assert ranks == sorted(ranks, reverse=True)


def test_filters_and_offsets_keep_the_exact_ranking(archive, alice):
    filters = SearchFilters(mime_type="application/pdf")
    expected = reference_top(alice, "garden", 30, filters)
    page = search_page(user=alice, query="garden", limit=10, filters=filters)
    assert [hit.pk for hit in page.hits] == expected[:10]
    shifted = search_page(user=alice, query="garden", limit=10, offset=10, filters=filters)
    assert [hit.pk for hit in shifted.hits] == expected[10:20]


def test_newest_first_walks_every_match_by_date(archive, alice):
    seen, cursor = [], None
    while True:
        page = search_page(user=alice, query="walnut", limit=7, sort="newest", cursor=cursor)
        seen += [hit.document for hit in page.hits]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == sorted(seen, key=lambda d: (d.created, d.pk), reverse=True)
    assert len(seen) == len(reference_top(alice, "walnut", 10_000))


def test_counts_are_exact_below_the_limit_and_estimated_above(archive, alice):
    matches = len(reference_top(alice, "zephyr quarry", 10_000))
    assert 0 < matches <= 60
    rare = search_page(user=alice, query="zephyr quarry")
    assert (rare.total, rare.estimated) == (matches, False)
    common = search_page(user=alice, query="invoice")
    assert common.estimated
    assert common.total > 60


def test_verify_rejects_documents_before_they_enter_the_top(archive, alice):
    expected = reference_top(alice, "garden tools", 30)
    rejected = set(expected[::3])
    asked: list[int] = []

    def verify(ids: list[int]) -> set[int]:
        asked.extend(ids)
        return {pk for pk in ids if pk not in rejected}

    page = search_page(user=alice, query="garden tools", limit=10, verify=verify)
    assert [hit.pk for hit in page.hits] == [pk for pk in expected if pk not in rejected][:10]
    assert len(asked) < len(reference_top(alice, "garden tools", 10_000))


def test_other_owners_documents_never_rank(archive, alice, bob):
    mine = {document.pk for document in archive}
    for query in QUERIES:
        assert {hit.pk for hit in search_page(user=alice, query=query, limit=50).hits} <= mine
    theirs = search_page(user=bob, query="invoice", limit=50)
    assert theirs.hits
    assert not {hit.pk for hit in theirs.hits} & mine
    assert [hit.pk for hit in theirs.hits] == reference_top(bob, "invoice", 50)
