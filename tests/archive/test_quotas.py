"""archive.quotas: per-user limits hold under parallel requests. Each thread is a request with
its own connection to the real PostgreSQL; they start together at a barrier, several rounds,
since a race shows only when the requests overlap."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from archive.ingest import UploadRejected, document_create
from archive.models import Document, OcrJob, PageJob
from archive.ocr_service import OcrRequestRejected, ocr_job_submit
from archive.processing.jobs import queued_pages
from tests.archive.conftest import encode, render_page

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
