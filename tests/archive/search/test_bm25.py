"""archive.search.bm25: impacts read from the postings equal a recount from the vectors, for
single terms, neighbouring terms read as one range, and mixes; prefixes expand to the most
frequent words as written."""

from __future__ import annotations

import pytest
from django.db import connection

from archive.documents import page_text_update
from archive.search.bm25 import (
    PREFIX_EXPANSION,
    _term_groups,
    document_impacts,
    expand_prefixes,
    vector_impacts,
)
from archive.search.terms import merge
from tests.archive.search.corpus import build

pytestmark = pytest.mark.django_db


def _terms(owner_id: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term FROM archive_searchterm WHERE owner_id = %s AND term <> '' ORDER BY 1",
            [owner_id],
        )
        return [row[0] for row in cursor.fetchall()]


def test_term_groups_put_neighbours_in_ranges_and_the_rest_together():
    groups = _term_groups(["paris", "part", "park", "zephyr", "pa", "quarry", "park"])
    assert groups == [["paris", "park", "part"], ["pa", "quarry", "zephyr"]]
    assert _term_groups(["river"]) == [["river"]]


def test_postings_give_the_impacts_the_vectors_give(alice, bob):
    documents = build(alice, 150)
    build(bob, 30, seed=4)
    ids = [document.pk for document in documents]
    terms = _terms(alice.pk)
    # Every term at once (ranges of neighbours and single probes), a prefix-like group, one
    # term, and a term of no document.
    for lexemes in (terms, [t for t in terms if t.startswith("s")], ["invoic"], ["absent"]):
        assert document_impacts(ids, lexemes) == vector_impacts(ids, lexemes)
    page_text_update(documents[0].pages.get(), "walnut walnut quarry orchard")
    assert document_impacts(ids[:5], terms) == vector_impacts(ids[:5], terms)
    assert "walnut" in document_impacts(ids[:1], ["walnut"])[ids[0]]


def test_a_prefix_stands_for_its_most_frequent_words_as_written(alice, settings):
    build(alice, 200)
    assert merge(alice.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term FROM archive_searchterm WHERE owner_id = %s AND surface "
            "AND term LIKE 's%%' ORDER BY documents DESC, term",
            [alice.pk],
        )
        expected = [row[0] for row in cursor.fetchall()][:PREFIX_EXPANSION]
    assert expand_prefixes(alice.pk, ["s"]) == expected
    assert len(expected) == min(PREFIX_EXPANSION, len(expected)) > 3
