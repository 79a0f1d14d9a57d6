"""archive.search.typos: rare or unknown query words also find their close spellings, and the
page says so; "did you mean" when a word matches nothing. Issue 22, defect 5."""

from __future__ import annotations

import pytest

from archive.search import document_search, expand_typos
from tests.archive.search.test_behaviour import index
from tests.archive.search.vocabulary import require_maintained_terms, terms

pytestmark = pytest.mark.django_db


def ids(user, query: str) -> list[int]:
    return [hit.document.pk for hit in document_search(user=user, query=query)]


# --- the defect, end to end (documents indexed as the worker does) -----------------------------


def test_a_word_misread_by_ocr_is_found_by_its_right_spelling(alice):
    misread = index(alice, "Travel notes", "We sailed from Split to Dubrovnlk in the morning.")
    right = index(alice, "Ferry timetable", "Dubrovnik harbour, departures daily.")
    # Before: the misread page is missing from the results.
    assert ids(alice, "Dubrovnik") == [right.pk]
    expansion = expand_typos(alice.pk, "Dubrovnik")
    assert expansion.expansions == [("Dubrovnik", ["dubrovnlk"])]
    assert expansion.query_text == "Dubrovnik OR dubrovnlk"
    assert set(ids(alice, expansion.query_text)) == {misread.pk, right.pk}


def test_close_spellings_rank_below_the_words_as_typed(alice):
    # The misread page says the word three times in few words; the right one once in many.
    misread = index(alice, "a", "Dubrovnlk. Dubrovnlk, Dubrovnlk!")
    filler = " ".join(["harbour", "ferry", "island", "stone", "walls"] * 20)
    right = index(alice, "b", f"{filler} Dubrovnik {filler}")
    expansion = expand_typos(alice.pk, "Dubrovnik")
    assert expansion.alternatives == ["dubrovnlk"]
    undemoted = ids(alice, expansion.query_text)
    assert undemoted == [misread.pk, right.pk]  # the words count alike without demotion
    hits = document_search(user=alice, query=expansion.query_text, demote=expansion.alternatives)
    assert [hit.document.pk for hit in hits] == [right.pk, misread.pk]


def test_a_typo_in_the_query_finds_the_document_and_says_so(alice):
    doc = index(alice, "Invoice", "Invoice for the Dubrovnik conference hotel.")
    assert ids(alice, "Dubrovnk hotel") == []
    expansion = expand_typos(alice.pk, "Dubrovnk hotel")
    assert expansion.expansions == [("Dubrovnk", ["dubrovnik"])]
    assert expansion.suggestion == "dubrovnik hotel"
    assert ids(alice, expansion.query_text) == [doc.pk]


def test_with_the_writers_maintaining_terms(alice):
    """Depends on the index writers keeping SearchTerm (fails if they stop)."""
    misread = index(alice, "Travel notes", "We sailed from Split to Dubrovnlk in the morning.")
    right = index(alice, "Ferry timetable", "Dubrovnik harbour, departures daily.")
    require_maintained_terms(alice)
    expansion = expand_typos(alice.pk, "Dubrovnik")
    assert set(ids(alice, expansion.query_text)) == {misread.pk, right.pk}
    assert ids(alice, expand_typos(alice.pk, "harbuor").query_text) == [right.pk]


# --- which words are expanded --------------------------------------------------------------------


def test_frequent_words_are_left_alone(alice, settings):
    settings.SEARCH_TYPO_BELOW = 3
    terms(alice, "invoice", documents=3)
    terms(alice, "invoices", documents=1)
    assert expand_typos(alice.pk, "invoice").query_text == "invoice"
    settings.SEARCH_TYPO_BELOW = 4
    assert expand_typos(alice.pk, "invoice").query_text == "invoice OR invoices"


def test_phrases_exclusions_prefixes_numbers_and_or_are_left_alone(alice):
    terms(alice, "dubrovnik", "20245", "dubrovnjk")
    for text in ['"dubrovnk harbour"', "-dubrovnk", "dubrovnk*", "20244", "x OR y"]:
        expansion = expand_typos(alice.pk, text)
        assert expansion.query_text == text
        assert expansion.expansions == []


