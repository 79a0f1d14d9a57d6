"""archive.exports and its download view: documents read by the real worker path, the PDF's
text layer read back with poppler's pdftotext."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive.documents import document_delete, document_rerun, page_text_update
from archive.exports import ExportUnavailable, page_lines, searchable_pdf
from archive.ingest import document_create
from archive.models import Document, Page
from archive.processing import document_process
from tests.archive.conftest import encode, render_page, run_queued_tasks
from tests.pdftext import PdfPage, pdf_text, pdf_words

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _processed(owner, name: str, data: bytes) -> Document:
    """A document stored and read as an upload is: ``document_process`` and the page tasks."""
    upload = SimpleUploadedFile(name, data)
    document = document_create(owner=owner, upload=upload, name=name).document
    document_process(document.pk)
    run_queued_tasks()
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    return document


def _local(name: str, tmp_path: Path) -> Path:
    """A local copy of a stored file, for pdftotext."""
    path = tmp_path / Path(name).name
    with default_storage.open(name, "rb") as stored:
        path.write_bytes(stored.read())
    return path


def _assert_words_on_page(pdf_page: PdfPage, page: Page) -> None:
    """The PDF page's words are the page's words in reading order, each inside its box."""
    expected = [
        (part, word) for line in page_lines(page) for word in line for part in word.text.split()
    ]
    assert [w.text for w in pdf_page.words] == [text for text, _ in expected]
    for found, (_, word) in zip(pdf_page.words, expected, strict=True):
        x, y = pdf_page.centre_in_pixels(found, (page.width, page.height))
        x0, y0, x1, y1 = word.box
        assert x0 - 1 <= x <= x1 + 1, (found, word)
        assert y0 - 1 <= y <= y1 + 1, (found, word)


def test_jpeg_scan_pdf_has_the_ocr_words_at_their_boxes_and_stays_small(alice, testdata, tmp_path):
    original = testdata / "tapuscorpus_fr" / "AN_96AP_FRAN_0150_0159.jpg"
    document = _processed(alice, original.name, original.read_bytes())
    name = searchable_pdf(document)
    assert name.startswith(f"exports/{alice.pk}/{document.pk}/")
    pdf = _local(name, tmp_path)
    (pdf_page,) = pdf_words(pdf)
    page = document.pages.get()
    assert len(pdf_page.words) > 50
    _assert_words_on_page(pdf_page, page)
    ratio = pdf.stat().st_size / original.stat().st_size
    assert ratio <= 1.3, ratio
    # Cached: the same file until the text changes.
    assert searchable_pdf(document) == name


def test_multipage_tiff(alice, tmp_path):
    words = ["Alpha", "Bravo", "Charlie"]
    frames = [render_page([f"{word} section"], size=(900, 400)) for word in words]
    document = _processed(alice, "three.tif", encode(frames, "TIFF"))
    pdf = _local(searchable_pdf(document), tmp_path)
    found = pdf_words(pdf)
    assert len(found) == 3
    for pdf_page, page, word in zip(found, document.pages.order_by("number"), words, strict=True):
        assert pdf_page.words[0].text == word
        _assert_words_on_page(pdf_page, page)


def test_born_digital_pages_keep_their_own_text(alice, testdata, tmp_path):
    original = testdata / "pdfs" / "paperless" / "multi-page-mixed.pdf"
    document = _processed(alice, original.name, original.read_bytes())
    pdf = _local(searchable_pdf(document), tmp_path)
    pages = list(document.pages.order_by("number"))
    assert [p.source for p in pages] == ["ocr"] * 3 + ["text"] * 3
    found = pdf_words(pdf)
    for page in pages:
        if page.source == "text":
            assert pdf_text(pdf, page.number) == pdf_text(original, page.number)
        else:
            _assert_words_on_page(found[page.number - 1], page)
        assert f"page {page.number}" in pdf_text(pdf, page.number).lower()


def test_text_correction_is_in_the_next_pdf_and_the_old_one_is_deleted(
    alice, make_upload, tmp_path, django_capture_on_commit_callbacks
):
    upload = make_upload(lines=["Quarterly invoice", "Payment overdue"])
    document = _processed(alice, "scan.png", upload.read())
    first = searchable_pdf(document)
    page = document.pages.get()
    corrected = page.text.replace("overdue", "received")
    assert corrected != page.text
    with django_capture_on_commit_callbacks(execute=True):
        page_text_update(page, corrected)
    document.refresh_from_db()
    assert not document.searchable_pdf.name
    assert not default_storage.exists(first)
    second = searchable_pdf(document)
    text = pdf_text(_local(second, tmp_path))
    assert "received" in text
    assert "overdue" not in text
    # A re-run forgets it too; deleting the document deletes it.
    with django_capture_on_commit_callbacks(execute=True):
        document_rerun(document)
    assert not default_storage.exists(second)
    document_process(document.pk)
    third = searchable_pdf(document)
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(document)
    assert not default_storage.exists(third)


def test_built_at_the_end_of_processing_when_set(alice, make_upload, settings):
    settings.SEARCHABLE_PDF_AT_END = True
    document = _processed(alice, "scan.png", make_upload().read())
    assert document.searchable_pdf.name
    assert default_storage.exists(document.searchable_pdf.name)


def test_not_made_before_the_document_is_done(alice, make_upload):
    upload = make_upload()
    document = document_create(owner=alice, upload=upload, name=upload.name).document
    with pytest.raises(ExportUnavailable, match="once every page has been read"):
        searchable_pdf(document)


def _exports_stored() -> list[str]:
    """Every searchable PDF in storage."""
    found: list[str] = []

    def walk(folder: str) -> None:
        if not default_storage.exists(folder):
            return
        folders, files = default_storage.listdir(folder)
        found.extend(f"{folder}/{name}" for name in files)
        for sub in folders:
            walk(f"{folder}/{sub}")

    walk("exports")
    return found


def test_download_is_for_the_owner_only_and_built_by_the_worker(
    client, alice, bob, make_upload, django_capture_on_commit_callbacks
):
    document = _processed(alice, "scan.png", make_upload().read())
    document.title = 'Invoice "March"/2024'
    document.save(update_fields=["title"])
    url = reverse("document_searchable_pdf", args=[document.pk])
    assert url == f"/documents/{document.pk}/searchable.pdf"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(bob)
    assert client.get(url).status_code == 404
    client.force_login(alice)
    # Issue 15, item 5: the web request only queues the build; the worker makes the PDF.
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            waiting = client.get(url)
        assert waiting.status_code == 202
        assert waiting["Refresh"] == "3"
        assert "being prepared" in waiting.content.decode()
    assert _exports_stored() == []
    assert run_queued_tasks() == 1  # two downloads, one build
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == r'attachment; filename="Invoice \"March\"-2024.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert len(_exports_stored()) == 1
    detail = client.get(document.get_absolute_url())
    assert url.encode() in detail.content
    assert b"Download searchable PDF" in detail.content


def test_a_build_that_fails_says_why_instead_of_waiting_for_ever(
    client, alice, make_upload, django_capture_on_commit_callbacks
):
    document = _processed(alice, "scan.png", make_upload().read())
    original = str(document.original.name)
    default_storage.delete(original)
    default_storage.save(original, SimpleUploadedFile("x", b"not an image"))
    client.force_login(alice)
    url = reverse("document_searchable_pdf", args=[document.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 202
    assert run_queued_tasks() == 1
    response = client.get(url)
    assert response.status_code == 409
    assert "cannot be read" in response.content.decode()
    assert run_queued_tasks() == 0  # not queued again until the text changes


def test_download_of_a_document_still_queued_says_why(client, alice, make_upload):
    upload = make_upload()
    document = document_create(owner=alice, upload=upload, name=upload.name).document
    client.force_login(alice)
    response = client.get(reverse("document_searchable_pdf", args=[document.pk]))
    assert response.status_code == 409
    assert "once every page has been read" in response.content.decode()
    detail = client.get(document.get_absolute_url())
    assert b"Download searchable PDF" not in detail.content
