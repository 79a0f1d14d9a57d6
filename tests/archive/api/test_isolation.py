"""Owners only: another user's document answers every endpoint exactly as a missing one."""

from __future__ import annotations

import pytest

from archive.models import Document
from tests.archive.api.conftest import DOCUMENTS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# (method, path under /api/documents/{id}/, body): every endpoint that names a document.
ENDPOINTS = [
    ("get", "", None),
    ("patch", "", {"title": "taken"}),
    ("delete", "", None),
    ("get", "status/", None),
    ("post", "rerun/", {"from_scratch": True}),
    ("post", "password/", {"password": "x"}),
    ("get", "original/", None),
    ("get", "pages/", None),
    ("get", "pages/1/", None),
    ("get", "pages/1/image/", None),
    ("get", "pages/1/thumbnail/", None),
]


def test_another_users_document_does_not_exist_for_them(api, bob_api, processed):
    missing = Document.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    before = Document.objects.values().get(pk=processed.pk)
    for method, tail, body in ENDPOINTS:
        theirs = getattr(bob_api, method)(f"{DOCUMENTS}{processed.pk}/{tail}", body, format="json")
        none = getattr(bob_api, method)(f"{DOCUMENTS}{missing}/{tail}", body, format="json")
        assert theirs.status_code == 404, (method, tail, theirs.status_code)
        # Same answer as for an id that does not exist: nothing tells bob that it does.
        assert theirs.json() == none.json(), (method, tail)
        assert "detail" in theirs.json()
    assert Document.objects.values().get(pk=processed.pk) == before
    # The owner still reaches every page of it.
    assert api.get(f"{DOCUMENTS}{processed.pk}/pages/1/image/").status_code == 200


def test_lists_and_search_show_only_the_users_own(api, bob_api, processed):
    assert bob_api.get(DOCUMENTS).json()["count"] == 0
    assert bob_api.get("/api/search/", {"q": "quick"}).json()["results"] == []
    assert api.get(DOCUMENTS).json()["count"] == 1
    assert len(api.get("/api/search/", {"q": "quick"}).json()["results"]) == 1


def test_the_same_file_from_two_users_is_two_documents(api, bob_api, processed):
    """A duplicate is found among one's own documents only: bob's copy is his own."""
    original = processed.original.open("rb").read()
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = bob_api.post(DOCUMENTS, {"files": [SimpleUploadedFile("mine.tif", original)]})
    assert answer.status_code == 201
    (outcome,) = answer.json()["files"]
    assert outcome["outcome"] == "created"
    assert outcome["document"]["id"] != processed.pk