def test_each_word_is_rewritten_in_place(alice):
    terms(alice, "dubrovnik", "harbour")
    expansion = expand_typos(alice.pk, 'Dubrovnk "old town" OR harbor -ferry')
    assert expansion.query_text == ('Dubrovnk OR dubrovnik "old town" OR harbor OR harbour -ferry')
    assert expansion.expansions == [("Dubrovnk", ["dubrovnik"]), ("harbor", ["harbour"])]
    assert expansion.suggestion == 'dubrovnik "old town" OR harbour -ferry'


def test_exact_and_the_setting_turn_it_off(alice, settings):
    terms(alice, "dubrovnik")
    exact = expand_typos(alice.pk, "dubrovnk", expand=False)
    assert exact.query_text == "dubrovnk"
    assert exact.expansions == []
    assert exact.suggestion == "dubrovnik"  # still offered: "did you mean"
    settings.SEARCH_TYPO_TOLERANCE = False
    assert expand_typos(alice.pk, "dubrovnk") == expand_typos(alice.pk, "dubrovnk", expand=False)
    assert expand_typos(alice.pk, "dubrovnk").suggestion is None


def test_only_the_owners_words(alice, bob):
    terms(bob, "dubrovnik")
    expansion = expand_typos(alice.pk, "dubrovnk")
    assert expansion.query_text == "dubrovnk"
    assert expansion.suggestion is None


@pytest.mark.parametrize("word", ["a", "x" * 200, "é" * 200, "rn" * 100])
def test_bounded_for_one_letter_and_200_letter_words(alice, word, django_assert_max_num_queries):
    terms(alice, "a", "b", "x" * 24, "x" * 199, "rn" * 99 + "m")
    with django_assert_max_num_queries(0):
        assert expand_typos(alice.pk, word).query_text == word


def test_bounded_for_many_words(alice, django_assert_max_num_queries):
    terms(alice, *(f"word{letter}x" for letter in "abcdefghijklmnop"))
    query = " ".join(f"word{letter}y" for letter in "abcdefghijklmnop" * 20)
    # Configurations, frequencies, then one lookup per distinct word up to MAX_WORDS (each in
    # a savepoint with its planner settings: five statements).
    with django_assert_max_num_queries(2 + 8 * 5):
        expansion = expand_typos(alice.pk, query)
    assert len(expansion.expansions) == 8


# --- the search page and the API -----------------------------------------------------------------


def test_search_page_says_also_showing_and_offers_exact(client, alice):
    misread = index(alice, "Travel notes", "We sailed from Split to Dubrovnlk in the morning.")
    client.force_login(alice)
    html = client.get("/search/", {"q": "Dubrovnik"}).content.decode()
    assert "Also showing results for <em>dubrovnlk</em>" in html
    assert misread.get_absolute_url() in html
    assert "exact=1" in html
    exact = client.get("/search/", {"q": "Dubrovnik", "exact": "1"}).content.decode()
    assert "Also showing" not in exact
    assert misread.get_absolute_url() not in exact
    # Nothing found as typed: the page offers the word that is there.
    assert "Did you mean <a" in exact
    assert "<em>dubrovnlk</em>" in exact


def test_search_page_did_you_mean_when_nothing_matches(client, alice):
    index(alice, "Invoice", "Invoice for the Dubrovnik conference hotel.")
    index(alice, "Lease", "Lease of a garage in Split.")
    client.force_login(alice)
    # Each word is there, but not together: nothing matches even with the close spellings.
    html = client.get("/search/", {"q": "Dubrovnk garage"}).content.decode()
    assert "No documents match" in html
    assert "Did you mean <a" in html
    assert "<em>dubrovnik garage</em>" in html


def test_api_search_reports_expansions_and_suggestion(client, alice):
    misread = index(alice, "Travel notes", "We sailed from Split to Dubrovnlk in the morning.")
    client.force_login(alice)
    data = client.get("/api/search/", {"q": "Dubrovnik"}).json()
    assert [hit["document"]["id"] for hit in data["results"]] == [misread.pk]
    assert data["expansions"] == [{"typed": "Dubrovnik", "found": ["dubrovnlk"]}]
    assert data["suggestion"] is None
    exact = client.get("/api/search/", {"q": "Dubrovnik", "exact": "true"}).json()
    assert exact["results"] == []
    assert exact["expansions"] == []
    assert exact["suggestion"] == "dubrovnlk"
