"""The end of a document's pipeline: done once every page of its run is saved, then what
follows a finished document (``document_completed``)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from archive.langdetect import document_languages_update
from archive.models import Document
from archive.organize.suggest import document_suggest
from archive.processing.exporting import export_at_end
from archive.processing.orphans import remove_orphans
from archive.search import document_vector_rebuild, reindex_documents

_logger = logging.getLogger(__name__)


def finish_if_complete(document_id: int, run: int) -> None:
    """Mark the document done if run ``run`` has saved every page and nothing failed; then
    call ``document_completed`` (once per run: only the call that marks it done does)."""
    with transaction.atomic():
        document = (
            Document.objects.select_for_update()
            .filter(pk=document_id, run=run, status=Document.Status.PROCESSING)
            .first()
        )
        if document is None or document.page_count is None:
            return
        totals = document.pages.aggregate(pages=Count("id"), seconds=Sum("seconds"))
        if totals["pages"] < document.page_count:
            return
        document.status = Document.Status.DONE
        document.finished_at = timezone.now()
        document.ocr_seconds = totals["seconds"] or 0.0
        document.error = ""
        document.storage_retries = 0  # a later storage failure gets its full back-off again
        document.retry_at = None
        document.save(
            update_fields=[
                "status",
                "finished_at",
                "ocr_seconds",
                "error",
                "storage_retries",
                "retry_at",
                "updated",
            ]
        )
        if document_languages_update(document):
            # Mixed languages: index it again in each (archive.languages.
            # document_search_configs, read by the index writers).
            reindex_documents([document])
        # Each saved page already appended its text to the document's vector; only a
        # document that ended with no pages still needs one (its title).
        elif Document.objects.filter(pk=document_id, search_vector__isnull=True).exists():
            document_vector_rebuild(document)
        # Under the row lock no newer run can exist, and no page can be added to this one.
        remove_orphans(document)
    _logger.info(
        "document %s done: %d pages, %.1f s OCR", document_id, totals["pages"], document.ocr_seconds
    )
    document_completed(document)


def document_completed(document: Document) -> None:
    """What follows a document that was just read to the end (status done, committed).

    The one place where a document's pipeline ends: called once per finished run, in the
    worker, after the transaction that marked it done. A step added here must not fail the
    document (it is done): catch and log its own errors, as ``export_at_end`` does.
    """
    # Metadata from the text (archive.organize.suggest); it logs its own errors.
    document_suggest(document.pk)
    if settings.SEARCHABLE_PDF_AT_END:
        export_at_end(document)
