"""archive.processing: real OCR, page by page, with vectors written alongside the text."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django_q.timeout import TimeoutHandler

from archive.documents import document_rerun
from archive.ingest import document_create
from archive.models import Document, Page, PageAttempt, storage_name
from archive.processing import document_process, page_process
from tests.archive.conftest import encode, render_page, run_queued_tasks

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
    # Page 1 is read by the document task itself, pages 2 and 3 by tasks of their own.
    assert document.pages.count() == 1
    assert run_queued_tasks() == 2
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
    # The worker died before page 2's task ran, and the queue hands the document task out
    # again: the new run reads the missing page 2 itself; the first run's page 2 task, still
    # queued, is out of date and saves nothing.
    document_process(document.pk)
    assert run_queued_tasks() == 1
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
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


def _three_pages(alice, make_upload, size=(900, 400)):
    frames = [render_page([f"{w} chapter"], size=size) for w in ["Foxtrot", "Golf", "Hotel"]]
    return _create(alice, make_upload, name="three.tif", data=encode(frames, "TIFF"))


def _stored_files(document) -> list[str]:
    folder = f"pages/{document.owner_id}/{document.pk}"
    return sorted(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else []


def test_each_page_is_saved_once_even_when_its_task_runs_twice(alice, make_upload):
    document = _three_pages(alice, make_upload)
    document_process(document.pk)
    document.refresh_from_db()
    # Every page task handed out twice (the retry came before the first one's result).
    for number in (2, 3, 2, 3):
        page_process(document.pk, document.run, number)
    run_queued_tasks()
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert list(document.pages.values_list("number", flat=True)) == [1, 2, 3]
    # One display image and one thumbnail per page, no leftovers from the duplicates.
    assert _stored_files(document) == sorted(
        f"{n:05d}{suffix}.webp" for n in (1, 2, 3) for suffix in ("", "-thumb")
    )


def test_page_task_of_an_older_run_saves_nothing(
    alice, make_upload, django_capture_on_commit_callbacks
):
    document = _three_pages(alice, make_upload)
    document_process(document.pk)
    document.refresh_from_db()
    old_run = document.run
    with django_capture_on_commit_callbacks(execute=True):  # deletes page 1's files
        document_rerun(document, from_scratch=True)
    page_process(document.pk, old_run, 2)
    assert not document.pages.exists()
    assert _stored_files(document) == []


def test_page_past_its_time_limit_fails_the_document_and_keeps_the_other_pages(
    alice, make_upload, settings
):
    settings.OCR_PAGE_TIMEOUT = 1
    small = render_page(["India section"], size=(900, 400))
    # A page dense enough that reading it takes well over a second.
    dense = render_page([f"Juliett line {i} of a long page" for i in range(40)], size=(2400, 3800))
    document = _create(alice, make_upload, name="two.tif", data=encode([small, dense], "TIFF"))
    document_process(document.pk)
    document.refresh_from_db()
    # django-q2 bounds each task the same way: SIGALRM raises TimeoutException in the task.
    with TimeoutHandler(settings.OCR_PAGE_TIMEOUT):
        page_process(document.pk, document.run, 2)
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert "Page 2 took longer than the 1 s a page may take" in document.error
    assert list(document.pages.values_list("number", flat=True)) == [1]
    # A re-run reads only the missing page.
    settings.OCR_PAGE_TIMEOUT = 300
    document_rerun(document)
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert "juliett" in document.pages.get(number=2).text.lower()


def test_page_that_keeps_killing_its_worker_fails_the_document(alice, make_upload, settings):
    document = _three_pages(alice, make_upload)
    document_process(document.pk)
    document.refresh_from_db()
    # Page 3's worker died mid-page as often as allowed: the next start gives up on it.
    PageAttempt.objects.update_or_create(
        document=document, number=3, defaults={"count": settings.OCR_PAGE_ATTEMPTS}
    )
    run_queued_tasks()
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert "Page 3 stopped the worker reading it 2 times" in document.error
    assert list(document.pages.values_list("number", flat=True)) == [1, 2]
    # The user's re-run starts the count again and reads only page 3.
    document_rerun(document)
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error


def test_pdf_pages_keep_their_text_layer_and_scanned_pages_are_read(alice, testdata):
    path = testdata / "pdfs" / "paperless" / "multi-page-mixed.pdf"
    with path.open("rb") as handle:
        document = document_create(owner=alice, upload=handle, name=path.name).document
    document_process(document.pk)
    run_queued_tasks()
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    pages = list(document.pages.order_by("number"))
    assert [p.source for p in pages] == ["ocr"] * 3 + ["text"] * 3
    for number, page in enumerate(pages, start=1):
        assert f"page {number}" in page.text.lower()
        assert default_storage.exists(storage_name(page.thumbnail))


def test_rerun_with_force_ocr_reads_text_pages_with_the_engine(alice, testdata):
    path = testdata / "pdfs" / "paperless" / "with-form.pdf"
    with path.open("rb") as handle:
        document = document_create(owner=alice, upload=handle, name=path.name).document
    document_process(document.pk)
    assert document.pages.get().source == Page.Source.TEXT_LAYER
    document_rerun(document, force_ocr=True)
    document_process(document.pk)
    document.refresh_from_db()
    page = document.pages.get()
    assert document.force_ocr
    assert page.source == Page.Source.OCR
    assert "form" in page.text.lower()
