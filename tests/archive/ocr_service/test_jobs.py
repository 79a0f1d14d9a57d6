"""archive.ocr_service.jobs: waiting on a job is bounded and survives the job going away.

The requests themselves are tested through the API (``tests/archive/api/test_ocr.py``).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.models import User

from archive.models import OcrJob
from archive.ocr_service import ocr_job_submit, ocr_job_wait

pytestmark = pytest.mark.django_db


def test_a_wait_is_bounded(alice: User, make_upload: Any) -> None:
    job = ocr_job_submit(owner=alice, upload=make_upload("a.png"), name="a.png")
    started = time.monotonic()
    assert ocr_job_wait(job, seconds=0.3).status == OcrJob.Status.QUEUED  # no worker here
    assert time.monotonic() - started < 5


def test_a_job_deleted_while_waited_on_ends_the_wait(alice: User, make_upload: Any) -> None:
    """Found by the schema test: the owner (and so the job) deleted during a synchronous wait
    made the request fail with DoesNotExist instead of answering."""
    job = ocr_job_submit(owner=alice, upload=make_upload("a.png"), name="a.png")
    OcrJob.objects.filter(pk=job.pk).delete()
    assert ocr_job_wait(job, seconds=2).status == OcrJob.Status.QUEUED
