"""Taking files in: validate by content, store the original unchanged, queue the OCR.

``document_create`` is the one way a file becomes a ``Document``; the upload view, the API and
``manage.py import`` all call it, so every path gets the same checks and the same messages.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext

from archive.acceptance import WRONG_PASSWORD_MESSAGE, too_many_pages
from archive.filenames import clean_filename, clean_title, title_from_filename
from archive.languages import DETECT, LANGUAGES
from archive.models import Document, PageJob, storage_name
from archive.ocr_imports import (
    OcrFileRejected,
    ocr_file_check,
    ocr_file_language,
    ocr_file_store,
)
from archive.outcomes import Outcome
from archive.processing.jobs import queue_document
from archive.quotas import QueueFull, Work, queue_share_take, queued_pages_refusal
from archive.sharing.services import document_added
from archive.storage.errors import storage_error_reason, storage_errors
from ocr.errors import OcrError, PasswordRequired
from ocr.files import open_document, validate
from ocr.formats import EXTENSIONS, HEAD_SIZE, SUPPORTED_TYPES, describe, sniff

_logger = logging.getLogger(__name__)
_CHUNK = 1024 * 1024

#: ``Document.error`` of a PDF stored without the password it needs.
NEEDS_PASSWORD_MESSAGE = (
    "This PDF is protected by a password. Enter it on the document page to read it."
)


#: ``Document.error`` of a PDF uploaded with a password that does not open it.
class UploadRejected(Exception):
    """The file was not accepted; ``str(error)`` says why in words the uploader understands."""


class FileTooLarge(UploadRejected):
    """Rejected for its size alone (the web answers 413 when every file of a request was)."""


class OverLimit(UploadRejected, QueueFull):
    """Refused by a per-user limit (``archive.quotas``), not for the file itself: the same
    file is accepted once the user's earlier work is done. The web answers 429 with
    ``Retry-After`` when every file of a request was refused so."""


class StorageFailed(UploadRejected):
    """The file was fine but could not be written (storage full, read-only or unreachable).

    Not the uploader's fault: the web answers 507 when every file of a request failed so, and
    the file can simply be sent again once the administrator has made room.
    """


@dataclass(frozen=True)
class IngestResult:
    """What happened to one file: a new document (``outcome`` ``CREATED`` or ``NEEDS_PASSWORD``),
    or the existing one it duplicates (``DUPLICATE``)."""

    document: Document
    outcome: Outcome
    #: A duplicate sent with a new OCR file: the file replaced the document's, whose pages
    #: are read again from it (``document_create``).
    ocr_replaced: bool = False


def document_create(
    *,
    owner: AbstractBaseUser,
    upload: IO[bytes],
    name: str,
    title: str = "",
    language: str = "",
    engine: str = "",
    password: str = "",
    priority: int = PageJob.Priority.INTERACTIVE,
    ocr_file: IO[bytes] | None = None,
) -> IngestResult:
    """Validate ``upload`` by content and turn it into a queued ``Document``.

    - Rejects (``UploadRejected``) empty, oversized (``FileTooLarge``), unsupported and
      unreadable files, and files with more than ``MAX_PAGES`` pages; then nothing is stored
      and no row is written.
    - A file the owner already has (same sha256) is not stored again: the existing document is
      returned with outcome ``DUPLICATE``.
    - A PDF that needs a password is stored all the same, with status ``needs_password`` and
      not queued, unless ``password`` opens it: then the password is kept in
      ``pdf_password`` and the document is queued as usual. A password given for a file that
      needs none is ignored (and not stored).
    - An interactive upload (``priority``, the default) that would take its owner past
      ``OCR_QUEUED_PAGES_PER_USER`` pages waiting for OCR is rejected (``OverLimit``), saying
      how many wait; counted under the user's quota lock in the transaction that queues it
      (``archive.quotas``), so parallel uploads cannot pass the limit together.
    - Otherwise the bytes are stored unchanged through the default storage, the row is written
      with its job in the fair OCR queue at ``priority`` (``archive.processing.jobs``), and a
      worker is told when the transaction commits.

    ``language`` is an ISO 639-1 code of ``archive.languages.LANGUAGES`` or, by default,
    ``"detect"``: the worker finds it from the text (``archive.langdetect``).

    ``name`` is the file's name as given (any path, any characters): it is cleaned
    (``archive.filenames``) for ``original_name`` and the default title.

    ``ocr_file`` is the scan's own hOCR or ALTO file, if it comes with one
    (``archive.ocr_imports``): checked before anything is stored (``UploadRejected`` saying
    what is wrong with it, and then neither file is kept), stored beside the original, and
    its pages are kept instead of running OCR. When the upload says "detect", the language
    the file declares (``archive.ocr_imports.ocr_file_language``) is the document's. A
    duplicate scan sent with an OCR file other than its document's replaces that document's
    file (checked the same way) and reads its pages again from it, discarding their text
    (``ocr_replaced``); without one, or with the same file, the document stays as it is.
    """
    title = clean_title(title) or title_from_filename(name)
    name = clean_filename(name)
    language = language or DETECT
    if language != DETECT and language not in LANGUAGES:
        raise UploadRejected(gettext("Unknown language %(language)r.") % {"language": language})
    size, digest, head = _measure(upload)
    if size == 0:
        raise UploadRejected(gettext("The file is empty."))
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    if size > limit:
        # Rounded up, so a file just past the limit never reads as "1.0 MB, above 1 MB".
        megabytes = math.ceil(size * 10 / (1024 * 1024)) / 10
        raise FileTooLarge(
            gettext("The file is %(size)s MB, above the limit of %(limit)d MB.")
            % {"size": number_format(megabytes, 1), "limit": settings.MAX_UPLOAD_MB}
        )
    mime = sniff(head)
    if mime is None:
        kinds = ", ".join(sorted(set(SUPPORTED_TYPES.values())))
        raise UploadRejected(
            gettext("This is not a supported scan (%(kinds)s). The file looks like: %(found)s.")
            % {"kinds": kinds, "found": describe(head)}
        )
    existing = Document.objects.filter(owner_id=owner.pk, sha256=digest).first()
    if existing is not None:
        if ocr_file is None:
            return IngestResult(existing, Outcome.DUPLICATE)
        return _replace_ocr_file(existing, upload, ocr_file.read(), language, password, priority)
    status, error, pdf_password, page_count = _check_content(upload, password)
    ocr_data, ocr_kind = b"", ""
    if ocr_file is not None:
        ocr_data = ocr_file.read()
        ocr_kind = _check_ocr_file(ocr_data, upload, status, pdf_password, page_count)
        if language == DETECT:
            language = ocr_file_language(ocr_data) or DETECT
    if status == Document.Status.QUEUED and priority == PageJob.Priority.INTERACTIVE:
        _check_queue_share(owner, page_count)
    upload.seek(0)
    return _store(
        owner=owner,
        upload=upload,
        name=name,
        title=title,
        mime=mime,
        size=size,
        digest=digest,
        language=language,
        engine=engine or settings.OCR_ENGINE,
        status=status,
        error=error,
        pdf_password=pdf_password,
        priority=priority,
        page_count=page_count,
        ocr_file=(ocr_kind, ocr_data) if ocr_kind else None,
    )


def _replace_ocr_file(
    document: Document,
    upload: IO[bytes],
    data: bytes,
    language: str,
    password: str,
    priority: int,
) -> IngestResult:
    """The duplicate ``document`` sent again with the OCR file ``data``: unless it is the
    file the document has, check it against the scan as for a new document, store it in
    place of the document's, and read the document's pages again from it (from scratch, in
    the upload's language, or the file's when the upload says "detect"). A document waiting
    for its PDF password only gets the file. ``UploadRejected`` (nothing changed) if the file
    does not fit the scan or the pages would pass the user's queue limit."""
    if document.ocr_file and _stored_bytes(storage_name(document.ocr_file)) == data:
        return IngestResult(document, Outcome.DUPLICATE)
    status, _error, pdf_password, page_count = _check_content(
        upload, password or document.pdf_password
    )
    kind = _check_ocr_file(data, upload, status, pdf_password, page_count)
    if language == DETECT:
        language = ocr_file_language(data) or DETECT
    old_name = storage_name(document.ocr_file) if document.ocr_file else ""
    new_name = _save_ocr_file(storage_name(document.original), kind, data)
    # Imported here: archive.documents imports this module (its messages and checks).
    from archive.documents import document_rerun

    try:
        with transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=document.pk)
            waiting = locked.status == Document.Status.NEEDS_PASSWORD
            if not waiting and priority == PageJob.Priority.INTERACTIVE:
                _take_queue_share(locked.owner, page_count, replacing=[locked.pk])
            locked.ocr_file.name = new_name
            locked.save(update_fields=["ocr_file", "updated"])
            if not waiting:
                # The pages read from the old file (or by OCR) give way to the new file's.
                document_rerun(
                    locked,
                    from_scratch=True,
                    language=None if language == DETECT else language,
                    force_ocr=False,
                    priority=priority,
                    limit=None,  # counted above, in the words of an upload
                )
            if old_name and old_name != new_name:
                transaction.on_commit(lambda: default_storage.delete(old_name))
    except BaseException:
        _delete_stored([new_name])
        raise
    _logger.info("document %s: OCR file replaced by a new upload", document.pk)
    return IngestResult(locked, Outcome.DUPLICATE, ocr_replaced=True)


