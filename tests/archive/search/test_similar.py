"""archive.search.similar: more like this, from the document's distinctive words."""

from __future__ import annotations

import pytest

from archive.search import more_like_this
from archive.search.similar import distinctive_terms
from tests.archive.search.test_behaviour import index
from tests.archive.search.vocabulary import require_maintained_terms

pytestmark = pytest.mark.django_db


def _archive(owner):
    docs = {
        "lease": index(owner, "Lease", "Tenancy lease for the flat in Zagreb, deposit and rent."),
        "lease2": index(
            owner, "Renewal", "Renewal of the tenancy lease, Zagreb flat, rent raised."
        ),
        "rent": index(owner, "Rent", "Rent receipt for the Zagreb flat."),
        "car": index(owner, "Car", "Car insurance policy and the receipt for it."),
        "tax": index(owner, "Tax", "Tax return for the year, with the receipt."),
    }
    for n, text in enumerate(["Bread recipe", "Garden plan", "School report", "Dentist bill"]):
        index(owner, f"Other {n}", text)
    return docs


def test_documents_sharing_distinctive_words_best_first(alice):
    docs = _archive(alice)
    similar = more_like_this(docs["lease"])
    assert [s.document for s in similar][:2] == [docs["lease2"], docs["rent"]]
    assert docs["lease"] not in [s.document for s in similar]
    assert "tenancy" in similar[0].shared
    assert similar[0].score > similar[1].score
    words = [term for term, _weight in distinctive_terms(docs["lease"])]
    assert "deposit" not in words  # held by no other document: cannot be shared


def test_never_another_users_documents(alice, bob):
    docs = _archive(alice)
    theirs = index(bob, "Lease", "Tenancy lease for the flat in Zagreb, deposit and rent.")
    assert theirs not in [s.document for s in more_like_this(docs["lease"])]
    assert more_like_this(theirs) == []  # bob has nothing else


def test_view_and_api(client, alice, bob):
    docs = _archive(alice)
    client.force_login(alice)
    page = client.get(docs["lease"].get_absolute_url()).content.decode()
    assert "More like this" in page
    assert docs["lease2"].get_absolute_url() in page
    data = client.get(f"/api/documents/{docs['lease'].pk}/similar/").json()
    assert data[0]["document"]["id"] == docs["lease2"].pk
    client.force_login(bob)
    assert client.get(f"/api/documents/{docs['lease'].pk}/similar/").status_code == 404


def test_with_the_writers_maintaining_terms(alice):
    """Depends on the index writers keeping SearchTerm (fails if they stop)."""
    docs = _archive(alice)
    require_maintained_terms(alice)
    assert [s.document for s in more_like_this(docs["lease"])][:2] == [
        docs["lease2"],
        docs["rent"],
    ]
