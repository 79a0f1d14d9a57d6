"""Changes to a document a user asks for: rename, re-run OCR, give a PDF's password, delete.

These are the write services the views, the admin and the API call. Stored files are deleted
only after the transaction that removed their rows commits, so a rollback never leaves a row
pointing at a missing file.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from archive.acceptance import WRONG_PASSWORD_MESSAGE, too_many_pages
from archive.errors import UserError
from archive.exports import searchable_pdf_invalidate
from archive.models import Document, Page, PageAttempt, PageJob, storage_name
from archive.processing.jobs import queue_document
from archive.quotas import Work, queue_share_take
from archive.search import (
    clean_text,
    document_vector_rebuild,
    documents_unindex,
    page_vector_write,
)
from archive.sharing.history import Action, event_record
from ocr.errors import OcrError, PasswordRequired
from ocr.files import validate


def document_rename(
    document: Document, title: str, *, actor: AbstractBaseUser | None = None
) -> None:
    """Set the title and re-index it (the title is part of the search vector, weight A);
    ``UserError`` for an empty title. ``actor`` (who asked) goes into the history."""
    title = title.strip()[:255]
    if not title:
        raise UserError(gettext("A title cannot be empty."))
    with transaction.atomic():
        event_record(document, Action.RENAMED, actor=actor, detail=f"{document.title} → {title}")
        document.title = title
        document.save(update_fields=["title", "updated"])
        document_vector_rebuild(document)


def page_text_update(page: Page, text: str, *, actor: AbstractBaseUser | None = None) -> None:
    """Replace a page's text (a staff correction) and re-index the page and its document at once,
    so the correction is searchable as soon as it is saved; the history names ``actor``."""
    with transaction.atomic():
        event_record(page.document, Action.CORRECTED, actor=actor, detail=f"page {page.number}")
        page.text = clean_text(text)
        page.save(update_fields=["text"])
        page_vector_write(page, page.document.language)
        document_vector_rebuild(page.document)
        searchable_pdf_invalidate(page.document)


def document_rerun(
    document: Document,
    *,
    from_scratch: bool = False,
    engine: str | None = None,
    language: str | None = None,
    force_ocr: bool | None = None,
    priority: int = PageJob.Priority.BULK,
    actor: AbstractBaseUser | None = None,
    limit: Work | None = Work.RERUN,
    page_count: int | None = None,
) -> int | None:
    """Queue the document again (by default behind interactive uploads in the OCR queue).

    By default only the pages still missing are read (after a failure), and every page when
    none is missing (a re-run of a finished document reads it again). ``from_scratch``
    drops every saved page first; so does any change of ``engine``, ``language`` or
    ``force_ocr`` (OCR even pages with a text layer), since the saved pages were read
    another way. The page attempt counts start again: the user asked to try once more.
    Reading every page again also clears the document's review mark (``reviewed_at``/``_by``).
    ``actor`` (who asked; None for the system) goes into the document's history.

    The pages it will read count against the owner's queue limit (``archive.quotas``): over
    it, ``QueueFull`` says so in words of ``limit`` and nothing changes. ``limit=None`` only
    for what the operator or the system queues (staff in the admin, a caller that checked
    already). ``page_count`` is the file's page count when the caller knows it and the
    document does not (a PDF just opened by its password).
    Returns the number of pages left to read when only missing pages are read, None when every
    page is read again (or the page count is not known yet).
    """
    changes: dict[str, object] = {}
    if engine is not None and engine != document.engine:
        changes["engine"] = engine
    if language is not None and language != document.language:
        changes["language"] = language
        # Chosen now (or to be detected again): what an earlier detection found no longer holds.
        changes["language_detected"] = False
        changes["language_confidence"] = None
        changes["languages"] = []
    if force_ocr is not None and force_ocr != document.force_ocr:
        changes["force_ocr"] = force_ocr
    with transaction.atomic():
        saved = document.pages.count()
        missing = None if document.page_count is None else document.page_count - saved
        if saved and missing == 0:
            from_scratch = True  # nothing is missing: "again" means every page
        every = from_scratch or bool(changes) or missing is None
        pages = _pages_to_read(document, page_count) if every else int(missing or 0)
        if limit is not None:
            # Under the owner's quota lock until this transaction ends: parallel re-runs
            # cannot pass the limit together. The document's own waiting pages are replaced.
            queue_share_take(document.owner_id, pages, work=limit, replacing=[document.pk])
        searchable_pdf_invalidate(document)
        if from_scratch or changes:
            missing = None
            _delete_pages(document)
            # --- review (admin): new text has not been reviewed; its history went with the pages.
            changes["reviewed_at"] = None
            changes["reviewed_by"] = None
            # --- end review
        PageAttempt.objects.filter(document=document).delete()
        for field, value in changes.items():
            setattr(document, field, value)
        document.status = Document.Status.QUEUED
        document.error = ""
        document.queued_at = timezone.now()
        document.finished_at = None
        document.save(
            update_fields=["status", "error", "queued_at", "finished_at", "updated", *changes]
        )
        # The opening job counts the pages the run will read (``jobs.queued_pages``).
        queue_document(document, priority=priority, pages=max(pages, 1))
        if actor is not None:
            what = "every page" if missing is None else "missing pages"
            event_record(document, Action.RERUN, actor=actor, detail=what)
    return missing


def document_set_password(document: Document, password: str) -> None:
    """Give the password of a PDF stored with status ``needs_password``, and queue its OCR.

    The password is checked against the stored original first (headers only, no rendering).
    If it opens the PDF it is saved in ``pdf_password`` and the document is queued like
    ``document_rerun``. Otherwise ``UserError`` says why in words for the owner (wrong
    password, not waiting for one, too many pages, a damaged file) and nothing is changed.
    """
    if document.status != Document.Status.NEEDS_PASSWORD:
        raise UserError(gettext("This document is not waiting for a password."))
    if not password:
        raise UserError(gettext("Enter the PDF's password."))
    with default_storage.open(storage_name(document.original), "rb") as original:
        try:
            _mime, page_count = validate(
                original, max_pixels=settings.OCR_MAX_PIXELS, password=password
            )
        except PasswordRequired as error:
            raise UserError(WRONG_PASSWORD_MESSAGE) from error
        except OcrError as error:
            raise UserError(str(error)) from error
    refusal = too_many_pages(page_count)
    if refusal is not None:
        raise UserError(refusal)
    with transaction.atomic():
        # Two tabs may send the password at once: queue the document once.
        locked = Document.objects.select_for_update().filter(pk=document.pk).first()
        if locked is None or locked.status != Document.Status.NEEDS_PASSWORD:
            raise UserError(gettext("This document is not waiting for a password."))
        document.pdf_password = password
        document.save(update_fields=["pdf_password", "updated"])
        # Its owner waits for it, as for an upload; over the queue limit, ``QueueFull`` rolls
        # the password back with the rest (the owner enters it again later).
        document_rerun(
            document,
            priority=PageJob.Priority.INTERACTIVE,
            limit=Work.PASSWORD,
            page_count=page_count,
        )


def _pages_to_read(document: Document, known: int | None) -> int:
    """How many pages a run reading every page of ``document`` reads: its page count, else
    ``known``, else the original's (headers only); 1 when the original cannot be opened (the
    run will say why, after one opening job)."""
    if document.page_count is not None:
        return document.page_count
    if known is not None:
        return known
    try:
        with default_storage.open(storage_name(document.original), "rb") as original:
            _mime, count = validate(
                original,
                max_pixels=settings.OCR_MAX_PIXELS,
                password=document.pdf_password or None,
            )
    except (OcrError, OSError):
        return 1
    return int(count)


def document_delete(document: Document, *, actor: AbstractBaseUser | None = None) -> None:
    """Delete the document, its pages and every stored file of it. Its history stays (for
    staff), ending with the deletion by ``actor``."""
    names = [storage_name(document.original)]
    if document.ocr_file:
        names.append(storage_name(document.ocr_file))
    names += _page_files(document)
    export = Document.objects.filter(pk=document.pk).values_list("searchable_pdf", flat=True)
    names += [name for name in export if name]
    with transaction.atomic():
        # First, so its terms' document counts go down (its impact entries go by cascade).
        documents_unindex([document.pk])
        event_record(document, Action.DELETED, actor=actor)
        document.delete()
        transaction.on_commit(lambda: _delete_files(names))


def _delete_pages(document: Document) -> None:
    names = _page_files(document)
    document.pages.all().delete()
    documents_unindex([document.pk])
    Document.objects.filter(pk=document.pk).update(page_count=None)
    transaction.on_commit(lambda: _delete_files(names))


def _page_files(document: Document) -> list[str]:
    """Storage names of every page image and thumbnail of the document."""
    pairs = document.pages.values_list("image", "thumbnail")
    return [name for pair in pairs for name in pair if name]


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
