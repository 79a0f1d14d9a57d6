"""archive.search.spelling: close spellings among a user's words, OCR confusions weighted near.

SearchTerm rows are written directly here (the index writers maintain them in the app)."""

from __future__ import annotations

import pytest
from django.db import connection

from archive.search.spelling import (
    MAX_KEYS,
    NEAR,
    allowed_distance,
    close_terms,
    confusion_variants,
    lookup_keys,
    ocr_distance,
)
from tests.archive.search.vocabulary import terms


@pytest.mark.parametrize(
    ("typed", "indexed"),
    [
        ("dubrovnik", "dubrovnlk"),  # i/l
        ("dubrovnik", "dubrovn1k"),  # i/1
        ("invoice", "1nvoice"),  # i/1
        ("modern", "rnodern"),  # m/rn
        ("document", "docurnent"),  # m/rn
        ("london", "l0ndon"),  # o/0
        ("order", "orcler"),  # d/cl
        ("unit", "iinit"),  # u/ii
        ("window", "vvindow"),  # w/vv
        ("receipt", "rcceipt"),  # e/c
    ],
)
def test_ocr_confusions_are_near(typed, indexed):
    assert ocr_distance(typed, indexed) == pytest.approx(NEAR)
    assert ocr_distance(indexed, typed) == pytest.approx(NEAR)


def test_other_edits_cost_one():
    assert ocr_distance("dubrovnik", "dubrovnik") == 0
    assert ocr_distance("dubrovnik", "dubrovnk") == 1  # deletion
    assert ocr_distance("dubrovnik", "dubrovnika") == 1  # insertion
    assert ocr_distance("dubrovnik", "dubrovnak") == 1  # substitution
    assert ocr_distance("dubrovnik", "dubrvonik") == 1  # transposition
    assert ocr_distance("dubrovnik", "dubr0vnlk") == pytest.approx(2 * NEAR)


def test_allowed_distance_by_length():
    assert allowed_distance("abc") == 0
    assert allowed_distance("rnap") == NEAR
    assert allowed_distance("paris") == 1
    assert allowed_distance("dubrovnik") == 2
    assert allowed_distance("x" * 25) == 0


def test_confusion_variants_both_ways():
    assert "map" in confusion_variants("rnap")
    assert "rnap" in confusion_variants("map")
    assert "dubrovnlk" in confusion_variants("dubrovnik")


@pytest.mark.django_db
def test_a_misread_word_is_found_from_the_right_spelling(alice):
    terms(alice, "dubrovnlk", "dubrovnik", "budapest", "dubai")
    found = close_terms(alice.pk, "dubrovnik")
    assert [close.term for close in found] == ["dubrovnlk"]
    assert found[0].distance == pytest.approx(NEAR)
    # And the other way: a typo'd query finds the right word.
    assert [close.term for close in close_terms(alice.pk, "dubrovnk")] == [
        "dubrovnik",  # one letter left out
        "dubrovnlk",  # one letter left out as well (ties: most documents, then A-Z)
    ]
    assert close_terms(alice.pk, "Dubrovn1k")[0].term in {"dubrovnik", "dubrovnlk"}


@pytest.mark.django_db
def test_two_edits_for_long_words_one_for_medium_words(alice):
    terms(alice, "dubrovnik", "invoice", "paris", "parts", "pairs")
    assert [c.term for c in close_terms(alice.pk, "dubr0vnlk")] == ["dubrovnik"]  # 2 near edits
    assert [c.term for c in close_terms(alice.pk, "dubrovnikaa")] == ["dubrovnik"]  # 2 inserted
    assert [c.term for c in close_terms(alice.pk, "invoce")] == ["invoice"]
    assert close_terms(alice.pk, "invce") == []  # two edits: too far for 5 letters
    assert {c.term for c in close_terms(alice.pk, "parls")} == {"paris", "parts"}


@pytest.mark.django_db
def test_short_words_need_an_ocr_confusion(alice):
    terms(alice, "map", "rnap", "mop", "mat")
    assert [c.term for c in close_terms(alice.pk, "rnap")] == ["map"]
    assert close_terms(alice.pk, "mapp") == []
    assert close_terms(alice.pk, "mop") == []  # three letters: never


@pytest.mark.django_db
def test_only_the_owners_surface_words(alice, bob):
    terms(bob, "dubrovnlk")
    terms(alice, "dubrovnjk", surface=False)  # a stem only
    assert close_terms(alice.pk, "dubrovnik") == []
    assert [c.term for c in close_terms(bob.pk, "dubrovnik")] == ["dubrovnlk"]


@pytest.mark.django_db
def test_most_frequent_first_among_equals(alice):
    terms(alice, "contract", documents=2)
    terms(alice, "contrast", documents=9)
    found = close_terms(alice.pk, "contrazt")
    assert [c.term for c in found] == ["contrast", "contract"]
    assert [c.documents for c in found] == [9, 2]


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["a", "é", "x" * 200, "rn" * 100, "1" * 200])
def test_bounded_for_any_word_length(alice, word, django_assert_max_num_queries):
    terms(alice, "a", "x" * 24, "x" * 199, "rn" * 99 + "m")
    assert len(lookup_keys(word)) <= MAX_KEYS
    with django_assert_max_num_queries(0):
        assert close_terms(alice.pk, word) == []


def test_keys_are_bounded_for_the_longest_expanded_words():
    assert 0 < len(lookup_keys("rnrnrnrnrnrnrnrnrnrnrnrn")) <= MAX_KEYS
    assert 0 < len(lookup_keys("abcdefghijklmnopqrstuvwx")) <= MAX_KEYS


@pytest.mark.django_db
def test_the_index_keeps_deletions_of_words_only():
    def keys(term: str) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_term_deletes(%s)", [term])
            return sorted(cursor.fetchone()[0])

    assert keys("invoice") == sorted(
        {"invoice", "nvoice", "ivoice", "inoice", "invice", "invoce", "invoie", "invoic"}
    )
    assert keys("abc") == ["abc"]
    assert keys("20245") == ["20245"]
    assert keys("x" * 30) == ["x" * 30]
    assert keys("éte") == ["éte"]
    assert keys("déjà") == sorted(["déjà", "éjà", "djà", "déà", "déj"])  # characters, not bytes
