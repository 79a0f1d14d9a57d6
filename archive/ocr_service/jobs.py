"""Write side of the OCR service: take a file in as a job, wait for it, purge old jobs.

A file sent to ``POST /api/ocr/`` gets the checks an upload gets (``archive.ingest``: size by
``MAX_UPLOAD_MB``, type by content, every page's declared size, ``MAX_PAGES``), with the same
messages; a refused file leaves nothing behind. An accepted one is stored through the storage
API until its pages are read (the workers may be on other hosts) and its pages are queued in
the fair OCR queue in its owner's share (``archive.ocr_service.queue``), under the same limit of
queued pages per user as uploads (``archive.quotas``). The web process never reads a
page itself: it can only wait, a bounded time, for the workers to finish.
"""

from __future__ import annotations

import math
import time
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from archive.acceptance import too_many_pages
from archive.filenames import clean_filename
from archive.languages import DETECT, LANGUAGES
from archive.models import OcrJob
from archive.ocr_service.queue import enqueue_job_pages
from archive.quotas import (
    QueueFull,
    Work,
    owner_lock,
    queue_share_take,
    queued_pages_refusal,
)
from ocr.engines import available_engines
from ocr.errors import OcrError, PasswordRequired
from ocr.files import validate
from ocr.formats import HEAD_SIZE, SUPPORTED_TYPES, describe, sniff

_CHUNK = 1024 * 1024
#: How often a waiting request looks at its job again.
_POLL_SECONDS = 0.05
#: Jobs that are still to be read.
ACTIVE = (OcrJob.Status.QUEUED, OcrJob.Status.RUNNING)
#: Jobs that will not change any more.
FINISHED = (OcrJob.Status.DONE, OcrJob.Status.FAILED)


