"""Documents failed by the file storage are re-run by the system, with back-off
(archive.processing.failures.retry_later, archive.retries)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError
from django.contrib.auth.models import User
from django.utils import timezone

from archive.ingest import document_create
from archive.models import Document, PageJob
from archive.processing.failures import retry_later
from archive.retries import storage_retries_due
from ocr.errors import OcrError

pytestmark = pytest.mark.django_db(transaction=True)

UNREACHABLE = EndpointConnectionError(endpoint_url="http://10.78.0.1:8333/bucket")


def failed(alice: User, make_upload: Any, words: str = "Retry words") -> Document:
    upload = make_upload("retry.png", lines=[words])  # other words: another document
    document = document_create(owner=alice, upload=upload, name="retry.png").document
    PageJob.objects.filter(document=document).delete()
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.FAILED, error="The file could not be read or stored."
    )
    document.refresh_from_db()
    return document


def test_a_storage_failure_schedules_a_rerun_with_back_off(
    alice: User, make_upload: Any, settings: Any
) -> None:
    settings.STORAGE_RETRY_SECONDS = 60
    document = failed(alice, make_upload)
    before = timezone.now()
    assert retry_later(document.pk, document.run, UNREACHABLE)
    document.refresh_from_db()
    assert document.retry_at is not None
    assert before + timedelta(seconds=59) < document.retry_at < before + timedelta(seconds=70)

    Document.objects.filter(pk=document.pk).update(storage_retries=3)
    assert retry_later(document.pk, document.run, UNREACHABLE)
    document.refresh_from_db()
    assert document.retry_at is not None
    assert document.retry_at > before + timedelta(seconds=8 * 60 - 1)  # doubled thrice


def test_other_failures_and_spent_retries_are_not_rerun(
    alice: User, make_upload: Any, settings: Any
) -> None:
    settings.STORAGE_RETRIES = 2
    document = failed(alice, make_upload)
    assert not retry_later(document.pk, document.run, OcrError("Page 1 is damaged."))
    assert not retry_later(document.pk, document.run, ValueError("a bug"))
    Document.objects.filter(pk=document.pk).update(storage_retries=2)
    assert not retry_later(document.pk, document.run, UNREACHABLE)
    assert not retry_later(document.pk, document.run + 1, UNREACHABLE)  # another run
    document.refresh_from_db()
    assert document.retry_at is None


def test_due_reruns_are_queued_once_and_not_before_time(
    alice: User, make_upload: Any, settings: Any
) -> None:
    due = failed(alice, make_upload)
    later = failed(alice, make_upload, "Later words")
    now = timezone.now()
    Document.objects.filter(pk=due.pk).update(retry_at=now - timedelta(seconds=1))
    Document.objects.filter(pk=later.pk).update(retry_at=now + timedelta(hours=1))

    assert storage_retries_due() == [due.pk]
    assert storage_retries_due() == []  # taken once
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == Document.Status.QUEUED
    assert (due.retry_at, due.storage_retries) == (None, 1)
    assert PageJob.objects.filter(document=due).count() == 1
    assert later.status == Document.Status.FAILED
    assert PageJob.objects.filter(document=later).count() == 0
