"""A run's life cycle, one job at a time: the opening job starts a run (``run + 1``), counts
the pages, queues them and reads the first; each page job reads and saves its page; the last
saved page finishes the run (``finishing``). Jobs come from the fair queue (``jobs``) and are
held by a lease while they run (``leases``).

Both kinds of job record problems with the document on the document instead of raising them,
so that the worker goes on with its next task; only a lost database connection is raised
(the job's lease then runs out and another worker takes it, see ``failures.database_down``).
"""

from __future__ import annotations

import contextlib
import logging
from concurrent.futures import Future

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.exceptions import TimeoutException

from archive.langdetect import document_language_detect
from archive.languages import DETECT
from archive.models import Document, PageJob
from archive.processing import jobs, leases, reading
from archive.processing.attempts import count_attempt
from archive.processing.enqueue import send_tickets
from archive.processing.failures import (
    DATABASE_DOWN,
    WORKING,
    database_down,
    fail,
    needs_password,
    reason,
    retry_later,
)
from archive.processing.finishing import finish_if_complete
from archive.processing.holders import expire_dead_holders
from archive.processing.images import encode_images, image_encoder
from archive.processing.jobs import Lease
from archive.processing.saving import save_page
from ocr.engines import get_engine
from ocr.errors import OcrError, PasswordRequired

_logger = logging.getLogger(__name__)

# Why ``except (OcrError, TimeoutException, Exception)`` below names TimeoutException although
# it also names Exception: django-q2 raises its TimeoutException in the task when the task's
# time limit (OCR_PAGE_TIMEOUT) is up, and that class derives from SystemExit, not Exception.
# Caught here, a page past its time limit fails its document with a message that says so, and
# the worker goes on with the next task instead of exiting.


def run_next() -> None:
    """A ticket: take the job that comes first in the fair queue, if any, and do it. Jobs of
    this host's worker processes that died are taken over first (``holders``): the worker
    that replaces a killed one takes the page it was reading at once, not after its lease."""
    expire_dead_holders()
    lease = jobs.claim()
    if lease is None:
        return
    if lease.taken_over:
        # The worker that held it died with its ticket: the job this ticket was sent for
        # needs another one.
        send_tickets(1)
    run_job(lease)


def run_job(lease: Lease) -> None:
    """Do the job ``lease`` holds (a document's step, or a page of an OCR service job),
    renewing the lease meanwhile; a lease lost on the way (the
    database unreachable for too long) ends the job quietly: another worker has it."""
    try:
        with leases.held(lease):
            if lease.ocr_job_id is not None:
                # Imported here: the OCR service imports this package's reading helpers.
                from archive.ocr_service.run import ocr_job_page_read

                ocr_job_page_read(lease)
            elif lease.number == 0:
                _open(lease)
            else:
                _page(lease)
    except leases.LeaseLost:
        _logger.warning(
            "%s: gave up job %s (lease lost)",
            f"OCR job {lease.ocr_job_id}" if lease.ocr_job_id else f"document {lease.document_id}",
            lease.job,
        )
        # This ticket is used up; the job needs another once its lease has run out (if the
        # database is away, the sweep sends it when it is back).
        with contextlib.suppress(*DATABASE_DOWN):
            send_tickets(1)


def document_process(document_id: int) -> None:
    """Start a run of the document now, in this process: count its pages, queue the missing
    ones, read the first. Takes the document's queued opening job (queued first if there is
    none, as for a document queued by an older release).

    Never raises for a problem with the document itself: the document records a message a
    person can act on and the original stays as it was, so it can be re-run. A document that
    was deleted meanwhile, is done, waits for its password or is being opened by another
    worker is left alone.
    """
    lease = jobs.claim(document_id=document_id, number=0)
    if lease is None and not _queued(document_id, 0):
        document = (
            Document.objects.filter(pk=document_id)
            .exclude(status__in=[Document.Status.DONE, Document.Status.NEEDS_PASSWORD])
            .first()
        )
        if document is None:
            return
        jobs.queue_document(document, priority=PageJob.Priority.BULK)
        lease = jobs.claim(document_id=document_id, number=0)
    if lease is not None:
        run_job(lease)


def page_process(document_id: int, run: int, number: int) -> None:
    """Read page ``number`` of run ``run`` now, in this process, and save it, unless that is
    done, out of date, or being done by another worker (a page task of an older release)."""
    lease = jobs.claim(document_id=document_id, number=number)
    if lease is None and not _queued(document_id, number):
        document = Document.objects.filter(pk=document_id, run=run, status__in=WORKING).first()
        if document is None:
            return
        jobs.queue_pages(document, run, [number], priority=PageJob.Priority.BULK, tickets=False)
        lease = jobs.claim(document_id=document_id, number=number)
    if lease is not None:
        run_job(lease)


def _queued(document_id: int, number: int) -> bool:
    return PageJob.objects.filter(document_id=document_id, number=number).exists()


