"""archive.search.shared_terms: completions and close spellings over every document a user
may see: their own words, and the words of documents shared with them (by a user or a group
grant), never a word (or a count) only documents they may not see hold."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from archive.search.shared_terms import visible_close_terms, visible_completions
from archive.search.terms import merge_all
from archive.search.typos import expand_typos
from archive.sharing.services import documents_share
from tests.archive.search.test_behaviour import index

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(alice: User, bob: User) -> dict[str, int]:
    docs = {
        "roof": index(alice, "Roof", "Quotation from the thatcher Pemberton for the roof."),
        "clinic": index(alice, "Clinic", "Psychiatric clinic Pembrokeshire, thatched notes."),
        "bobs": index(bob, "Bike", "Bicycle receipt from Pemberley cycles."),
    }
    documents_share(owner=alice, documents=[docs["roof"].pk], grantee=bob, level="view")
    merge_all()
    return {name: doc.pk for name, doc in docs.items()}


def test_completions_hold_shared_words_and_not_private_ones(bob: User, shared: dict[str, int]):
    found = {c.term: c.documents for c in visible_completions(bob, "pem")}
    assert found == {"pemberton": 1, "pemberley": 1}
    # "thatch…": the shared document's word, counted once; the private one's is not there.
    assert {c.term: c.documents for c in visible_completions(bob, "thatch")} == {"thatcher": 1}
    assert visible_completions(bob, "psych") == []


def test_completions_through_a_group_grant(
    alice: User, django_user_model: type[User], shared: dict[str, int]
):
    carol = django_user_model.objects.create_user("carol", password="carol-password-1")
    office = Group.objects.create(name="Office")
    carol.groups.add(office)
    assert visible_completions(carol, "pem") == []
    documents_share(owner=alice, documents=[shared["clinic"]], grantee=office, level="view")
    assert [c.term for c in visible_completions(carol, "pem")] == ["pembrokeshire"]


def test_everything_shared_uses_the_owners_counts(alice: User, bob: User, shared: dict[str, int]):
    documents_share(owner=alice, documents=[shared["clinic"]], grantee=bob, level="view")
    found = {c.term: c.documents for c in visible_completions(bob, "pem")}
    assert found == {"pemberton": 1, "pemberley": 1, "pembrokeshire": 1}
    # A word of both owners' documents is counted over both.
    index(bob, "Roof 2", "Another thatcher came.")
    merge_all()
    assert {c.term: c.documents for c in visible_completions(bob, "thatche")} == {
        "thatcher": 2,
        "thatched": 1,
    }


def test_close_spellings_and_did_you_mean_reach_shared_words(bob: User, shared: dict[str, int]):
    assert [c.term for c in visible_close_terms(bob, "pembertin")] == ["pemberton"]
    assert [c.term for c in visible_close_terms(bob, "pembrokeshira")] == []
    expansion = expand_typos(bob.pk, "pembertin", viewer=bob)
    assert expansion.suggestion == "pemberton"
    assert expand_typos(bob.pk, "pembrokeshira", viewer=bob).suggestion is None


def test_nothing_shared_is_the_owners_own_words(alice: User, shared: dict[str, int]):
    assert {c.term for c in visible_completions(alice, "pem")} == {"pemberton", "pembrokeshire"}
    assert [c.term for c in visible_close_terms(alice, "pembrokeshira")] == ["pembrokeshire"]


def test_the_suggest_view_offers_shared_words(client, bob: User, shared: dict[str, int]):
    client.force_login(bob)
    terms = [s["term"] for s in client.get("/search/suggest/?q=pem").json()["suggestions"]]
    assert sorted(terms) == ["pemberley", "pemberton"]


def test_the_search_page_expands_to_shared_words(client, bob: User, shared: dict[str, int]):
    client.force_login(bob)
    page = client.get("/search/?q=pembertin").content.decode()
    assert "pemberton" in page
    assert f"/documents/{shared['roof']}/" in page
    assert "pembrokeshire" not in client.get("/search/?q=pembrokeshira").content.decode()


def test_the_api_offers_shared_words(client, bob: User, shared: dict[str, int]):
    client.force_login(bob)
    answer = client.get("/api/search/suggest/?q=pem")
    assert answer.status_code == 200, answer.content
    assert "pemberton" in answer.content.decode()
    assert "pembrokeshire" not in answer.content.decode()
