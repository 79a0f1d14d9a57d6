"""A run's life cycle: the document task starts a run (``document_process``), page tasks read
and save its pages (``page_process``), the last saved page finishes it (``finishing``).

Both task bodies record problems with the document on the document instead of raising them,
so that the worker goes on with its next task; only a lost database connection is raised
(the task is then handed out again, see ``failures.database_down``).
"""

from __future__ import annotations

from concurrent.futures import Future

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.exceptions import TimeoutException

from archive.langdetect import document_language_detect
from archive.languages import DETECT
from archive.models import Document
from archive.processing import reading
from archive.processing.attempts import count_attempt
from archive.processing.enqueue import enqueue_pages
from archive.processing.failures import (
    DATABASE_DOWN,
    WORKING,
    database_down,
    fail,
    needs_password,
    reason,
)
from archive.processing.finishing import finish_if_complete
from archive.processing.images import encode_images, image_encoder
from archive.processing.saving import save_page
from ocr.engines import get_engine
from ocr.errors import OcrError, PasswordRequired

# Why ``except (OcrError, TimeoutException, Exception)`` below names TimeoutException although
# it also names Exception: django-q2 raises its TimeoutException in the task when the task's
# time limit (OCR_PAGE_TIMEOUT) is up, and that class derives from SystemExit, not Exception.
# Caught here, a page past its time limit fails its document with a message that says so, and
# the worker goes on with the next task instead of exiting.


def document_process(document_id: int) -> None:
    """Start a run of the document: count its pages, queue the missing ones, read the first.

    Never raises for a problem with the document itself: the document records a message a
    person can act on and the original stays as it was, so it can be re-run. A document that
    was deleted meanwhile, is done, or waits for its password is left alone.
    """
    document = _start_run(document_id)
    if document is None:
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
        return
    except DATABASE_DOWN:
        database_down(document.pk)
        raise
    except (OcrError, TimeoutException, Exception) as error:
        fail(document, document.run, reason(document, None, error))
        return
    if not missing:
        finish_if_complete(document.pk, document.run)
        return
    first, *rest = missing
    if document.language == DETECT:
        # Every page is read and indexed in the document's language: find it on the first
        # page before the others are handed out (archive.langdetect).
        page_process(document.pk, document.run, first)
        if Document.objects.filter(pk=document.pk, language=DETECT).exists():
            # The first page could not be read: the others go on in the default language.
            document_language_detect(document, "")
        enqueue_pages(document.pk, document.run, rest)
        return
    enqueue_pages(document.pk, document.run, rest)
    page_process(document.pk, document.run, first)


def page_process(document_id: int, run: int, number: int) -> None:
    """Read page ``number`` of run ``run`` and save it, unless that is done or out of date.

    Like ``document_process``, records problems on the document instead of raising them; a
    time-out (django-q2 raises ``TimeoutException`` in the task after ``OCR_PAGE_TIMEOUT``) is
    one of them, so the worker goes on with the next task.
    """
    document = Document.objects.filter(pk=document_id, run=run, status__in=WORKING).first()
    if document is None or document.pages.filter(number=number).exists():
        if document is not None:
            finish_if_complete(document.pk, run)
        return
    attempt = count_attempt(document, number)
    if attempt > settings.OCR_PAGE_ATTEMPTS:
        fail(
            document,
            run,
            f"Page {number} stopped the worker reading it {attempt - 1} times (it may need "
            f"more memory than the worker has, or longer than the {settings.OCR_PAGE_TIMEOUT} s "
            "a page may take). The other pages are kept; re-run the document to try again.",
        )
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
        images = encoding[-1].result() if encoding else encode_images(image)
        save_page(document, run, number, image, images, result)
    except DATABASE_DOWN:
        database_down(document.pk)
        raise
    except (OcrError, TimeoutException, Exception) as error:
        fail(document, run, reason(document, number, error))
        return
    finish_if_complete(document.pk, run)


def _start_run(document_id: int) -> Document | None:
    """Take the document for a new run (``run`` + 1, status processing); None if there is
    nothing to do (deleted, done, or waiting for its password)."""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status in (
            Document.Status.DONE,
            Document.Status.NEEDS_PASSWORD,
        ):
            return None
        document.status = Document.Status.PROCESSING
        document.started_at = timezone.now()
        document.error = ""
        document.run = F("run") + 1
        document.save(update_fields=["status", "started_at", "error", "run", "updated"])
    document.refresh_from_db(fields=["run"])
    return document
