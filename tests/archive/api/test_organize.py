"""The organize API: CRUD of tags, correspondents, types, custom fields, saved views and notes;
a document's metadata; suggestions accepted and rejected; bad input is a 400, never a 500."""

from __future__ import annotations

import pytest

from archive.models import Suggestion
from archive.organize.objects import correspondent_create
from archive.organize.suggest import document_suggest
from tests.archive.conftest import document_with_pages

pytestmark = pytest.mark.django_db

CRUD = [
    (
        "/api/correspondents/",
        {"name": "IKEA", "match_algorithm": "any", "match_pattern": "ikea"},
        {"name": "IKEA GmbH"},
    ),
    (
        "/api/document-types/",
        {"name": "Invoice", "match_algorithm": "regex", "match_pattern": r"invoice\s+no"},
        {"match_pattern": "rechnung"},
    ),
    ("/api/tags/", {"name": "Tax", "colour": "#1f78b4"}, {"name": "Taxes"}),
    (
        "/api/custom-fields/",
        {
            "name": "Total",
            "data_type": "monetary",
            "currency": "EUR",
            "suggest": "total",
            "match_algorithm": "any",
            "match_pattern": "total",
        },
        {"currency": "USD"},
    ),
    (
        "/api/saved-views/",
        {
            "name": "Receipts",
            "query": "q=type:receipt",
            "show_in_sidebar": True,
            "columns": ["title", "date"],
        },
        {"show_on_dashboard": True},
    ),
]