def _stored_bytes(name: str) -> bytes | None:
    """The stored file ``name``'s content; None if it cannot be read."""
    try:
        with default_storage.open(name, "rb") as stored:
            return bytes(stored.read())
    except OSError:
        return None


def _check_ocr_file(
    data: bytes, upload: IO[bytes], status: str, password: str, page_count: int
) -> str:
    """The format of the scan's OCR file ``data`` (``archive.ocr_imports.ocr_file_check``),
    its pages' shapes checked against the scan's from headers (no pixels decoded); else
    ``UploadRejected`` saying what is wrong with it. A PDF still waiting for its password
    cannot be opened yet: only the file itself is checked (the worker checks the shapes)."""
    try:
        if status != Document.Status.QUEUED:
            return ocr_file_check(data, None)
        with open_document(
            upload,
            max_pixels=settings.OCR_MAX_PIXELS,
            pdf_dpi=settings.OCR_PDF_DPI,
            password=password or None,
        ) as source:
            return ocr_file_check(data, page_count, source.page_size)
    except OcrFileRejected as refusal:
        raise UploadRejected(str(refusal)) from refusal
    except OcrError as error:
        raise UploadRejected(str(error)) from error


def _check_queue_share(owner: AbstractBaseUser, page_count: int) -> None:
    """``OverLimit`` if ``page_count`` more pages would take ``owner`` past the pages one
    user may have waiting for OCR (``archive.quotas``)."""
    refusal = queued_pages_refusal(owner.pk, page_count)
    if refusal is not None:
        raise OverLimit(refusal)


