"""Queueing the OCR service's page tasks on the workers' queue, next to documents' pages.

The tasks go to the same queue and group (``"ocr"``) as documents' pages, so a job waits its
turn like a document and is read by the same workers, under the same limits. The entry point
is ``archive.tasks.read_ocr_job_page`` (a stable dotted name, see ``archive.tasks``).
"""

from __future__ import annotations

from django_q.tasks import async_task


def enqueue_job_pages(job_id: str, page_count: int) -> None:
    """One task per page of job ``job_id``; call it once the job's row is committed."""
    for number in range(1, page_count + 1):
        async_task(
            "archive.tasks.read_ocr_job_page",
            job_id,
            number,
            task_name=f"ocr-job-{job_id}-page-{number}",
            group="ocr",
        )
