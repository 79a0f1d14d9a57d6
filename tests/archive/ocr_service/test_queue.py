"""The OCR service's pages in the fair queue (archive.ocr_service.queue): a job's pages take
their turn with documents' pages, under the same per-user fair share and page limit. One
worker (tasks run here in order), real OCR, real PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from archive.ingest import document_create
from archive.models import Document, OcrJob, OcrJobPage, PageJob
from archive.ocr_service import OcrRequestRejected, ocr_job_submit
from tests.archive.conftest import encode, render_page, run_queued_tasks

pytestmark = pytest.mark.django_db

WORDS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]


def _tiff(name: str, words: list[str]) -> SimpleUploadedFile:
    frames = [render_page([f"{word} page"], size=(900, 400)) for word in words]
    return SimpleUploadedFile(name, encode(frames, "TIFF"))


def _submit(owner: User, upload: SimpleUploadedFile, capture: Any) -> OcrJob:
    with capture(execute=True):  # its tickets are sent when it commits, as in production
        return ocr_job_submit(owner=owner, upload=upload, name=str(upload.name), language="en")


def test_a_users_big_ocr_job_delays_another_users_one_page_upload_by_one_page(
    alice: User, bob: User, make_upload: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = _submit(alice, _tiff("book.tif", WORDS), django_capture_on_commit_callbacks)
    assert run_queued_tasks(limit=1) == 1  # one worker reads the job's first page
    with django_capture_on_commit_callbacks(execute=True):
        scan = document_create(
            owner=bob, upload=make_upload("scan.png"), name="scan.png", language="en"
        ).document
    # One worker, one task at a time: how many of Alice's pages are read before Bob's scan?
    read_before = None
    while run_queued_tasks(limit=1):
        if read_before is None and Document.objects.filter(pk=scan.pk, status="done").exists():
            read_before = OcrJobPage.objects.filter(job=job).count()
    # Bob waited for the page being read when he uploaded, not for Alice's other five.
    assert read_before == 1
    job.refresh_from_db()
    assert job.status == OcrJob.Status.DONE, job.error
    assert job.pages.count() == 6
    assert not PageJob.objects.exists()


def test_ocr_job_pages_count_against_the_users_queued_page_limit(
    alice: User, bob: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.OCR_QUEUED_PAGES_PER_USER = 5
    _submit(alice, _tiff("one.tif", WORDS[:3]), django_capture_on_commit_callbacks)
    with pytest.raises(OcrRequestRejected) as refusal:
        _submit(alice, _tiff("two.tif", WORDS[3:]), django_capture_on_commit_callbacks)
    assert refusal.value.status == 429
    assert "You have 3 pages waiting to be read" in str(refusal.value)
    # An upload to the archive meets the same share.
    with pytest.raises(Exception, match="You have 3 pages waiting to be read"):
        document_create(owner=alice, upload=_tiff("three.tif", WORDS[3:]), name="three.tif")
    assert OcrJob.objects.filter(owner=alice).count() == 1  # nothing kept for them
    assert not Document.objects.exists()
    _submit(bob, _tiff("bob.tif", WORDS[3:]), django_capture_on_commit_callbacks)
