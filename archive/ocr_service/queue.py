"""Queueing the OCR service's pages in the fair OCR queue, next to documents' pages.

Each page of a job is a job of the fair queue (``archive.processing.jobs``, a ``PageJob`` with
``ocr_job`` set) in its owner's share, at the priority of an upload: a user's large OCR job
takes turns page by page with other users' uploads and jobs instead of queueing all its pages
ahead of them, and its pages count against ``OCR_QUEUED_PAGES_PER_USER``. The workers' tickets
(``archive.tasks.process_next``) take them like any job.
"""

from __future__ import annotations

import uuid

from archive.models import PageJob
from archive.processing.jobs import queue_ocr_job


def enqueue_job_pages(job_id: uuid.UUID, owner_id: int, page_count: int) -> None:
    """Queue every page of job ``job_id`` of ``owner_id``; call it in the transaction that
    writes the job's row: the tickets go when it commits."""
    queue_ocr_job(job_id, owner_id, range(1, page_count + 1), priority=PageJob.Priority.INTERACTIVE)
