"""archive.processing: real OCR, page by page, with vectors written alongside the text."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from archive.documents import document_rerun
from archive.ingest import document_create
from archive.models import Document
from archive.processing import document_process
from tests.archive.conftest import encode, render_page

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _create(owner, make_upload, **kwargs):
    upload = make_upload(**kwargs)
    return document_create(owner=owner, upload=upload, name=upload.name).document


def test_single_page_is_read_and_indexed(alice, make_upload):
    document = _create(alice, make_upload, lines=["Quarterly invoice", "Payment overdue"])
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert document.page_count == 1
    assert document.ocr_seconds
    assert document.ocr_seconds > 0
    page = document.pages.get()
    assert "invoice" in page.text.lower()
    assert "overdue" in page.text.lower()
    assert page.engine == "rapidocr"
    assert 0 < page.confidence <= 1
    assert page.search_vector
    assert document.search_vector
    word = next(w for w in page.words if "invoice" in w["text"].lower())
    x0, y0, x1, y1 = word["box"]
    assert 0 <= x0 < x1 <= page.width
    assert 0 <= y0 < y1 <= page.height
    assert default_storage.exists(page.image.name)


def test_multipage_tiff_gives_one_page_per_frame_in_order(alice, make_upload):
    words = ["Alpha", "Bravo", "Charlie"]
    frames = [render_page([f"{word} section"], size=(900, 400)) for word in words]
    document = _create(alice, make_upload, name="three.tif", data=encode(frames, "TIFF"))
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    pages = list(document.pages.order_by("number"))
    assert [p.number for p in pages] == [1, 2, 3]
    for page, word in zip(pages, words, strict=True):
        assert word.lower() in page.text.lower()


def test_file_that_breaks_while_decoding_fails_with_reason_and_keeps_original(alice, make_upload):
    good = encode([render_page(["Truncated scan"], size=(1600, 1200))], "TIFF")
    broken = good[: len(good) // 2]  # header intact, pixel data cut off
    document = _create(alice, make_upload, name="cut.tif", data=broken)
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert "Page 1" in document.error
    assert default_storage.exists(document.original.name)
    with default_storage.open(document.original.name, "rb") as original:
        assert original.read() == broken


def test_rerun_from_scratch_reprocesses_and_is_idempotent(alice, make_upload):
    document = _create(alice, make_upload)
    document_process(document.pk)
    first_page = document.pages.get()
    document_rerun(document, from_scratch=True)
    document.refresh_from_db()
    assert document.status == Document.Status.QUEUED
    assert not document.pages.exists()
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE
    assert document.pages.count() == 1
    assert document.pages.get().pk != first_page.pk
    # Running the task again for a finished document changes nothing.
    document_process(document.pk)
    assert document.pages.count() == 1


def test_resumed_run_processes_only_missing_pages(alice, make_upload):
    frames = [render_page([f"{w} part"], size=(900, 400)) for w in ["Delta", "Echo"]]
    document = _create(alice, make_upload, name="two.tif", data=encode(frames, "TIFF"))
    document_process(document.pk)
    kept = document.pages.get(number=1)
    document.pages.filter(number=2).delete()  # as if the worker died after page 1
    Document.objects.filter(pk=document.pk).update(status=Document.Status.PROCESSING)
    document_process(document.pk)
    assert list(document.pages.values_list("number", flat=True)) == [1, 2]
    assert document.pages.get(number=1).pk == kept.pk


def test_language_the_engine_lacks_is_read_with_its_default_and_stemmed_in_its_own(
    alice, make_upload
):
    upload = make_upload("rechnung.png", lines=["Rechnung Nummer 42", "Zahlung bis Montag"])
    document = document_create(owner=alice, upload=upload, name=upload.name, language="de").document
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert "rechnung" in document.pages.get().text.lower()
    from archive.search import document_search

    # German stemming: "Rechnungen" finds "Rechnung".
    assert [h.document.pk for h in document_search(user=alice, query="Rechnungen")] == [document.pk]
