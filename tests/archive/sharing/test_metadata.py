"""A shared document's metadata through the REST API (``/api/documents/{id}/metadata/``) with
the web UI's rules, and the history lines every metadata change leaves (web and API, owner and
editor, with who did it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from rest_framework.authtoken.models import Token

from archive.models import CustomFieldValue, Document, DocumentEvent, DocumentTag
from archive.organize import services
from tests.archive.sharing.conftest import share

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def patch(client: Client, document: Document, body: dict[str, Any]) -> Any:
    return client.patch(
        f"/api/documents/{document.pk}/metadata/", body, content_type="application/json"
    )


@pytest.fixture
def vocabulary(alice: User, bob: User) -> dict[str, Any]:
    """Alice's tags, correspondent, type and field, and a tag of bob's own."""
    return {
        "tax": services.tag_create(owner=alice, name="Tax"),
        "old": services.tag_create(owner=alice, name="Old"),
        "acme": services.correspondent_create(owner=alice, name="ACME"),
        "invoice": services.document_type_create(owner=alice, name="Invoice"),
        "amount": services.custom_field_create(owner=alice, name="Amount", data_type="text"),
        "bobs": services.tag_create(owner=bob, name="Bob's own"),
    }


def _lines(document: Document) -> list[tuple[str, str, str]]:
    """(actor, action, detail) of the document's history, oldest first, uploads left out."""
    return [
        (event.actor.get_username() if event.actor else "", event.action, event.detail)
        for event in DocumentEvent.objects.filter(document_id=document.pk)
        .exclude(action=DocumentEvent.Action.UPLOADED)
        .select_related("actor")
        .order_by("created", "id")
    ]


