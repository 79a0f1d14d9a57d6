"""Reading one page of an OCR service job at once, in this process: the page task of a
release before the fair queue (``archive.tasks.read_ocr_job_page``), and a way for tests to
read a page synchronously. Kept apart from ``archive.ocr_service.run``, which the queue's
``archive.processing.runs`` calls: importing ``runs`` from there would tie the two together.
"""

from __future__ import annotations

import uuid

from archive.models import OcrJob, PageJob
from archive.ocr_service.run import ACTIVE
from archive.processing import jobs
from archive.processing.runs import run_job


def ocr_job_page_run(job_id: str, number: int) -> None:
    """Read page ``number`` of job ``job_id`` now, in this process (a page task of a release
    before the fair queue, ``archive.tasks.read_ocr_job_page``), unless it is read already,
    the job is over, or another worker holds the page."""
    lease = jobs.claim(ocr_job_id=job_id, number=number)
    queued = PageJob.objects.filter(ocr_job_id=uuid.UUID(str(job_id)), number=number)
    if lease is None and not queued.exists():
        job = OcrJob.objects.filter(pk=job_id, status__in=ACTIVE).first()
        if job is None or job.pages.filter(number=number).exists():
            return
        jobs.queue_ocr_job(job.pk, job.owner_id, [number], tickets=False)
        lease = jobs.claim(ocr_job_id=job_id, number=number)
    if lease is not None:
        run_job(lease)
