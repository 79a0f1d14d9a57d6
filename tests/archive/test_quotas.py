"""archive.quotas: per-user limits hold under parallel requests, and on every path that queues
pages (an upload, the OCR service, a re-run, a PDF's password, a bulk re-run). Each thread is a
request with its own connection to the real PostgreSQL; they start together at a barrier,
several rounds, since a race shows only when the requests overlap."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from archive.documents import document_rerun, document_set_password
from archive.ingest import UploadRejected, document_create
from archive.models import Document, OcrJob, PageJob
from archive.ocr_service import OcrRequestRejected, ocr_job_submit
from archive.organize.bulk_edit import bulk_edit_create, bulk_edit_run
from archive.organize.bulk_models import BulkEdit
from archive.organize.errors import OrganizeError
from archive.processing.jobs import queued_pages
from archive.quotas import QueueFull
from tests.archive.conftest import document_with_pages, encode, protected_pdf, render_page

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4
ROUNDS = 3


def _tiff(name: str, words: list[str]) -> SimpleUploadedFile:
    frames = [render_page([f"{word} page"], size=(600, 300)) for word in words]
    return SimpleUploadedFile(name, encode(frames, "TIFF"))


def _upload(owner: User, upload: SimpleUploadedFile) -> None:
    document_create(owner=owner, upload=upload, name=str(upload.name), language="en")


def _submit(owner: User, upload: SimpleUploadedFile) -> None:
    ocr_job_submit(owner=owner, upload=upload, name=str(upload.name), language="en")


def _together(requests: list[Callable[[], object]]) -> list[str]:
    """Run ``requests`` at once, one thread and connection each; what each answered: "ok", or
    the refusal's message."""
    start = threading.Barrier(len(requests))
    answers: list[str] = []

    def run(request: Callable[[], object]) -> None:
        start.wait()
        try:
            request()
            answers.append("ok")
        except (UploadRejected, OcrRequestRejected) as refusal:
            answers.append(str(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _clear() -> None:
    PageJob.objects.all().delete()
    Document.objects.all().delete()
    OcrJob.objects.all().delete()


def test_parallel_uploads_cannot_pass_the_queued_page_limit_together(
    alice: User, settings: Any
) -> None:
    settings.OCR_QUEUED_PAGES_PER_USER = 4  # one 3-page file fits, two do not
    for round_ in range(ROUNDS):
        files = [_tiff(f"r{round_}-{n}.tif", [f"R{round_}", f"N{n}", "x"]) for n in range(THREADS)]
        answers = _together([partial(_upload, alice, upload) for upload in files])
        assert answers.count("ok") == 1, answers
        assert queued_pages(alice.pk) == 3
        assert Document.objects.filter(owner=alice).count() == 1
        _clear()


def test_parallel_ocr_jobs_cannot_pass_the_jobs_limit_together(alice: User, settings: Any) -> None:
    settings.OCR_JOBS_PER_USER = 1
    for round_ in range(ROUNDS):
        files = [_tiff(f"r{round_}-{n}.tif", [f"R{round_}", f"N{n}"]) for n in range(THREADS)]
        answers = _together([partial(_submit, alice, upload) for upload in files])
        assert answers.count("ok") == 1, answers
        assert OcrJob.objects.filter(owner=alice).count() == 1
        _clear()


def test_an_upload_and_an_ocr_job_in_parallel_share_the_queued_page_limit(
    alice: User, settings: Any
) -> None:
    settings.OCR_QUEUED_PAGES_PER_USER = 4
    for round_ in range(ROUNDS):
        scans = [_tiff(f"r{round_}-{n}.tif", [f"R{round_}", f"N{n}", "x"]) for n in range(2)]
        answers = _together([partial(_upload, alice, scans[0]), partial(_submit, alice, scans[1])])
        assert answers.count("ok") == 1, answers
        assert queued_pages(alice.pk) == 3
        _clear()


def _done(owner: User, title: str, pages: int) -> Document:
    return document_with_pages(owner, title, "en", [f"{title} {n}" for n in range(pages)])


def test_a_rerun_counts_the_pages_it_reads_and_is_held_to_the_limit(
    alice: User, settings: Any
) -> None:
    settings.OCR_QUEUED_PAGES_PER_USER = 4
    first, second = _done(alice, "first", 3), _done(alice, "second", 3)
    document_rerun(first)
    assert queued_pages(alice.pk) == 3, "a re-run counts every page it will read, not one"
    with pytest.raises(QueueFull) as refused:
        document_rerun(second)
    assert str(refused.value) == (
        "You have 3 pages waiting to be read, and this document's 3 would pass the limit of 4 "
        "pages per user. Re-run it once some of your documents are done."
    )
    second.refresh_from_db()
    assert (second.status, second.pages.count()) == (Document.Status.DONE, 3), "nothing changed"
    # Re-running the waiting document again replaces its pages: still 3, not 6.
    document_rerun(first)
    assert queued_pages(alice.pk) == 3


def test_a_queued_upload_re_run_at_once_still_counts_its_pages(alice: User, settings: Any) -> None:
    settings.OCR_QUEUED_PAGES_PER_USER = 4
    upload = _tiff("three.tif", ["one", "two", "three"])
    document = document_create(owner=alice, upload=upload, name="three.tif").document
    document_rerun(document)
    assert queued_pages(alice.pk) == 3, "the re-run must not forget the unopened file's pages"
    with pytest.raises(UploadRejected):
        _upload(alice, _tiff("two.tif", ["four", "five"]))


def test_a_pdf_password_queues_its_pages_only_within_the_limit(alice: User, settings: Any) -> None:
    settings.OCR_QUEUED_PAGES_PER_USER = 4
    document_rerun(_done(alice, "waiting", 2))
    upload = SimpleUploadedFile("locked.pdf", protected_pdf(3))
    locked = document_create(owner=alice, upload=upload, name="locked.pdf").document
    assert locked.status == Document.Status.NEEDS_PASSWORD
    with pytest.raises(QueueFull) as refused:
        document_set_password(locked, "test")
    assert str(refused.value) == (
        "You have 2 pages waiting to be read, and this document's 3 would pass the limit of 4 "
        "pages per user. Enter its password again once some of your documents are done."
    )
    locked.refresh_from_db()
    assert (locked.status, locked.pdf_password) == (Document.Status.NEEDS_PASSWORD, "")
    assert queued_pages(alice.pk) == 2
    settings.OCR_QUEUED_PAGES_PER_USER = 5
    document_set_password(locked, "test")
    assert queued_pages(alice.pk) == 5


def test_a_bulk_rerun_is_held_to_the_limit_when_asked_and_when_run(
    alice: User, settings: Any
) -> None:
    settings.OCR_QUEUED_PAGES_PER_USER = 4
    documents = [_done(alice, f"d{n}", 2) for n in range(3)]
    with pytest.raises(OrganizeError) as refused:
        bulk_edit_create(owner=alice, action="rerun", documents=[d.pk for d in documents])
    assert str(refused.value) == (
        "You have 0 pages waiting to be read, and these documents' 6 would pass the limit of 4 "
        "pages per user. Re-run them once some of your documents are done."
    )
    assert queued_pages(alice.pk) == 0
    # Accepted (4 pages fit), but another page is queued before it runs: it stops, saying so.
    edit = bulk_edit_create(owner=alice, action="rerun", documents=[d.pk for d in documents[:2]])
    document_rerun(_done(alice, "other", 1))
    edit = bulk_edit_run(edit.pk)
    assert edit.status == BulkEdit.Status.FAILED
    assert "and this document's 2 would pass the limit of 4 pages per user" in edit.error
    assert queued_pages(alice.pk) == 1, "the batch was rolled back whole"
