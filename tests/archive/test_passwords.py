"""Password-protected PDFs: kept at upload, read once their owner gives the password.

Covers ``archive.ingest.document_create(password=...)``, ``archive.documents.
document_set_password`` and the document page's password form.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from archive.acceptance import WRONG_PASSWORD_MESSAGE
from archive.documents import document_set_password
from archive.errors import UserError
from archive.ingest import NEEDS_PASSWORD_MESSAGE, document_create
from archive.models import Document
from archive.outcomes import Outcome
from ocr.files import open_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def protected(testdata: Path) -> bytes:
    """A one-page PDF whose password is ``test``."""
    return (testdata / "pdfs" / "paperless" / "password-is-test.pdf").read_bytes()


def _stored(document: Document) -> bytes:
    with default_storage.open(document.original.name or "", "rb") as stored:
        return stored.read()


def test_protected_pdf_is_kept_and_waits_for_its_password(
    alice, make_upload, protected, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        result = document_create(owner=alice, upload=make_upload(data=protected), name="p.pdf")
    document = result.document
    assert result.outcome is Outcome.NEEDS_PASSWORD
    assert document.status == Document.Status.NEEDS_PASSWORD
    assert document.error == NEEDS_PASSWORD_MESSAGE
    assert document.pdf_password == ""
    assert document.queued_at is None
    assert document.is_finished, "no worker will touch it: the badge stops polling"
    assert callbacks == [], "not queued for OCR"
    assert _stored(document) == protected


def test_right_password_at_upload_queues_it(
    alice, make_upload, protected, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        document = document_create(
            owner=alice, upload=make_upload(data=protected), name="p.pdf", password="test"
        ).document
    assert (document.status, document.error) == (Document.Status.QUEUED, "")
    assert document.pdf_password == "test"
    assert len(callbacks) == 1
    # What the worker will do with it.
    with (
        default_storage.open(document.original.name or "", "rb") as stored,
        open_document(stored, password=document.pdf_password) as pages,
    ):
        assert pages.page_count == 1


def test_wrong_password_at_upload_still_keeps_the_file(
    alice, make_upload, protected, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        document = document_create(
            owner=alice, upload=make_upload(data=protected), name="p.pdf", password="nope"
        ).document
    assert document.status == Document.Status.NEEDS_PASSWORD
    assert document.error == WRONG_PASSWORD_MESSAGE
    assert document.pdf_password == ""
    assert callbacks == []
    assert _stored(document) == protected


def test_encrypted_pdf_with_an_unknown_password_waits(alice, make_upload, testdata):
    data = (testdata / "pdfs" / "paperless" / "encrypted.pdf").read_bytes()
    document = document_create(owner=alice, upload=make_upload(data=data), name="e.pdf").document
    assert document.status == Document.Status.NEEDS_PASSWORD


def test_pdf_without_a_user_password_ignores_a_password_given(alice, make_upload, testdata):
    # signed.pdf is AES-encrypted for permissions only: it opens with no password, and PDFium
    # would refuse it with a wrong one, so the password typed is not used (nor stored).
    data = (testdata / "pdfs" / "paperless" / "signed.pdf").read_bytes()
    document = document_create(
        owner=alice, upload=make_upload(data=data), name="s.pdf", password="test"
    ).document
    assert (document.status, document.pdf_password) == (Document.Status.QUEUED, "")


def test_set_password_checks_it_then_queues(
    alice, make_upload, protected, django_capture_on_commit_callbacks
):
    result = document_create(owner=alice, upload=make_upload(data=protected), name="p.pdf")
    document = result.document
    with pytest.raises(UserError, match="The password given does not open this PDF"):
        document_set_password(document, "wrong")
    document.refresh_from_db()
    assert (document.status, document.pdf_password) == (Document.Status.NEEDS_PASSWORD, "")
    with django_capture_on_commit_callbacks() as callbacks:
        document_set_password(document, "test")
    document.refresh_from_db()
    assert (document.status, document.error) == (Document.Status.QUEUED, "")
    assert document.pdf_password == "test"
    assert document.queued_at is not None
    assert len(callbacks) == 1
    with pytest.raises(UserError, match="not waiting for a password"):
        document_set_password(document, "test")


def test_set_password_applies_the_page_limit(alice, make_upload, protected, settings):
    document = document_create(owner=alice, upload=make_upload(data=protected), name="p.pdf")
    settings.MAX_PAGES = 1
    document_set_password(document.document, "test")  # one page: within the limit
    other = document_create(
        owner=alice, upload=make_upload(data=protected + b"\n"), name="q.pdf"
    ).document
    settings.MAX_PAGES = 0  # (no real setting is that low; this is the check alone)
    with pytest.raises(UserError, match="above the limit of 0 pages"):
        document_set_password(other, "test")


def test_password_form_on_the_document_page(client, alice, make_upload, protected):
    client.force_login(alice)
    document = document_create(owner=alice, upload=make_upload(data=protected), name="p.pdf")
    url = reverse("document_password", args=[document.document.pk])
    page = client.get(document.document.get_absolute_url()).content.decode()
    assert NEEDS_PASSWORD_MESSAGE in page
    assert f'action="{url}"' in page

    wrong = client.post(url, {"password": "wrong"}, follow=True)
    assert WRONG_PASSWORD_MESSAGE in wrong.content.decode()
    right = client.post(url, {"password": "test"})
    assert right.status_code == 302
    assert Document.objects.get().status == Document.Status.QUEUED
    after = client.get(document.document.get_absolute_url()).content.decode()
    assert f'action="{url}"' not in after, "the form is shown only while it is needed"


def _without_its_file(document: Document) -> Document:
    """The document with its original gone from the row: the service then meets an internal
    fault (``storage_name`` raises ``ValueError("original holds no file")``)."""
    Document.objects.filter(pk=document.pk).update(original="")
    document.refresh_from_db()
    return document


def test_an_internal_fault_is_not_shown_as_a_form_message(client, alice, make_upload, protected):
    document = _without_its_file(
        document_create(owner=alice, upload=make_upload(data=protected), name="p.pdf").document
    )
    client.force_login(alice)
    client.raise_request_exception = False
    response = client.post(
        reverse("document_password", args=[document.pk]), {"password": "test"}, follow=True
    )
    assert response.status_code == 500
    assert "holds no file" not in response.content.decode()


def test_an_internal_fault_is_not_an_api_detail(alice, make_upload, protected):
    document = _without_its_file(
        document_create(owner=alice, upload=make_upload(data=protected), name="p.pdf").document
    )
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(alice)
    response = api.post(f"/api/documents/{document.pk}/password/", {"password": "test"})
    assert response.status_code == 500
    assert "holds no file" not in response.content.decode()


def test_password_view_is_post_only_owner_only_and_csrf_checked(alice, bob, make_upload, protected):
    document = document_create(owner=alice, upload=make_upload(data=protected), name="p.pdf")
    url = reverse("document_password", args=[document.document.pk])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post(url, {"password": "test"}).status_code == 403
    owner = Client()
    owner.force_login(alice)
    assert owner.get(url).status_code == 405
    other = Client()
    other.force_login(bob)
    assert other.post(url, {"password": "test"}).status_code == 404
    assert Document.objects.get().status == Document.Status.NEEDS_PASSWORD


def test_upload_form_takes_a_password(client, alice, make_upload, protected):
    client.force_login(alice)
    response = client.post(
        reverse("upload"),
        {"scans": [make_upload("locked.pdf", data=protected)], "password": "test"},
        follow=True,
    )
    assert "locked.pdf: uploaded, OCR queued." in response.content.decode()
    assert Document.objects.get().pdf_password == "test"


def test_upload_without_the_password_says_where_to_give_it(client, alice, make_upload, protected):
    client.force_login(alice)
    response = client.post(
        reverse("upload"), {"scans": [make_upload("locked.pdf", data=protected)]}, follow=True
    )
    text = response.content.decode()
    document = Document.objects.get()
    assert "locked.pdf: stored, not read yet." in text
    assert NEEDS_PASSWORD_MESSAGE in text
    assert document.get_absolute_url() in text
