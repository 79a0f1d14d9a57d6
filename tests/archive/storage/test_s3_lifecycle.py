"""A document's whole life on a real S3 server (SeaweedFS), with a ``MEDIA_ROOT`` that cannot
exist: upload, OCR, search, page images, searchable PDF, signed redirects, delete."""

from __future__ import annotations

import hashlib
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from archive.models import Document
from archive.processing import document_process
from tests.archive.conftest import encode, render_page, run_queued_tasks
from tests.archive.storage.conftest import keys
from tests.seaweedfs import SeaweedFS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_upload_ocr_search_pdf_delete_on_s3(
    client: Any,
    alice: Any,
    bob: Any,
    make_upload: Any,
    settings: Any,
    s3_storage: str,
    seaweedfs: SeaweedFS,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SEARCHABLE_PDF_AT_END = True
    data = encode([render_page(["Seaweed invoice"]), render_page(["Bucket overdue"])], "TIFF")
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("upload"), {"scans": [make_upload("two.tif", data=data)], "language": "en"}
        )
    assert response.status_code in (200, 302)
    document = Document.objects.get(owner=alice)
    # The original is an object in the bucket, byte for byte.
    stored = seaweedfs.client().get_object(Bucket=s3_storage, Key=document.original.name)
    assert stored["Body"].read() == data
    assert document.sha256 == hashlib.sha256(data).hexdigest()

    document_process(document.pk)
    run_queued_tasks()  # the second page and the searchable PDF, as a worker runs them
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert document.page_count == 2
    pages = list(document.pages.order_by("number"))
    page_keys = {name for page in pages for name in (page.image.name, page.thumbnail.name)}
    assert len(page_keys) == 4
    assert page_keys <= set(keys(seaweedfs, s3_storage, "pages/"))
    assert document.searchable_pdf.name in keys(seaweedfs, s3_storage, "exports/")

    found = client.get(reverse("search"), {"q": "overdue"})
    assert document.title.encode() in found.content

    # Media views stream from the bucket, after the access check.
    image = client.get(reverse("page_image", args=[document.pk, 2]))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/webp"
    body = _body(image)
    assert int(image["Content-Length"]) == len(body)
    assert (
        body
        == seaweedfs.client().get_object(Bucket=s3_storage, Key=pages[1].image.name)["Body"].read()
    )
    original = client.get(reverse("document_original", args=[document.pk]))
    assert _body(original) == data
    assert original["Content-Disposition"].startswith("attachment")
    pdf = client.get(reverse("document_searchable_pdf", args=[document.pk]))
    assert pdf.status_code == 200
    assert _body(pdf).startswith(b"%PDF-")
    # The REST API serves the same files the same way.
    api_original = client.get(f"/api/documents/{document.pk}/original/")
    assert api_original.status_code == 200
    assert _body(api_original) == data
    api_image = client.get(f"/api/documents/{document.pk}/pages/2/image/")
    assert _body(api_image) == body

    client.force_login(bob)
    assert client.get(f"/api/documents/{document.pk}/original/").status_code == 404
    for name, args in [
        ("page_image", [document.pk, 1]),
        ("page_thumbnail", [document.pk, 1]),
        ("document_original", [document.pk]),
        ("document_searchable_pdf", [document.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name

    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("document_delete", args=[document.pk]))
    assert not Document.objects.filter(pk=document.pk).exists()
    # Every object of the document is gone (the bucket held nothing else).
    assert keys(seaweedfs, s3_storage) == []
    assert not Path(settings.MEDIA_ROOT).parent.is_dir()  # MEDIA_ROOT was never made


def test_media_views_redirect_to_short_lived_signed_urls_when_configured(
    client: Any,
    alice: Any,
    bob: Any,
    make_upload: Any,
    settings: Any,
    s3_storage: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_REDIRECT_SECONDS = 60
    data = make_upload("letter.png", lines=["Signed letter"]).read()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("upload"), {"scans": [make_upload("letter.png", data=data)]})
    document = Document.objects.get(owner=alice)
    document_process(document.pk)

    response = client.get(reverse("document_original", args=[document.pk]))
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
    url = response["Location"]
    assert "X-Amz-Expires=60" in url
    assert "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as answer:  # the browser's request
        assert answer.read() == data
        assert answer.headers["Content-Disposition"].startswith("attachment")
    image = client.get(reverse("page_image", args=[document.pk, 1]))
    assert image.status_code == 302
    with urllib.request.urlopen(image["Location"], timeout=10) as answer:
        assert answer.read().startswith(b"RIFF")  # WebP
    # Without the signature the bucket answers nobody.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url.split("?", 1)[0], timeout=10)
    assert refused.value.code == 403
    # Still access-checked: another user gets no URL at all.
    client.force_login(bob)
    assert client.get(reverse("document_original", args=[document.pk])).status_code == 404
