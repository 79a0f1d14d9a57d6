"""The REST API of sharing: permissions, share links, history, groups, default permissions,
and shared documents in the document list; every operation in the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from rest_framework.authtoken.models import Token

from archive.models import Document, DocumentPermission, ShareLink
from tests.archive.conftest import document_with_pages
from tests.archive.sharing.conftest import share

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def test_permissions_are_the_owners_to_read_and_change(
    alice: User, bob: User, carol: User, office: Group, letter: Document
):
    owner, viewer, stranger = api(alice), api(bob), api(carol)
    url = f"/api/documents/{letter.pk}/permissions/"
    created = owner.post(url, {"user": "bob", "level": "view"}, content_type="application/json")
    assert created.status_code == 201
    assert created.json() == [
        {
            "id": created.json()[0]["id"],
            "user": "bob",
            "group": None,
            "level": "view",
            "created": created.json()[0]["created"],
        }
    ]
    assert (
        owner.post(
            url, {"group": "Office", "level": "edit"}, content_type="application/json"
        ).status_code
        == 201
    )
    assert (
        owner.post(
            url, {"user": "nobody", "level": "edit"}, content_type="application/json"
        ).status_code
        == 400
    )
    assert viewer.get(url).status_code == 403
    assert (
        viewer.post(
            url, {"user": "bob", "level": "edit"}, content_type="application/json"
        ).status_code
        == 403
    )
    carol.groups.remove(office)
    assert stranger.get(url).status_code == 404
    grant = DocumentPermission.objects.get(user=bob)
    assert viewer.delete(f"{url}{grant.pk}/").status_code == 403
    assert owner.delete(f"{url}{grant.pk}/").status_code == 204
    assert owner.delete(f"{url}{grant.pk}/").status_code == 404


def test_the_document_list_shows_shared_documents_with_their_owner(
    alice: User, bob: User, letter: Document
):
    own = document_with_pages(bob, "Bob note", "en", ["x"])
    share(alice, letter, "view", user=bob)
    client = api(bob)
    rows = {row["id"]: row for row in client.get("/api/documents/").json()["results"]}
    assert rows[letter.pk]["owner"] == "alice"
    assert rows[letter.pk]["shared_with_me"] is True
    assert rows[own.pk]["owner"] == "bob"
    assert rows[own.pk]["shared_with_me"] is False
    shared = client.get("/api/documents/?whose=shared").json()["results"]
    assert [row["id"] for row in shared] == [letter.pk]
    mine = client.get("/api/documents/?whose=mine").json()["results"]
    assert [row["id"] for row in mine] == [own.pk]
    facets = client.get("/api/documents/facets/").json()
    assert facets["total"] == 2
    assert client.get("/api/documents/facets/?whose=mine").json()["total"] == 1


def test_viewer_editor_and_owner_through_the_api(
    alice: User, bob: User, carol: User, letter: Document
):
    share(alice, letter, "view", user=bob)
    share(alice, letter, "edit", user=carol)
    url = f"/api/documents/{letter.pk}/"
    viewer, editor, owner = api(bob), api(carol), api(alice)
    assert viewer.get(url).status_code == 200
    assert viewer.patch(url, {"title": "v"}, content_type="application/json").status_code == 403
    assert viewer.delete(url).status_code == 403
    assert viewer.get(f"{url}metadata/").status_code == 403
    assert (
        editor.patch(url, {"title": "edited"}, content_type="application/json").status_code == 200
    )
    assert editor.post(f"{url}rerun/", {}, content_type="application/json").status_code == 202
    assert editor.delete(url).status_code == 403
    assert viewer.get(f"{url}history/").status_code == 403
    history = owner.get(f"{url}history/").json()
    assert [(row["actor"], row["action"]) for row in history][:2] == [
        ("carol", "rerun"),
        ("carol", "renamed"),
    ]
    assert owner.delete(url).status_code == 204


def test_share_links_through_the_api(alice: User, bob: User, letter: Document):
    share(alice, letter, "edit", user=bob)
    owner = api(alice)
    url = f"/api/documents/{letter.pk}/share-links/"
    made = owner.post(url, {"kind": "original", "expires": "1d"}, content_type="application/json")
    assert made.status_code == 201
    assert "/s/" in made.json()["url"]
    listed = owner.get(url).json()
    assert [row["id"] for row in listed] == [made.json()["id"]]
    assert "url" not in listed[0]
    assert "token_hash" not in listed[0]
    assert api(bob).post(url, {}, content_type="application/json").status_code == 403
    assert api(bob).delete(f"{url}{made.json()['id']}/").status_code == 403
    assert owner.delete(f"{url}{made.json()['id']}/").status_code == 204
    assert ShareLink.objects.get().revoked_at is not None


def test_groups_bulk_share_and_default_permissions(
    alice: User, bob: User, carol: User, office: Group
):
    Group.objects.create(name="Board")
    groups = api(carol).get("/api/groups/").json()
    assert [(g["name"], g["member"]) for g in groups] == [("Board", False), ("Office", True)]
    mine = [document_with_pages(alice, f"d{n}", "en", ["x"]) for n in range(2)]
    theirs = document_with_pages(bob, "bob's", "en", ["x"])
    owner = api(alice)
    shared = owner.post(
        "/api/documents/share/",
        {"documents": [d.pk for d in mine] + [theirs.pk], "group": "Office", "level": "view"},
        content_type="application/json",
    )
    assert shared.json() == {"shared": 2}
    made = owner.post(
        "/api/default-permissions/",
        {"group": "Office", "level": "edit"},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert owner.get("/api/default-permissions/").json()[0]["group"] == "Office"
    assert api(bob).delete(f"/api/default-permissions/{made.json()['id']}/").status_code == 404
    assert owner.delete(f"/api/default-permissions/{made.json()['id']}/").status_code == 204


def test_the_schema_documents_sharing(client: Client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for path in (
        "/api/documents/{id}/permissions/",
        "/api/documents/{id}/permissions/{permission}/",
        "/api/documents/{id}/share-links/",
        "/api/documents/{id}/share-links/{link}/",
        "/api/documents/{id}/history/",
        "/api/documents/share/",
        "/api/groups/",
        "/api/default-permissions/",
        "/api/default-permissions/{id}/",
    ):
        assert path in paths, path