def _take_queue_share(
    owner: AbstractBaseUser, page_count: int, *, replacing: list[int] | None = None
) -> None:
    """``archive.quotas.queue_share_take`` for an upload: ``OverLimit`` over the limit."""
    try:
        queue_share_take(owner.pk, page_count, work=Work.UPLOAD, replacing=replacing or ())
    except QueueFull as refusal:
        raise OverLimit(str(refusal)) from refusal


def _check_content(upload: IO[bytes], password: str) -> tuple[Document.Status, str, str, int]:
    """(status, error, pdf_password, page count) for a new document, or ``UploadRejected`` why
    not (the page count is 0 while a password is missing).

    Validation reads headers only (``ocr.files.validate``). A password is tried only after the
    file turned out to need one: PDFium does not fall back to "no password", so a password
    typed for an ordinary PDF would otherwise make it fail.
    """
    try:
        upload.seek(0)
        _mime, page_count = validate(upload, max_pixels=settings.OCR_MAX_PIXELS)
    except PasswordRequired:
        if not password:
            return Document.Status.NEEDS_PASSWORD, NEEDS_PASSWORD_MESSAGE, "", 0
        try:
            upload.seek(0)
            _mime, page_count = validate(
                upload, max_pixels=settings.OCR_MAX_PIXELS, password=password
            )
        except PasswordRequired:
            return Document.Status.NEEDS_PASSWORD, WRONG_PASSWORD_MESSAGE, "", 0
        except OcrError as error:
            raise UploadRejected(str(error)) from error
    except OcrError as error:
        raise UploadRejected(str(error)) from error
    else:
        password = ""  # opened without one: keep none
    refusal = too_many_pages(page_count)
    if refusal is not None:
        raise UploadRejected(refusal)
    return Document.Status.QUEUED, "", password, page_count


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
    status: Document.Status,
    error: str,
    pdf_password: str,
    priority: int,
    page_count: int,
    ocr_file: tuple[str, bytes] | None,
) -> IngestResult:
    path = f"originals/{owner.pk}/{digest[:2]}/{digest}{EXTENSIONS[mime]}"
    stored_name = _save_original(path, upload)
    ocr_name = ""
    try:
        if ocr_file is not None:
            ocr_name = _save_ocr_file(stored_name, *ocr_file)
        with transaction.atomic():
            if status == Document.Status.QUEUED and priority == PageJob.Priority.INTERACTIVE:
                # Counted again under the user's lock, in the transaction that adds the
                # pages: parallel uploads cannot pass the limit together (archive.quotas).
                _take_queue_share(owner, page_count)
            document = Document.objects.create(
                owner_id=owner.pk,
                title=title,
                original=stored_name,
                original_name=name,
                ocr_file=ocr_name,
                sha256=digest,
                mime_type=mime,
                size=size,
                language=language,
                engine=engine,
                status=status,
                error=error,
                pdf_password=pdf_password,
                queued_at=timezone.now() if status == Document.Status.QUEUED else None,
            )
            # Default permissions (shared with the owner's group, say) and the first history line.
            document_added(document)
            if status == Document.Status.QUEUED:
                queue_document(document, priority=priority, pages=page_count)
    except IntegrityError:
        # The same file arrived twice at once (two tabs, two importers): the other one won.
        _delete_stored([stored_name, ocr_name])
        existing = Document.objects.filter(owner_id=owner.pk, sha256=digest).first()
        if existing is None:
            raise
        return IngestResult(existing, Outcome.DUPLICATE)
    except BaseException:
        # Nothing half-made: no stored file without its row.
        _delete_stored([stored_name, ocr_name])
        raise
    _logger.info(
        "document %s created from %r (%s, %d bytes, %s)", document.pk, name, mime, size, status
    )
    new = Outcome.NEEDS_PASSWORD if status == Document.Status.NEEDS_PASSWORD else Outcome.CREATED
    return IngestResult(document, new)