@pytest.mark.parametrize("through", ["user", "group"])
def test_an_editor_sets_the_owners_metadata_through_the_api(
    through: str, alice: User, bob: User, letter: Document, vocabulary: dict[str, Any]
) -> None:
    if through == "group":
        office = Group.objects.create(name="Office")
        bob.groups.add(office)
        share(alice, letter, "edit", group=office)
    else:
        share(alice, letter, "edit", user=bob)
    editor = api(bob)
    read = editor.get(f"/api/documents/{letter.pk}/metadata/")
    assert read.status_code == 200
    body = read.json()
    # The owner's names to choose from; none of the owner's fields or suggestions.
    assert {tag["path"] for tag in body["choices"]["tags"]} == {"Tax", "Old"}
    assert [c["name"] for c in body["choices"]["correspondents"]] == ["ACME"]
    assert [t["name"] for t in body["choices"]["document_types"]] == ["Invoice"]
    assert body["custom_fields"] == []
    assert body["suggestions"] == []
    answer = patch(
        editor,
        letter,
        {
            "document_date": "2023-05-06",
            "correspondent": vocabulary["acme"].pk,
            "document_type": vocabulary["invoice"].pk,
            "tags": [vocabulary["tax"].pk],
        },
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["tags"] == [vocabulary["tax"].pk]
    letter.refresh_from_db()
    assert str(letter.document_date) == "2023-05-06"
    assert (letter.correspondent_id, letter.document_type_id) == (
        vocabulary["acme"].pk,
        vocabulary["invoice"].pk,
    )
    assert list(DocumentTag.objects.filter(document=letter).values_list("tag_id", flat=True)) == [
        vocabulary["tax"].pk
    ]


def test_an_editor_cannot_bring_a_tag_of_their_own_or_set_fields(
    alice: User, bob: User, letter: Document, vocabulary: dict[str, Any]
) -> None:
    share(alice, letter, "edit", user=bob)
    editor = api(bob)
    for body in (
        {"tags": [vocabulary["bobs"].pk]},
        {"tags": [vocabulary["tax"].pk, 999_999]},
        {"correspondent": 999_999},
    ):
        refused = patch(editor, letter, body)
        assert refused.status_code == 400, body
        assert "only the owner" in str(refused.json()), refused.json()
    assert not DocumentTag.objects.filter(document=letter).exists()
    letter.refresh_from_db()
    assert letter.correspondent_id is None
    fields = patch(
        editor, letter, {"custom_fields": [{"field": vocabulary["amount"].pk, "value": "12"}]}
    )
    assert fields.status_code == 403
    assert not CustomFieldValue.objects.filter(document=letter).exists()
    assert _lines(letter) == [("alice", "shared", "bob: Edit")]


def test_a_viewer_is_refused_and_a_stranger_finds_nothing(
    alice: User, bob: User, carol: User, letter: Document, vocabulary: dict[str, Any]
) -> None:
    share(alice, letter, "view", user=bob)
    viewer, stranger = api(bob), api(carol)
    url = f"/api/documents/{letter.pk}/metadata/"
    assert viewer.get(url).status_code == 403
    assert patch(viewer, letter, {"document_date": "2023-05-06"}).status_code == 403
    assert stranger.get(url).status_code == 404
    assert patch(stranger, letter, {"document_date": "2023-05-06"}).status_code == 404
    assert Client().get(url).status_code in (401, 403)
    letter.refresh_from_db()
    assert letter.document_date is None


def test_the_owner_still_sets_everything_and_sees_no_choices(
    alice: User, letter: Document, vocabulary: dict[str, Any]
) -> None:
    owner = api(alice)
    answer = patch(
        owner,
        letter,
        {
            "tags": [vocabulary["tax"].pk],
            "custom_fields": [{"field": vocabulary["amount"].pk, "value": "12"}],
        },
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["choices"] is None
    assert answer.json()["custom_fields"][0]["value"] == "12"
    # Another user's tag is no tag of the owner's either.
    assert patch(owner, letter, {"tags": [vocabulary["bobs"].pk]}).status_code == 400


def test_metadata_changes_are_in_the_history_with_who_made_them(
    client: Client, alice: User, bob: User, letter: Document, vocabulary: dict[str, Any]
) -> None:
    """The editor on the web page and through the API, the owner on both: one line per
    changed part, with its old and new value; a change to nothing new leaves no line."""
    share(alice, letter, "edit", user=bob)
    tax, old = vocabulary["tax"], vocabulary["old"]
    client.force_login(bob)
    page = f"/documents/{letter.pk}"
    assert client.post(f"{page}/metadata/", {"document_date": "2023-05-06"}).status_code == 302
    assert client.post(f"{page}/metadata/", {"document_date": "2023-05-06"}).status_code == 302
    assert client.post(f"{page}/tags/", {"tag": "Tax"}).status_code == 302
    assert client.post(f"{page}/tags/{tax.pk}/remove/").status_code == 302
    assert patch(api(bob), letter, {"correspondent": vocabulary["acme"].pk}).status_code == 200
    assert (
        patch(
            api(alice),
            letter,
            {
                "document_type": vocabulary["invoice"].pk,
                "tags": [tax.pk, old.pk],
                "custom_fields": [{"field": vocabulary["amount"].pk, "value": "12"}],
            },
        ).status_code
        == 200
    )
    client.force_login(alice)
    assert patch(api(alice), letter, {"tags": [old.pk], "correspondent": None}).status_code == 200
    assert (
        client.post(f"{page}/fields/{vocabulary['amount'].pk}/", {"value": ""}).status_code == 302
    )
    assert _lines(letter) == [
        ("alice", "shared", "bob: Edit"),
        ("bob", "date", "— → 2023-05-06"),
        ("bob", "tags", "+Tax"),
        ("bob", "tags", "−Tax"),
        ("bob", "correspondent", "— → ACME"),
        ("alice", "document_type", "— → Invoice"),
        ("alice", "tags", "+Old +Tax"),
        ("alice", "field", "Amount: — → 12"),
        ("alice", "correspondent", "ACME → —"),
        ("alice", "tags", "−Tax"),
        ("alice", "field", "Amount: 12 → —"),
    ]
    # On the owner's page and in the API's history, with the action's translated label.
    shown = client.get(f"{page}/", headers={"Accept-Language": "fr"}).content.decode()
    assert "bob · Date modifiée · — → 2023-05-06" in shown
    history = api(alice).get(f"/api/documents/{letter.pk}/history/").json()
    assert [(line["actor"], line["action"], line["detail"]) for line in history] == [
        (actor or None, action, detail) for actor, action, detail in reversed(_lines(letter))
    ]


def test_rejecting_a_suggestion_through_the_api_is_in_the_history(
    alice: User, letter: Document
) -> None:
    """Rejecting clears the suggested value: a change the history names like any other."""
    from archive.models import Suggestion

    services.correspondent_create(
        owner=alice, name="Dear Co", match_algorithm="any", match_pattern="dear"
    )
    services.document_suggest(letter.pk)
    suggestion = Suggestion.objects.get(document=letter, key="correspondent")
    answer = api(alice).post(f"/api/suggestions/{suggestion.pk}/reject/")
    assert answer.status_code == 200, answer.content
    assert ("alice", "correspondent", "Dear Co → —") in _lines(letter)
