"""Sharing in the web UI: the library and document page of owner, viewer, editor, group
member and stranger; counts and "more like this" never reveal what a user may not see."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from archive.models import Document, DocumentEvent, DocumentPermission
from tests.archive.conftest import document_with_pages
from tests.archive.search.test_behaviour import index
from tests.archive.sharing.conftest import share

pytestmark = pytest.mark.django_db


def _library(client: Client, user: User, query: str = "") -> str:
    client.force_login(user)
    response = client.get(f"/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_shared_document_is_in_the_recipients_library_with_who_shared_it(
    client: Client, alice: User, bob: User, letter: Document
):
    own = document_with_pages(bob, "Bob own note", "en", ["x"])
    assert "Alice letter" not in _library(client, bob)
    share(alice, letter, "view", user=bob)
    page = _library(client, bob)
    assert "Alice letter" in page
    assert "shared by alice" in page
    assert '<small id="library-count">(2)</small>' in page
    shared = _library(client, bob, "?whose=shared")
    assert "Alice letter" in shared
    assert own.title not in shared
    assert '<small id="library-count">(1)</small>' in shared
    mine = _library(client, bob, "?whose=mine")
    assert "Alice letter" not in mine
    assert own.title in mine


def test_group_members_see_it_and_no_one_else(
    client: Client, alice: User, bob: User, carol: User, office: Group, letter: Document
):
    share(alice, letter, "view", group=office)
    assert "Alice letter" in _library(client, carol)
    assert client.get(f"/documents/{letter.pk}/").status_code == 200
    page = _library(client, bob)
    assert "Alice letter" not in page
    assert '<small id="library-count">(0)</small>' in page
    assert client.get(f"/documents/{letter.pk}/").status_code == 404


def test_a_viewer_sees_the_page_but_no_changes(
    client: Client, alice: User, bob: User, letter: Document
):
    share(alice, letter, "view", user=bob)
    client.force_login(bob)
    body = client.get(f"/documents/{letter.pk}/").content.decode()
    assert "Shared with you by alice" in body
    for absent in ("/rename/", "/rerun/", "/delete/", 'id="sharing"', 'id="history"', "/metadata/"):
        assert absent not in body, absent
    assert client.post(f"/documents/{letter.pk}/rename/", {"title": "X"}).status_code == 403
    assert client.post(f"/documents/{letter.pk}/rerun/").status_code == 403
    assert client.post(f"/documents/{letter.pk}/delete/").status_code == 403
    assert client.post(f"/documents/{letter.pk}/tags/", {"tag": "x"}).status_code == 403
    assert (
        client.post(f"/documents/{letter.pk}/share/", {"user": "bob", "level": "edit"}).status_code
        == 403
    )
    letter.refresh_from_db()
    assert letter.title == "Alice letter"
    assert DocumentPermission.objects.get(document=letter).level == "view"


def test_an_editor_renames_and_reruns_but_does_not_delete_or_share(
    client: Client, alice: User, bob: User, carol: User, letter: Document
):
    share(alice, letter, "edit", user=bob)
    client.force_login(bob)
    body = client.get(f"/documents/{letter.pk}/").content.decode()
    assert "/rename/" in body
    assert "/delete/" not in body
    assert (
        client.post(f"/documents/{letter.pk}/rename/", {"title": "Renamed by Bob"}).status_code
        == 302
    )
    letter.refresh_from_db()
    assert letter.title == "Renamed by Bob"
    assert client.post(f"/documents/{letter.pk}/rerun/").status_code == 302
    assert client.post(f"/documents/{letter.pk}/delete/").status_code == 403
    assert (
        client.post(
            f"/documents/{letter.pk}/share/", {"user": "carol", "level": "view"}
        ).status_code
        == 403
    )
    assert Document.objects.filter(pk=letter.pk).exists()
    assert not DocumentPermission.objects.filter(user=carol).exists()
    # The owner reads who did it.
    client.force_login(alice)
    history = client.get(f"/documents/{letter.pk}/").content.decode()
    assert 'id="history"' in history
    assert "bob · Renamed · Alice letter → Renamed by Bob" in history
    assert "bob · OCR re-run" in history
    events = DocumentEvent.objects.filter(document_id=letter.pk, actor=bob)
    assert set(events.values_list("action", flat=True)) == {"renamed", "rerun"}


def test_the_owner_shares_unshares_and_deletes_with_history(
    client: Client, alice: User, bob: User, office: Group, letter: Document
):
    client.force_login(alice)
    assert (
        client.post(f"/documents/{letter.pk}/share/", {"user": "bob", "level": "view"}).status_code
        == 302
    )
    assert (
        client.post(
            f"/documents/{letter.pk}/share/", {"group": "Office", "level": "edit"}
        ).status_code
        == 302
    )
    body = client.get(f"/documents/{letter.pk}/").content.decode()
    assert "bob · view" in body
    assert "group Office · edit" in body
    grant = DocumentPermission.objects.get(user=bob)
    assert client.post(f"/documents/{letter.pk}/share/{grant.pk}/delete/").status_code == 302
    assert not DocumentPermission.objects.filter(user=bob).exists()
    client.post(f"/documents/{letter.pk}/delete/")
    actions = list(
        DocumentEvent.objects.filter(document_id=letter.pk).values_list("action", flat=True)
    )
    assert actions == ["deleted", "unshared", "shared", "shared"]


def test_bulk_share_from_the_library(client: Client, alice: User, bob: User, carol: User):
    mine = [document_with_pages(alice, f"Doc {n}", "en", ["x"]) for n in range(3)]
    theirs = document_with_pages(carol, "Carol private", "en", ["x"])
    client.force_login(alice)
    response = client.post(
        "/sharing/share/",
        {"documents": [d.pk for d in mine] + [theirs.pk], "user": "bob", "level": "view"},
    )
    assert response.status_code == 302
    assert set(DocumentPermission.objects.values_list("document_id", flat=True)) == {
        d.pk for d in mine
    }


def test_default_permissions_page(client: Client, alice: User, office: Group):
    client.force_login(alice)
    page = client.get("/sharing/").content.decode()
    assert "Office" in page
    client.post("/sharing/", {"group": "Office", "level": "view"})
    page = client.get("/sharing/").content.decode()
    assert "group Office · view" in page


def test_more_like_this_shows_only_what_the_viewer_may_see(client: Client, alice: User, bob: User):
    lease = index(alice, "Lease", "Tenancy lease for the flat in Zagreb, deposit and rent.")
    renewal = index(alice, "Renewal", "Renewal of the tenancy lease, Zagreb flat, rent raised.")
    rent = index(alice, "Rent receipt", "Rent receipt for the Zagreb flat.")
    for n, text in enumerate(["Bread recipe", "Garden plan", "School report"]):
        index(alice, f"Other {n}", text)
    share(alice, lease, "view", user=bob)
    share(alice, rent, "view", user=bob)
    client.force_login(alice)
    assert renewal.title in client.get(f"/documents/{lease.pk}/").content.decode()
    client.force_login(bob)
    body = client.get(f"/documents/{lease.pk}/").content.decode()
    assert renewal.title not in body
    assert f"/documents/{renewal.pk}/" not in body
    assert f"/documents/{rent.pk}/" in body
    api = client.get(f"/api/documents/{lease.pk}/similar/").json()
    assert [row["document"]["id"] for row in api] == [rent.pk]
