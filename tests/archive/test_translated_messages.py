"""Messages written in Python come in the user's language (issue 17): the document panel's
flash messages, the API's errors, the search page's query errors and the page review's
messages, each formerly hard-coded English. Real requests with Accept-Language through the
test client, the real database and the real catalogs (locale/); tests/test_untranslated_python.py
keeps new hard-coded text out."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from archive.models import Document
from tests.archive.conftest import document_with_pages

pytestmark = pytest.mark.django_db

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.fixture
def filed(alice: User) -> Document:
    return document_with_pages(alice, "Facture", "fr", ["Montant total 120 EUR"])


def test_the_document_panels_messages_come_in_french(
    client: Client, alice: User, filed: Document
) -> None:
    client.force_login(alice)
    saved = client.post(
        reverse("document_metadata", args=[filed.pk]),
        {"document_date": "2024-03-05"},
        headers=FRENCH,
        follow=True,
    ).content.decode()
    assert "Enregistré." in saved
    assert "Saved." not in saved
    tagged = client.post(
        reverse("document_tag_add", args=[filed.pk]), {"tag": "Impôts"}, headers=FRENCH, follow=True
    ).content.decode()
    assert "Étiquette Impôts ajoutée." in tagged
    refused = client.post(
        reverse("document_metadata", args=[filed.pk]),
        {"document_date": "5 mars"},
        headers=FRENCH,
        follow=True,
    ).content.decode()
    assert "Une date s’écrit AAAA-MM-JJ." in refused
    assert "A date is written" not in refused


def test_the_apis_errors_come_in_german(alice: User) -> None:
    from tests.archive.api.conftest import token_client

    api: APIClient = token_client(alice)
    colour = api.post(
        "/api/tags/", {"name": "x", "colour": "blue"}, format="json", HTTP_ACCEPT_LANGUAGE="de"
    )
    assert colour.status_code == 400
    assert colour.json()["colour"] == ["Eine Farbe wird als #rrggbb geschrieben, z. B. #1f78b4."]
    state = api.get("/api/suggestions/?state=maybe", HTTP_ACCEPT_LANGUAGE="de")
    assert state.status_code == 400
    assert state.json()["state"] == ["Wählen Sie suggested, confirmed, rejected oder all."]
    english = api.post("/api/tags/", {"name": "x", "colour": "blue"}, format="json")
    assert english.json()["colour"] == ["A colour is written #rrggbb, e.g. #1f78b4."]


def test_a_search_query_error_comes_in_spanish(client: Client, alice: User) -> None:
    client.force_login(alice)
    page = client.get(
        reverse("search"), {"q": "date:2024-13"}, headers={"Accept-Language": "es"}
    ).content.decode()
    assert "13 no es un mes (1 a 12)." in page
    assert "is not a month" not in page


def test_the_page_reviews_messages_come_in_french(
    admin_client: Client, alice: User, filed: Document
) -> None:
    page = filed.pages.get()
    unchanged = admin_client.post(
        reverse("admin:archive_page_review", args=[page.pk]),
        {"text": page.text, "based_on": 0},
        headers=FRENCH,
        follow=True,
    ).content.decode()
    assert "Le texte n’a pas changé ; rien n’a été enregistré." in unchanged
    missing = admin_client.post(
        reverse("admin:archive_page_review", args=[page.pk]),
        {"revert": "7"},
        headers=FRENCH,
        follow=True,
    ).content.decode()
    assert "Cette version n’existe pas (ou plus) ; rien n’a été modifié." in missing