def _open(lease: Lease) -> None:
    """The opening job: start the run, count the pages, queue the missing ones, read the first."""
    document = _start_run(lease)
    if document is None:
        jobs.release(lease)
        return
    try:
        with reading.opened(document) as source:
            page_count = source.page_count
        Document.objects.filter(pk=document.pk).update(page_count=page_count)
        document.page_count = page_count
        have = set(document.pages.values_list("number", flat=True))
        missing = [n for n in range(1, page_count + 1) if n not in have]
    except PasswordRequired:
        needs_password(document)
        jobs.release(lease)
        return
    except DATABASE_DOWN:
        database_down(document.pk)
        raise
    except (OcrError, TimeoutException, Exception) as error:
        fail(document, document.run, reason(document, None, error))
        retry_later(document.pk, document.run, error)
        jobs.release(lease)
        return
    if not missing:
        jobs.release(lease)
        finish_if_complete(document.pk, document.run)
        return
    first, *rest = missing
    # This job becomes the first page's: read here, so a one-page scan needs no second task.
    PageJob.objects.filter(pk=lease.job, lease_token=lease.token).update(
        number=first, run=document.run, pages=1
    )
    lease = Lease(lease.job, lease.token, document.pk, document.run, first, lease.priority, False)
    if document.language != DETECT:
        # A "detect" document's other pages wait for its language (see ``_page``).
        jobs.queue_pages(document, document.run, rest, priority=lease.priority)
    _page(lease)


def _page(lease: Lease) -> None:
    """A page job: read page ``lease.number`` of run ``lease.run`` and save it, unless that
    is done or out of date."""
    run, number = lease.run, lease.number
    assert lease.document_id is not None  # run_job hands only documents' jobs to _open/_page
    document = Document.objects.filter(pk=lease.document_id, run=run, status__in=WORKING).first()
    if document is None:
        jobs.release(lease)
        return
    # Every page is read and indexed in the document's language: a "detect" document has
    # only this page queued until its text has told the language (archive.langdetect).
    detecting = document.language == DETECT
    if document.pages.filter(number=number).exists():
        jobs.release(lease)
    else:
        _read_and_save(document, lease)
    if detecting:
        if Document.objects.filter(pk=document.pk, language=DETECT).exists():
            # The page could not be read: the others go on in the default language.
            document_language_detect(document, "")
        _queue_rest(document, run, number, lease.priority)
    finish_if_complete(document.pk, run)


def _read_and_save(document: Document, lease: Lease) -> None:
    run, number = lease.run, lease.number
    attempt = count_attempt(document, number)
    if attempt > settings.OCR_PAGE_ATTEMPTS:
        fail(
            document,
            run,
            f"Page {number} stopped the worker reading it {attempt - 1} times (it may need "
            f"more memory than the worker has, or longer than the {settings.OCR_PAGE_TIMEOUT} s "
            "a page may take). The other pages are kept; re-run the document to try again.",
        )
        jobs.release(lease)
        return
    try:
        engine = get_engine(document.engine)
        encoding: list[Future[tuple[bytes, bytes]]] = []
        with reading.opened(document) as source:
            image, result = reading.read(
                document,
                engine,
                source,
                number,
                # The page's WebP images are encoded while the engine reads the page
                # (archive.processing.images).
                on_image=lambda prepared: encoding.append(
                    image_encoder().submit(encode_images, prepared)
                ),
            )
            if document.language == DETECT:
                image, result = reading.detected(document, engine, source, number, image, result)
        images = encode_images(image) if not encoding else encoding[-1].result()
        save_page(document, lease, image, images, result)
    except DATABASE_DOWN:
        database_down(document.pk)
        raise
    except (OcrError, TimeoutException, Exception) as error:
        fail(document, run, reason(document, number, error))
        retry_later(document.pk, run, error)
        jobs.release(lease)


def _queue_rest(document: Document, run: int, read: int, priority: int) -> None:
    """Queue the pages of run ``run`` still missing, but for page ``read`` (just read)."""
    document.refresh_from_db(fields=["page_count"])
    have = set(document.pages.values_list("number", flat=True)) | {read}
    rest = [n for n in range(1, (document.page_count or 0) + 1) if n not in have]
    jobs.queue_pages(document, run, rest, priority=priority)


def _start_run(lease: Lease) -> Document | None:
    """Take the document for a new run (``run`` + 1, status processing) unless the opening
    job was lost meanwhile; None if there is nothing to do (deleted, done, or waiting for its
    password). Jobs of its earlier runs are dropped: the new run queues what is missing."""
    assert lease.document_id is not None  # run_job hands only documents' jobs to _open/_page
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=lease.document_id).first()
        if (
            document is None
            or document.status in (Document.Status.DONE, Document.Status.NEEDS_PASSWORD)
            or not leases.still_held(lease)
        ):
            return None
        PageJob.objects.filter(document=document).exclude(pk=lease.job).delete()
        document.status = Document.Status.PROCESSING
        document.started_at = timezone.now()
        document.error = ""
        document.run = F("run") + 1
        document.save(update_fields=["status", "started_at", "error", "run", "updated"])
    document.refresh_from_db(fields=["run"])
    return document
