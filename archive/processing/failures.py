"""What went wrong, for the document's owner: an error as a message a person can act on, and
the document marked failed (or waiting for its password) with it."""

from __future__ import annotations

import errno
import logging
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django_q.exceptions import TimeoutException

from archive.models import Document
from archive.storage.errors import storage_error_reason, storage_errors
from ocr.errors import OcrError

_logger = logging.getLogger(__name__)

#: A run may keep working on a document that one of its pages failed: the others still count.
WORKING = (Document.Status.PROCESSING, Document.Status.FAILED)

#: The database went away (restarted, unreachable): not the document's fault.
DATABASE_DOWN = (OperationalError, InterfaceError)

# Storage failures a person can act on (free space, fix permissions) rather than bugs.
_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EIO}


def database_down(document_id: int) -> None:
    """A job lost its database mid-way. The document is left as it is (processing), not
    failed: the task ends with the error, the job's lease runs out and another worker takes
    the job once the database is back (``archive.processing.jobs.sweep``); each page is saved
    once either way. The broken connection is closed so the worker's next task opens a new
    one."""
    _logger.warning("document %s: lost the database connection; it will be read again", document_id)
    connection.close()


def reason(document: Document, number: int | None, error: BaseException) -> str:
    """What to tell the owner about ``error`` on page ``number`` (None: the whole file)."""
    where = f"Page {number}" if number else "The file"
    if isinstance(error, TimeoutException):
        return (
            f"{where} took longer than the {settings.OCR_PAGE_TIMEOUT} s a page may take "
            "(OCR_PAGE_TIMEOUT). The other pages are kept; re-run the document to try again."
        )
    if isinstance(error, OcrError):
        # Errors found on a page name it themselves ("Page 3 of the file is damaged ...").
        named = getattr(error, "page", None) is not None or number is None
        return str(error) if named else f"Page {number}: {error}"
    if isinstance(error, OSError) and error.errno in _STORAGE_ERRNOS:
        _logger.error("document %s: cannot store page images: %s", document.pk, error)
        return (
            f"{where} was read, but its images could not be stored ({error.strerror}). The "
            "original and the pages already saved are kept; re-run the document once the "
            "storage has room again."
        )
    if isinstance(error, storage_errors()) and not isinstance(error, OSError):
        # The S3 server did not answer or refused (not the file's fault, not a bug).
        _logger.error("document %s: the storage failed: %s", document.pk, error)
        return (
            f"{where} could not be read or stored: the file storage failed "
            f"({storage_error_reason(error)}). The original and the pages already saved are "
            "kept; re-run the document once the storage answers again."
        )
    _logger.error("document %s: %s", document.pk, error, exc_info=error)
    return (
        f"{where} could not be processed because of an internal error "
        f"({type(error).__name__}). The original is kept; re-run the document once the "
        "problem is fixed."
    )


#: The longest wait between two automatic re-runs after storage failures.
_RETRY_CAP_SECONDS = 3600


def retry_later(document_id: int, run: int, error: BaseException) -> bool:
    """If ``error`` is the file storage's (S3 unreachable or refusing: not the file's fault,
    not a bug), mark the failed run ``run`` of the document for an automatic re-run after
    ``STORAGE_RETRY_SECONDS``, doubled for each re-run so far (at most an hour), unless it had
    its ``STORAGE_RETRIES`` already; ``archive.retries`` queues it when due. True if marked.
    Call it after ``fail``: only a failed document of that run is marked."""
    if not isinstance(error, storage_errors()) or isinstance(error, OSError):
        return False
    document = Document.objects.filter(pk=document_id).values("storage_retries").first()
    if document is None or document["storage_retries"] >= settings.STORAGE_RETRIES:
        return False
    delay = min(
        settings.STORAGE_RETRY_SECONDS * 2 ** document["storage_retries"], _RETRY_CAP_SECONDS
    )
    marked = Document.objects.filter(
        pk=document_id,
        run=run,
        status=Document.Status.FAILED,
        storage_retries=document["storage_retries"],
    ).update(retry_at=timezone.now() + timedelta(seconds=delay))
    if marked:
        _logger.warning(
            "document %s: the storage failed; re-running it in %s s", document_id, delay
        )
    return bool(marked)


def fail(document: Document, run: int, message: str) -> None:
    """Mark the document failed with ``message``, added to the messages of run ``run`` so far.
    A run that is no longer current changes nothing."""
    _logger.warning("document %s failed: %s", document.pk, message)
    with transaction.atomic():
        current = (
            Document.objects.select_for_update()
            .filter(pk=document.pk, run=run, status__in=WORKING)
            .first()
        )
        if current is None:
            return
        failed_before = current.status == Document.Status.FAILED and current.error
        if failed_before and message in current.error:
            return
        current.error = f"{current.error}\n{message}" if failed_before else message
        current.status = Document.Status.FAILED
        current.finished_at = timezone.now()
        current.save(update_fields=["status", "error", "finished_at", "updated"])


def needs_password(document: Document) -> None:
    """Park the document until its owner gives the password that opens it (or a right one)."""
    given = bool(document.pdf_password)
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.NEEDS_PASSWORD,
        error=(
            "The password given does not open this PDF."
            if given
            else "This PDF is protected by a password. Enter it on the document page to read it."
        ),
        finished_at=timezone.now(),
        updated=timezone.now(),
    )
