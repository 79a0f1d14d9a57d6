"""archive.search.suggest and its views: the user's own words completing the box's last word."""

from __future__ import annotations

import pytest

from archive.search import complete
from tests.archive.search.vocabulary import terms

pytestmark = pytest.mark.django_db


def test_most_frequent_words_with_the_prefix(alice):
    terms(alice, "invoice", documents=9)
    terms(alice, "invoices", documents=3)
    terms(alice, "involved", documents=5)
    terms(alice, "inward", documents=50)
    terms(alice, "invoic", documents=40, surface=False)  # a stem: not a word to offer
    found = complete(alice.pk, "paid invo")
    assert [(c.term, c.documents) for c in found] == [
        ("invoice", 9),
        ("involved", 5),
        ("invoices", 3),
    ]
    assert found[0].text == "paid invoice"


def test_only_the_last_word_is_completed_folded(alice):
    terms(alice, "muller", "mullerstrasse")
    assert [c.text for c in complete(alice.pk, '"Herr Mül')] == [
        '"Herr muller',
        '"Herr mullerstrasse',
    ]
    assert complete(alice.pk, "muller ") == []
    assert complete(alice.pk, "") == []
    assert [c.text for c in complete(alice.pk, "-mull")] == ["-muller", "-mullerstrasse"]


def test_at_most_eight(alice):
    terms(alice, *(f"tax{n:02}" for n in range(20)))
    assert len(complete(alice.pk, "tax")) == 8


def test_never_another_users_words(alice, bob):
    terms(bob, "invoice", "invitation", documents=100)
    terms(alice, "invent")
    assert [c.term for c in complete(alice.pk, "inv")] == ["invent"]
    assert [c.term for c in complete(bob.pk, "inv")] == ["invitation", "invoice"]


def test_views_answer_json_and_a_datalist_fragment(client, alice, bob):
    terms(bob, "invoice", documents=100)
    terms(alice, "invent", documents=2)
    client.force_login(alice)
    data = client.get("/search/suggest/", {"q": "Inv"}).json()
    assert data["suggestions"] == [{"term": "invent", "documents": 2, "text": "invent"}]
    fragment = client.get("/search/suggest/", {"q": "my inv"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert '<option value="my invent"' in html
    assert "invoice" not in html
    api = client.get("/api/search/suggest/", {"q": "in"}).json()
    assert [c["term"] for c in api] == ["invent"]
    # The header's box asks for them and has the list to show them in.
    page = client.get("/search/").content.decode()
    assert 'list="q-suggestions"' in page
    assert '<datalist id="q-suggestions">' in page


def test_views_need_a_login(client):
    assert client.get("/search/suggest/", {"q": "in"}).status_code == 302
    assert client.get("/api/search/suggest/", {"q": "in"}).status_code in (401, 403)


def test_a_long_or_odd_box_is_answered(alice):
    terms(alice, "x" * 64)
    assert complete(alice.pk, "x") == []  # one letter: too many words to rank
    assert [c.term for c in complete(alice.pk, "x" * 5000)] == ["x" * 64]
    assert complete(alice.pk, "\U0010ffff") == []
    assert complete(alice.pk, "!!! ???") == []


def test_a_word_of_deleted_documents_only_is_not_offered(alice):
    """A word whose documents are all gone keeps its row (counted 0) until the owner's
    statistics are rebuilt; it is no word of theirs any more and must not be offered."""
    from archive.documents import document_delete
    from archive.search.terms import merge
    from tests.archive.search.test_behaviour import index

    kept = index(alice, "kept", "quokka island")
    gone = index(alice, "gone", "quoll burrow")
    assert {c.term for c in complete(alice.pk, "quo")} == {"quokka", "quoll"}
    document_delete(gone)
    merge(alice.pk, wait=True)
    assert [c.term for c in complete(alice.pk, "quo")] == ["quokka"]
    assert kept.pk
