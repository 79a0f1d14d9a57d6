"""Re-running, by the system, the documents the file storage failed.

A run that failed because the storage did not answer (``processing.failures.retry_later``:
S3 down, or unreachable from the worker that had the page) is marked with ``retry_at``. When
that time has come, ``storage_retries_due`` re-runs the document like its owner's "Re-run"
would (only the missing pages, behind uploads in the queue, no quota: the system asked), and
counts it in ``storage_retries``; a failure again waits twice as long, up to
``STORAGE_RETRIES`` re-runs. Called with every lease sweep (``serve`` every few seconds, the
``sweep-ocr-leases`` schedule every minute), so a cluster without ``serve`` re-runs them too.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from archive.documents import document_rerun
from archive.models import Document, PageJob

_logger = logging.getLogger(__name__)


def storage_retries_due(limit: int = 100) -> list[int]:
    """Queue again the failed documents whose storage re-run is due; return their ids. Each is
    taken under its row lock (``SKIP LOCKED``), so two sweeps never queue one twice."""
    queued: list[int] = []
    for _ in range(limit):
        with transaction.atomic():
            document = (
                Document.objects.select_for_update(skip_locked=True)
                .filter(status=Document.Status.FAILED, retry_at__lte=timezone.now())
                .order_by("retry_at")
                .first()
            )
            if document is None:
                break
            Document.objects.filter(pk=document.pk).update(
                retry_at=None, storage_retries=F("storage_retries") + 1
            )
            document_rerun(document, priority=PageJob.Priority.BULK, limit=None)
        _logger.warning("document %s: re-running it after a storage failure", document.pk)
        queued.append(document.pk)
    return queued