def _save_original(path: str, upload: IO[bytes]) -> str:
    """Store the original under ``path`` (or a free variant of it); ``StorageFailed`` if the
    storage cannot take it, leaving no partial file behind."""
    existed = True  # until the storage says otherwise: never delete a file that was there
    try:
        existed = default_storage.exists(path)
        return default_storage.save(path, File(upload, name=path))
    except storage_errors() as error:
        # FileSystemStorage writes in place: a disk that fills up mid-file leaves a partial one.
        # (An S3 object appears only once its upload completes: none is left by a failure.)
        _remove_partial(path, existed_before=existed)
        _logger.error("cannot store %s: %s", path, error)
        reason = storage_error_reason(error)
        raise StorageFailed(
            f"The archive could not store this file ({reason}). Nothing was kept; please try "
            "again later, and tell the administrator if it keeps happening."
        ) from error


def _save_ocr_file(stored_name: str, kind: str, data: bytes) -> str:
    """Store the scan's OCR file beside its original; ``StorageFailed`` as for the original."""
    try:
        return ocr_file_store(stored_name, kind, data)
    except storage_errors() as error:
        _logger.error("cannot store the OCR file of %s: %s", stored_name, error)
        reason = storage_error_reason(error)
        raise StorageFailed(
            f"The archive could not store this file's OCR file ({reason}). Nothing was kept; "
            "please try again later."
        ) from error


def _remove_partial(path: str, *, existed_before: bool) -> None:
    """Delete what a failed save left under ``path``, if the storage still answers."""
    if existed_before:
        return
    try:
        if default_storage.exists(path):
            default_storage.delete(path)
    except storage_errors() as error:
        _logger.error("cannot remove the partial file %s: %s", path, error)


def _delete_stored(names: list[str]) -> None:
    """Delete files stored for an upload that is being undone. A storage that fails meanwhile
    (an outage) is logged, not raised: the error that undid the upload is the one to report."""
    for name in names:
        if name:
            try:
                default_storage.delete(name)
            except storage_errors() as error:
                _logger.error("cannot remove %s after a failed upload: %s", name, error)


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
