"""The worker's side of the OCR service: read one page of a job and keep its result.

A job's pages wait in the fair OCR queue (``archive.processing.jobs``) with documents' pages,
in their owner's share: a worker's ticket takes whichever comes first and, for a page of a job,
calls ``ocr_job_page_read`` under its lease (``archive.processing.runs.run_job``). Pages are
read exactly as documents' pages are (``ocr.pagetext.read_page``: a PDF text layer is kept,
other pages are prepared and OCR'd, with the same settings), and a page is saved once, only
while its lease holds, in the transaction that deletes its queue job. The last page saved
finishes the job and deletes its input; the first failure fails it, with a message, and drops
its other pages from the queue.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django_q.exceptions import TimeoutException

from archive.models import OcrJob, OcrJobPage, PageJob, storage_name
from archive.ocr_service.results import page_json
from archive.processing import jobs, leases
from archive.processing.jobs import Lease
from archive.processing.reading import ocr_languages
from ocr.engines import get_engine
from ocr.errors import OcrError
from ocr.files import open_document
from ocr.pagetext import read_page

_logger = logging.getLogger(__name__)

#: The states in which a job still has pages to read.
ACTIVE = (OcrJob.Status.QUEUED, OcrJob.Status.RUNNING)


def ocr_job_page_read(lease: Lease) -> None:
    """Read the page ``lease`` holds (page ``lease.number`` of job ``lease.ocr_job_id``) and
    keep its result, unless it is read already or the job is over: then the queue job is
    simply released.

    Problems are recorded on the job (``failed`` with a message a person can act on), not
    raised, except a lost database: then the task ends with the error and the lease runs out,
    so another worker reads the page.
    """
    number = lease.number
    assert lease.ocr_job_id is not None  # run_job hands only OCR jobs' pages here
    job = OcrJob.objects.filter(pk=lease.ocr_job_id, status__in=ACTIVE).first()
    if job is None or job.pages.filter(number=number).exists():
        jobs.release(lease)
        return
    OcrJob.objects.filter(pk=job.pk, status=OcrJob.Status.QUEUED).update(
        status=OcrJob.Status.RUNNING, started_at=timezone.now()
    )
    try:
        engine = get_engine(job.engine)
        with (
            default_storage.open(storage_name(job.input), "rb") as stored,
            open_document(
                stored, max_pixels=settings.OCR_MAX_PIXELS, pdf_dpi=settings.OCR_PDF_DPI
            ) as source,
        ):
            _image, result = read_page(
                source,
                number - 1,
                engine=engine,
                languages=ocr_languages(engine, job.language),
                max_side=settings.OCR_MAX_SIDE,
                text_layer=settings.OCR_USE_TEXT_LAYER,
            )
    except (OperationalError, InterfaceError):
        connection.close()
        raise
    # TimeoutException is django-q2's time limit: it subclasses SystemExit, not Exception.
    except (OcrError, TimeoutException, Exception) as error:
        _fail(job, _reason(number, error))
        return
    try:
        with transaction.atomic():
            if not leases.still_held(lease):
                return  # another worker took the page over: its result counts, not this one
            OcrJobPage.objects.create(job=job, number=number, result=page_json(number, result))
            PageJob.objects.filter(pk=lease.job).delete()
    except IntegrityError:
        jobs.release(lease)
        return  # read twice: the first one saved it
    _finish_if_complete(job.pk)


def _finish_if_complete(job_id: uuid.UUID) -> None:
    with transaction.atomic():
        job = OcrJob.objects.select_for_update().filter(pk=job_id, status__in=ACTIVE).first()
        if job is None or job.pages.count() < job.page_count:
            return
        job.status = OcrJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        _drop_input(job)


def _fail(job: OcrJob, message: str) -> None:
    with transaction.atomic():
        locked = OcrJob.objects.select_for_update().filter(pk=job.pk, status__in=ACTIVE).first()
        if locked is None:
            return
        locked.status = OcrJob.Status.FAILED
        locked.error = message
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "error", "finished_at"])
        # Its other pages would only be released unread: they leave the queue now.
        PageJob.objects.filter(ocr_job=locked).delete()
        _drop_input(locked)


def _drop_input(job: OcrJob) -> None:
    """Delete the job's input once the transaction that ended the job commits."""
    name = job.input.name
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


def _reason(number: int, error: BaseException) -> str:
    if isinstance(error, OcrError):
        return str(error)
    if isinstance(error, TimeoutException):
        limit = timedelta(seconds=settings.OCR_PAGE_TIMEOUT)
        return f"Page {number} took longer than the {limit} a page may take and was stopped."
    _logger.exception("OCR job page %d failed", number, exc_info=error)
    return f"Page {number} could not be read because of an internal error."
