"""archive.ocr_service.run: the worker's page task, run here as a worker would run it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage

from archive.models import OcrJob
from archive.ocr_service import ocr_job_submit
from archive.ocr_service.pagetask import ocr_job_page_run

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_the_page_is_read_the_job_ends_and_a_repeated_task_changes_nothing(
    alice: User, make_upload: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The last page saved finishes the job and deletes its input; a task handed out again
    (its worker died after saving) finds the job over and saves nothing."""
    upload = make_upload("memo.png", lines=["Quarterly invoice", "Payment overdue"])
    job = ocr_job_submit(owner=alice, upload=upload, name="memo.png", engine="rapidocr")
    name = str(job.input.name)
    with django_capture_on_commit_callbacks(execute=True):
        ocr_job_page_run(str(job.pk), 1)
    job.refresh_from_db()
    assert job.status == OcrJob.Status.DONE
    assert job.started_at is not None
    assert job.finished_at is not None
    (page,) = job.pages.all()
    assert "Quarterly invoice" in page.result["text"]
    assert not default_storage.exists(name)  # the input goes once read

    # The job is over: the same task again changes nothing (and needs no input).
    ocr_job_page_run(str(job.pk), 1)
    assert job.pages.count() == 1


def test_a_task_of_a_job_that_is_gone_does_nothing(alice: User, make_upload: Any) -> None:
    job = ocr_job_submit(owner=alice, upload=make_upload("a.png"), name="a.png")
    OcrJob.objects.filter(pk=job.pk).delete()
    ocr_job_page_run(str(job.pk), 1)
    assert not OcrJob.objects.exists()
