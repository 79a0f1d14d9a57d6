"""archive.search.shared: search over the user's documents and those shared with them; counts
and facets never include a document the user may not see."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from archive.models import DocumentPermission
from archive.search import search_page, visible_search_page
from archive.sharing.services import documents_share, permission_delete
from tests.archive.search.test_behaviour import index

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(alice: User, bob: User) -> dict[str, int]:
    docs = {
        "shared": index(alice, "Shared invoice", "Invoice for the roof repair, paid."),
        "private": index(alice, "Private invoice", "Invoice for the private clinic, paid."),
        "bobs": index(bob, "Bob invoice", "Invoice for the bicycle, paid."),
        "other": index(alice, "Garden", "Garden plan with roses."),
    }
    documents_share(owner=alice, documents=[docs["shared"].pk], grantee=bob, level="view")
    return {name: doc.pk for name, doc in docs.items()}


def test_shared_documents_are_found_and_nothing_else(
    alice: User, bob: User, archive: dict[str, int]
):
    page = visible_search_page(user=bob, query="invoice")
    assert {hit.pk for hit in page.hits} == {archive["shared"], archive["bobs"]}
    assert page.total == 2
    assert not page.estimated
    assert dict(page.facets["language"]) == {"en": 2}
    assert dict(page.facets["status"]) == {"done": 2}
    # The word only the private document holds finds nothing for bob: not even a count.
    clinic = visible_search_page(user=bob, query="clinic")
    assert clinic.hits == []
    assert clinic.total == 0
    assert sum(count for values in clinic.facets.values() for _v, count in values) == 0


def test_unsharing_takes_it_out_of_the_results(alice: User, bob: User, archive: dict[str, int]):
    grant = DocumentPermission.objects.get(document_id=archive["shared"])
    permission_delete(owner=alice, permission_id=grant.pk)
    page = visible_search_page(user=bob, query="invoice")
    assert [hit.pk for hit in page.hits] == [archive["bobs"]]
    assert page.total == 1


def test_pages_of_a_merged_search_follow_each_other(bob: User, archive: dict[str, int]):
    first = visible_search_page(user=bob, query="invoice", limit=1)
    assert first.next_cursor is not None
    second = visible_search_page(user=bob, query="invoice", limit=1, cursor=first.next_cursor)
    assert second.next_cursor is None
    assert {first.hits[0].pk, second.hits[0].pk} == {archive["shared"], archive["bobs"]}
    newest = visible_search_page(user=bob, query="invoice", sort="newest")
    created = [hit.document.created for hit in newest.hits]
    assert created == sorted(created, reverse=True)


def test_without_shares_it_is_the_owners_search(alice: User, archive: dict[str, int]):
    mine = visible_search_page(user=alice, query="invoice")
    plain = search_page(user=alice, query="invoice")
    assert [hit.pk for hit in mine.hits] == [hit.pk for hit in plain.hits]
    assert mine.total == plain.total == 2


def test_the_search_page_and_api_show_shared_hits(
    client: Client, bob: User, archive: dict[str, int]
):
    client.force_login(bob)
    body = client.get("/search/?q=invoice").content.decode()
    assert "Shared invoice" in body
    assert "shared by alice" in body
    assert "Private invoice" not in body
    assert f"/documents/{archive['private']}/" not in body
    found = client.get("/api/search/?q=invoice").json()["results"]
    assert {row["document"]["id"] if "document" in row else row["id"] for row in found} == {
        archive["shared"],
        archive["bobs"],
    }
