"""Taking files in: validate by content, store the original unchanged, queue the OCR.

``document_create`` is the one way a file becomes a ``Document``; the upload view, the API and
``manage.py import`` all call it, so every path gets the same checks and the same messages.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from archive.languages import LANGUAGES
from archive.models import Document
from archive.tasks import enqueue_processing
from ocr.errors import OcrError
from ocr.formats import EXTENSIONS, HEAD_SIZE, SUPPORTED_TYPES, describe, sniff
from ocr.pages import validate

_logger = logging.getLogger(__name__)
_CHUNK = 1024 * 1024


class UploadRejected(Exception):
    """The file was not accepted; ``str(error)`` says why in words the uploader understands."""


@dataclass(frozen=True)
class IngestResult:
    """What happened to one file: a new document, or the existing one it duplicates."""

    document: Document
    created: bool


def document_create(
    *,
    owner: AbstractBaseUser,
    upload: IO[bytes],
    name: str,
    title: str = "",
    language: str = "",
    engine: str = "",
) -> IngestResult:
    """Validate ``upload`` by content and turn it into a queued ``Document``.

    - Rejects (``UploadRejected``) empty, oversized, unsupported and unreadable files; then
      nothing is stored and no row is written.
    - A file the owner already has (same sha256) is not stored again: the existing document is
      returned with ``created=False``.
    - Otherwise the bytes are stored unchanged through the default storage, the row is written,
      and the OCR task is enqueued when the transaction commits.
    """
    language = language or settings.OCR_LANGUAGES[0]
    if language not in LANGUAGES:
        raise UploadRejected(f"Unknown language {language!r}.")
    size, digest, head = _measure(upload)
    if size == 0:
        raise UploadRejected("The file is empty.")
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    if size > limit:
        raise UploadRejected(
            f"The file is {size / 1024 / 1024:.1f} MB, above the limit of "
            f"{settings.MAX_UPLOAD_MB} MB."
        )
    mime = sniff(head)
    if mime is None:
        kinds = ", ".join(sorted(set(SUPPORTED_TYPES.values())))
        raise UploadRejected(
            f"This is not a supported scan ({kinds}). The file looks like: {describe(head)}."
        )
    existing = Document.objects.filter(owner_id=owner.pk, sha256=digest).first()
    if existing is not None:
        return IngestResult(existing, created=False)
    try:
        upload.seek(0)
        validate(upload, max_pixels=settings.OCR_MAX_PIXELS)
    except OcrError as error:
        raise UploadRejected(str(error)) from error
    upload.seek(0)
    return _store(
        owner=owner,
        upload=upload,
        name=name,
        title=title or _title_from_name(name),
        mime=mime,
        size=size,
        digest=digest,
        language=language,
        engine=engine or settings.OCR_ENGINE,
    )


def _store(
    *,
    owner: AbstractBaseUser,
    upload: IO[bytes],
    name: str,
    title: str,
    mime: str,
    size: int,
    digest: str,
    language: str,
    engine: str,
) -> IngestResult:
    path = f"originals/{owner.pk}/{digest[:2]}/{digest}{EXTENSIONS[mime]}"
    stored_name = default_storage.save(path, File(upload, name=path))
    try:
        with transaction.atomic():
            document = Document.objects.create(
                owner_id=owner.pk,
                title=title[:255],
                original=stored_name,
                original_name=PurePath(name).name[:255],
                sha256=digest,
                mime_type=mime,
                size=size,
                language=language,
                engine=engine,
                status=Document.Status.QUEUED,
                queued_at=timezone.now(),
            )
            transaction.on_commit(lambda: enqueue_processing(document.pk))
    except IntegrityError:
        # The same file arrived twice at once (two tabs, two importers): the other one won.
        default_storage.delete(stored_name)
        existing = Document.objects.filter(owner_id=owner.pk, sha256=digest).first()
        if existing is None:
            raise
        return IngestResult(existing, created=False)
    except BaseException:
        # Nothing half-made: no stored file without its row.
        default_storage.delete(stored_name)
        raise
    _logger.info("document %s created from %s (%s, %d bytes)", document.pk, name, mime, size)
    return IngestResult(document, created=True)


def _measure(upload: IO[bytes]) -> tuple[int, str, bytes]:
    """(size, sha256 hex, first ``HEAD_SIZE`` bytes), reading the file once in chunks."""
    upload.seek(0)
    digest = hashlib.sha256()
    size = 0
    head = b""
    while chunk := upload.read(_CHUNK):
        if size == 0:
            head = chunk[:HEAD_SIZE]
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest(), head


def _title_from_name(name: str) -> str:
    stem = PurePath(name).stem.replace("_", " ").strip()
    return stem or "Untitled scan"
