"""An upload refused by a per-user limit answers 429 Too Many Requests with Retry-After, in the
web UI (a plain message on the library page), its JSON answer and the REST API; bad input keeps
400 (and 413 for size). A re-run or a PDF's password over the limit answers the same way (a
plain message on the document page). Real PostgreSQL, files made in the test."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from archive.models import Document, OcrJob
from archive.quotas import RETRY_AFTER_SECONDS
from tests.archive.api.conftest import DOCUMENTS, token_client
from tests.archive.conftest import document_with_pages, protected_pdf

pytestmark = pytest.mark.django_db

FULL = (
    "You have 1 page waiting to be read, and this file's 1 would pass the limit of 1 pages "
    "per user. Upload it again once some of your documents are done."
)


@pytest.fixture
def one_page_waiting(alice: User, make_upload: Any, settings: Any) -> None:
    """Alice has as many pages waiting as she may (one), so her next upload is over it."""
    settings.OCR_QUEUED_PAGES_PER_USER = 1
    client = Client()
    client.force_login(alice)
    client.post(reverse("upload"), {"scans": [make_upload("first.png", lines=["First"])]})
    assert Document.objects.filter(owner=alice).count() == 1


def test_the_web_upload_over_the_limit_answers_429_with_a_plain_message(
    client: Client, alice: User, make_upload: Any, one_page_waiting: None
) -> None:
    client.force_login(alice)
    response = client.post(reverse("upload"), {"scans": [make_upload("second.png")]})
    assert response.status_code == 429
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert f"second.png: {FULL}" in html.unescape(response.content.decode())
    answer = client.post(
        reverse("upload"),
        {"scans": [make_upload("second.png")]},
        headers={"accept": "application/json"},
    )
    assert answer.status_code == 429
    assert answer["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert answer.json()["files"][0]["message"] == FULL
    assert Document.objects.filter(owner=alice).count() == 1


def test_the_api_upload_over_the_limit_answers_429_bad_input_still_400(
    alice: User, make_upload: Any, one_page_waiting: None
) -> None:
    api = token_client(alice)
    response = api.post(DOCUMENTS, {"files": [make_upload("second.png")]})
    assert response.status_code == 429
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json()["files"][0]["message"] == FULL
    # A file that is bad input as well as one over the limit: the client must fix something.
    mixed = api.post(
        DOCUMENTS, {"files": [make_upload("third.png"), make_upload("x.txt", data=b"text")]}
    )
    assert mixed.status_code == 400
    assert "Retry-After" not in mixed
    assert api.post(DOCUMENTS, {"files": [make_upload("x.txt", data=b"t")]}).status_code == 400


def test_the_ocr_service_over_a_limit_answers_429_with_retry_after(
    alice: User, make_upload: Any, one_page_waiting: None
) -> None:
    response = token_client(alice).post("/api/ocr/?async=1", {"file": make_upload("more.png")})
    assert response.status_code == 429
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json()["detail"] == FULL
    assert not OcrJob.objects.exists()


RERUN_FULL = (
    "You have 1 page waiting to be read, and this document's 1 would pass the limit of 1 pages "
    "per user. Re-run it once some of your documents are done."
)


def test_a_rerun_over_the_limit_says_so_on_the_page_and_429_in_the_api(
    client: Client, alice: User, one_page_waiting: None
) -> None:
    done = document_with_pages(alice, "done", "en", ["read already"])
    client.force_login(alice)
    page = client.post(reverse("document_rerun", args=[done.pk]), {}, follow=True)
    assert RERUN_FULL in html.unescape(page.content.decode())
    response = token_client(alice).post(f"{DOCUMENTS}{done.pk}/rerun/", {}, format="json")
    assert response.status_code == 429
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json()["detail"] == RERUN_FULL
    done.refresh_from_db()
    assert done.status == Document.Status.DONE


def test_a_pdf_password_over_the_limit_answers_429_and_keeps_waiting(
    alice: User, make_upload: Any, one_page_waiting: None
) -> None:
    api = token_client(alice)
    created = api.post(DOCUMENTS, {"files": [make_upload("locked.pdf", data=protected_pdf(1))]})
    assert created.status_code == 201, created.content
    locked = Document.objects.get(owner=alice, original_name="locked.pdf")
    response = api.post(f"{DOCUMENTS}{locked.pk}/password/", {"password": "test"}, format="json")
    assert response.status_code == 429
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "this document's 1 would pass the limit" in response.json()["detail"]
    locked.refresh_from_db()
    assert (locked.status, locked.pdf_password) == (Document.Status.NEEDS_PASSWORD, "")