@pytest.mark.parametrize(("url", "create", "change"), CRUD)
def test_crud_round_trip(api, bob_api, url, create, change):
    made = api.post(url, create, format="json")
    assert made.status_code == 201, made.json()
    item = made.json()
    for key, value in create.items():
        assert item[key] == value
    one = f"{url}{item['id']}/"
    assert api.get(url).json()["results"] == [item]
    # Another user sees nothing of it, by list or by id.
    assert bob_api.get(url).json()["results"] == []
    assert bob_api.get(one).status_code == 404
    assert bob_api.patch(one, change, format="json").status_code == 404
    assert bob_api.delete(one).status_code == 404
    changed = api.patch(one, change, format="json")
    assert changed.status_code == 200, changed.json()
    assert all(changed.json()[k] == v for k, v in change.items())
    assert api.delete(one).status_code == 204
    assert api.get(one).status_code == 404


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (
            "/api/correspondents/",
            {"name": "X", "match_algorithm": "regex", "match_pattern": "("},
            "match_pattern",
        ),
        ("/api/correspondents/", {"name": " "}, "name"),
        (
            "/api/document-types/",
            {"name": "X", "match_algorithm": "fuzzy", "match_pattern": ""},
            "match_pattern",
        ),
        ("/api/tags/", {"name": "a/b"}, "name"),
        ("/api/tags/", {"name": "x", "colour": "blue"}, "colour"),
        ("/api/tags/", {"name": "x", "parent": 999999}, "parent"),
        ("/api/custom-fields/", {"name": "x", "data_type": "select"}, "select_options"),
        ("/api/custom-fields/", {"name": "x", "data_type": "blob"}, "data_type"),
        ("/api/saved-views/", {"name": ""}, "name"),
    ],
)
def test_bad_input_is_a_400_on_the_field(api, url, body, field):
    response = api.post(url, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_duplicate_name_is_a_400(api):
    assert api.post("/api/correspondents/", {"name": "IKEA"}, format="json").status_code == 201
    response = api.post("/api/correspondents/", {"name": "ikea"}, format="json")
    assert response.status_code == 400
    assert "already" in response.json()["name"][0]


def test_nested_tags_by_parent(api, bob_api):
    tax = api.post("/api/tags/", {"name": "Tax"}, format="json").json()
    year = api.post("/api/tags/", {"name": "2024", "parent": tax["id"]}, format="json").json()
    assert (year["path"], year["parent"]) == ("Tax/2024", tax["id"])
    # Bob cannot hang a tag under Alice's.
    response = bob_api.post("/api/tags/", {"name": "x", "parent": tax["id"]}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()


def test_notes_on_own_documents_only(api, bob_api, alice, bob):
    mine = document_with_pages(alice, "mine", "en", ["x"])
    theirs = document_with_pages(bob, "theirs", "en", ["y"])
    made = api.post(f"/api/notes/?document={mine.pk}", {"text": "warranty"}, format="json")
    assert made.status_code == 201
    assert made.json()["author"] == "alice"
    assert (
        api.post(f"/api/notes/?document={theirs.pk}", {"text": "x"}, format="json").status_code
        == 404
    )
    assert api.post("/api/notes/", {"text": "x"}, format="json").status_code == 400
    assert (
        api.post(f"/api/notes/?document={mine.pk}", {"text": " "}, format="json").status_code == 400
    )
    note = made.json()["id"]
    assert [n["id"] for n in api.get(f"/api/notes/?document={mine.pk}").json()["results"]] == [note]
    assert bob_api.get(f"/api/notes/{note}/").status_code == 404
    assert (
        api.patch(f"/api/notes/{note}/", {"text": "two years"}, format="json").json()["text"]
        == "two years"
    )
    assert api.delete(f"/api/notes/{note}/").status_code == 204


def test_document_metadata_read_and_change(api, bob_api, alice):
    document = document_with_pages(alice, "receipt", "en", ["IKEA receipt 11/03/2024"])
    shop = api.post("/api/correspondents/", {"name": "IKEA"}, format="json").json()
    tag = api.post("/api/tags/", {"name": "Home"}, format="json").json()
    field = api.post(
        "/api/custom-fields/", {"name": "Total", "data_type": "monetary"}, format="json"
    ).json()
    url = f"/api/documents/{document.pk}/metadata/"
    body = {
        "document_date": "2024-11-03",
        "correspondent": shop["id"],
        "tags": [tag["id"]],
        "custom_fields": [{"field": field["id"], "value": "12.50 EUR"}],
    }
    assert bob_api.patch(url, body, format="json").status_code == 404
    response = api.patch(url, body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["document_date"] == "2024-11-03"
    assert data["correspondent"] == shop["id"]
    assert data["tags"] == [tag["id"]]
    assert data["custom_fields"][0]["value"] == "12.50 EUR"
    # A bad value in one part changes nothing at all.
    bad = api.patch(
        url,
        {"correspondent": None, "custom_fields": [{"field": field["id"], "value": "lots"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert api.get(url).json()["correspondent"] == shop["id"]
    assert api.patch(url, {"correspondent": 999999}, format="json").status_code == 400
    assert api.patch(url, {"document_date": "2024-13-01"}, format="json").status_code == 400
    cleared = api.patch(url, {"correspondent": None, "tags": []}, format="json").json()
    assert cleared["correspondent"] is None
    assert cleared["tags"] == []


def test_suggestions_accept_and_reject(api, bob_api, alice):
    correspondent_create(owner=alice, name="IKEA", match_algorithm="any", match_pattern="ikea")
    document = document_with_pages(alice, "receipt", "en", ["IKEA receipt 11/03/2024"])
    document_suggest(document.pk)
    listed = api.get(f"/api/suggestions/?document={document.pk}").json()["results"]
    by_key = {row["key"]: row for row in listed}
    assert by_key["correspondent"]["value"] == "IKEA"
    assert by_key["date"]["value"] == "2024-11-03"
    assert bob_api.get("/api/suggestions/").json()["results"] == []
    date_id, who_id = by_key["date"]["id"], by_key["correspondent"]["id"]
    assert bob_api.post(f"/api/suggestions/{date_id}/accept/").status_code == 404
    assert api.post(f"/api/suggestions/{date_id}/accept/").json()["state"] == "confirmed"
    assert api.post(f"/api/suggestions/{date_id}/accept/").status_code == 400  # decided
    assert api.post(f"/api/suggestions/{who_id}/reject/").json()["state"] == "rejected"
    document.refresh_from_db()
    assert document.correspondent is None
    assert str(document.document_date) == "2024-11-03"
    assert api.get("/api/suggestions/").json()["results"] == []
    assert len(api.get("/api/suggestions/?state=all").json()["results"]) == 2
    assert api.get("/api/suggestions/?state=maybe").status_code == 400
    assert Suggestion.objects.filter(state="suggested").count() == 0
