"""archive.search.snippets: escaped ts_headline snippets; OCR'd markup is shown, never run."""

from __future__ import annotations

import pytest

from archive.search import document_search
from archive.search.snippets import original_headline, render_snippet
from tests.archive.search.test_behaviour import index

pytestmark = pytest.mark.django_db


def test_markup_in_the_text_is_shown_escaped_in_the_snippet(alice):
    index(alice, "Page", "Report: <script>alert(1)</script> the invoice was <b>paid</b> late.")
    snippet = str(document_search(user=alice, query="invoice")[0].snippet)
    assert "<mark>invoice</mark>" in snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet
    assert "&lt;b&gt;paid&lt;/b&gt;" in snippet
    assert "<script" not in snippet
    assert "<b>" not in snippet


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("query", ["prealable", "préalable", "Interieur", "PREALABLE"])
def test_accented_words_are_marked_with_their_accents(alice, language, query):
    text = (
        "Transmis au Ministre de l'Intérieur du télégramme suivant. "
        + "Mot neutre. " * 30
        + "Aucune mesure sans vérification préalable. <b>fin</b>"
    )
    index(alice, "Page", text, language)
    snippet = str(document_search(user=alice, query=query)[0].snippet)
    word = "Intérieur" if query == "Interieur" else "préalable"
    assert f"<mark>{word}</mark>" in snippet
    assert "<b>" not in snippet


def test_joined_and_compound_words_are_marked_in_the_original_text(alice):
    index(alice, "Page", "Dubrovnik has weath-\nered storms; the duck/goose Straße.")
    assert "<mark>weath- ered</mark>" in str(
        document_search(user=alice, query="weathered")[0].snippet
    )
    assert "<mark>duck</mark>/goose" in str(document_search(user=alice, query="duck")[0].snippet)
    assert "<mark>Straße</mark>" in str(document_search(user=alice, query="strasse")[0].snippet)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_accented_words_of_a_real_french_page_are_marked(alice, testdata, language):
    page = testdata / "tapuscorpus_fr" / "AN_96AP_FRAN_0150_0159.gt.txt"
    index(alice, "Télégramme", page.read_text(encoding="utf-8"), language)
    for query, word in (("prealable", "préalable"), ("Interieur", "Intérieur")):
        snippet = str(document_search(user=alice, query=query)[0].snippet)
        assert f"<mark>{word}</mark>" in snippet, query


def test_a_fragment_that_cannot_be_located_falls_back_to_the_marked_headline():
    headline = "chang\x02ed\x03 text"
    assert original_headline(headline, "other flow", list(range(11)), "other flow") == headline
    assert str(render_snippet(headline)) == "chang<mark>ed</mark> text"