class OcrRequestRejected(Exception):
    """The request was refused; ``str(error)`` says why, ``status`` is the HTTP status to send
    (400 bad input, 413 too large, 429 too many jobs, 507 storage unavailable)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def ocr_job_submit(
    *,
    owner: AbstractBaseUser,
    upload: IO[bytes],
    name: str,
    engine: str = "",
    language: str = "",
) -> OcrJob:
    """Check ``upload`` and queue it as a job of ``owner``: its pages in the fair OCR queue.

    ``engine`` is a name of ``ocr.available_engines()`` or ``"auto"`` (default
    ``OCR_ENGINE``); ``language`` an ISO 639-1 code of ``archive.languages.LANGUAGES`` or
    ``"detect"`` (the default: read as Latin script and Chinese, the language found from the
    text). Raises ``OcrRequestRejected``; then nothing is stored.
    """
    purge_expired()
    engine = engine or settings.OCR_ENGINE
    if engine != "auto" and engine not in available_engines():
        choices = ", ".join(["auto", *available_engines()])
        raise OcrRequestRejected(
            gettext("Unknown OCR engine %(engine)r; one of: %(choices)s.")
            % {"engine": engine, "choices": choices}
        )
    language = language or DETECT
    if language != DETECT and language not in LANGUAGES:
        raise OcrRequestRejected(gettext("Unknown language %(language)r.") % {"language": language})
    _check_limits(owner.pk, 0)  # early, before the file is read and stored
    size, mime, page_count = _check(upload)
    _check_limits(owner.pk, page_count)
    now = timezone.now()
    job = OcrJob(
        owner_id=owner.pk,
        input_name=clean_filename(name),
        mime_type=mime,
        size=size,
        page_count=page_count,
        engine=engine,
        language=language,
        expires_at=now + timedelta(seconds=settings.OCR_JOB_KEEP_SECONDS),
    )
    upload.seek(0)
    try:
        job.input.name = default_storage.save(f"ocr-jobs/{job.id}/input", File(upload))
    except OSError as error:
        raise OcrRequestRejected(
            gettext(
                "The file could not be stored for reading (the server's storage is full or "
                "unavailable). Try again later."
            ),
            status=507,
        ) from error
    try:
        with transaction.atomic():
            # Counted again under the user's lock, in the transaction that adds the job:
            # parallel requests cannot pass the limits together (archive.quotas).
            owner_lock(owner.pk)
            _check_limits(owner.pk, 0)  # the jobs a user may have
            try:
                queue_share_take(owner.pk, page_count, work=Work.UPLOAD)
            except QueueFull as refusal:
                raise OcrRequestRejected(str(refusal), status=429) from refusal
            job.save(force_insert=True)
            enqueue_job_pages(job.id, owner.pk, page_count)
    except BaseException:
        default_storage.delete(job.input.name)
        raise
    return job


def ocr_job_wait(job: OcrJob, *, seconds: float) -> OcrJob:
    """``job`` re-read until it is finished or ``seconds`` have passed (then still active).

    Only waits: the workers do the reading. Call it outside a transaction, or the job's own
    commit (and so its tasks) would wait for this request.
    """
    deadline = time.monotonic() + seconds
    while job.status not in FINISHED and time.monotonic() < deadline:
        time.sleep(_POLL_SECONDS)
        try:
            job.refresh_from_db(fields=["status", "error", "started_at", "finished_at"])
        except OcrJob.DoesNotExist:
            break  # deleted meanwhile (its owner went): the caller answers with what it has
    return job


def purge_expired(*, limit: int = 100) -> int:
    """Delete up to ``limit`` jobs past their ``expires_at`` (inputs included); returns how
    many. Called on every submission, so old jobs go without a scheduled task."""
    expired = list(
        OcrJob.objects.filter(expires_at__lte=timezone.now()).values_list("pk", "input")[:limit]
    )
    for _pk, name in expired:
        if name:
            default_storage.delete(name)
    OcrJob.objects.filter(pk__in=[pk for pk, _ in expired]).delete()
    return len(expired)


def _check_limits(owner_id: int, page_count: int) -> None:
    """``OcrRequestRejected`` (429) if ``owner_id`` has ``OCR_JOBS_PER_USER`` jobs active
    already, or ``page_count`` more pages would pass the pages one user may have queued."""
    active = OcrJob.objects.filter(
        owner_id=owner_id, status__in=ACTIVE, expires_at__gt=timezone.now()
    ).count()
    if active >= settings.OCR_JOBS_PER_USER:
        raise OcrRequestRejected(
            gettext(
                "You have %(active)s OCR jobs waiting or being read, the most one may have. Send "
                "more once some have finished."
            )
            % {"active": active},
            status=429,
        )
    refusal = queued_pages_refusal(owner_id, page_count) if page_count else None
    if refusal is not None:
        raise OcrRequestRejected(refusal, status=429)


def _check(upload: IO[bytes]) -> tuple[int, str, int]:
    """(size, mime, page count) of an acceptable file, or ``OcrRequestRejected`` why not, with
    the messages an upload gets."""
    size, head = _measure(upload)
    if size == 0:
        raise OcrRequestRejected(gettext("The file is empty."))
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    if size > limit:
        megabytes = math.ceil(size * 10 / (1024 * 1024)) / 10
        raise OcrRequestRejected(
            gettext("The file is %(megabytes).1f MB, above the limit of %(max_upload_mb)s MB.")
            % {"megabytes": megabytes, "max_upload_mb": settings.MAX_UPLOAD_MB},
            status=413,
        )
    mime = sniff(head)
    if mime is None:
        kinds = ", ".join(sorted(set(SUPPORTED_TYPES.values())))
        raise OcrRequestRejected(
            gettext("This is not a supported scan (%(kinds)s). The file looks like: %(found)s.")
            % {"kinds": kinds, "found": describe(head)}
        )
    try:
        upload.seek(0)
        _mime, page_count = validate(upload, max_pixels=settings.OCR_MAX_PIXELS)
    except PasswordRequired as error:
        raise OcrRequestRejected(
            gettext(
                "This PDF is protected by a password, which the OCR service does not take. "
                "Upload it to the archive and enter its password on the document page."
            )
        ) from error
    except OcrError as error:
        raise OcrRequestRejected(str(error)) from error
    refusal = too_many_pages(page_count)
    if refusal is not None:
        raise OcrRequestRejected(refusal)
    return size, mime, page_count


def _measure(upload: IO[bytes]) -> tuple[int, bytes]:
    """(size, first ``HEAD_SIZE`` bytes), reading the file once in chunks."""
    upload.seek(0)
    size, head = 0, b""
    while chunk := upload.read(_CHUNK):
        if size == 0:
            head = chunk[:HEAD_SIZE]
        size += len(chunk)
    return size, head
