"""OCR of one document, page by page, in a worker process.

Each page is saved in its own transaction together with its search vector and its share of the
document's vector, so progress is visible and a page found by search is never half-written.
A page already saved is kept when the task runs again (after a crash, or a re-run that only
needs the missing pages), so a restart does no work twice.
"""

from __future__ import annotations

import io
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from PIL import Image

from archive.models import Document, Page, storage_name
from archive.search import (
    clean_text,
    document_vector_append,
    document_vector_rebuild,
    page_vector_write,
)
from ocr.api import recognize_page
from ocr.engines import get_engine
from ocr.engines.base import Engine
from ocr.errors import OcrError
from ocr.pages import open_document
from ocr.types import PageResult

_logger = logging.getLogger(__name__)
_PAGE_IMAGE_QUALITY = 85


def document_process(document_id: int) -> None:
    """OCR every page of the document not yet saved, then mark it done or failed.

    Never raises for a problem with the document itself: the document records a message a
    person can act on and the original stays as it was, so it can be re-run. A document that
    was deleted meanwhile, or is already done, is left alone.
    """
    document = _start(document_id)
    if document is None:
        return
    page_number = 0
    try:
        engine = get_engine(document.engine)
        languages = ocr_languages(engine, document.language)
        have = set(document.pages.values_list("number", flat=True))
        with (
            default_storage.open(storage_name(document.original), "rb") as original,
            open_document(
                original, max_pixels=settings.OCR_MAX_PIXELS, pdf_dpi=settings.OCR_PDF_DPI
            ) as source,
        ):
            Document.objects.filter(pk=document.pk).update(page_count=source.page_count)
            for page_number in range(1, source.page_count + 1):
                if page_number in have:
                    continue  # saved by an earlier run: not even decoded again
                prepared, result = _recognize(engine, source.page(page_number - 1), languages)
                _save_page(document, page_number, prepared, result)
        _finish(document)
    except OcrError as error:
        # Errors found on a page name it themselves ("Page 3 of the file is damaged ...").
        named = getattr(error, "page", None) is not None or not page_number
        _fail(document, str(error) if named else f"Page {page_number}: {error}")
    except Exception as error:  # a bug or an environment fault, not the user's file
        _logger.exception("processing document %s failed", document.pk)
        where = f" on page {page_number}" if page_number else ""
        _fail(
            document,
            f"Processing stopped{where} because of an internal error ({type(error).__name__}). "
            "The original is kept; re-run the document once the problem is fixed.",
        )


def ocr_languages(engine: Engine, language: str) -> tuple[str, ...]:
    """The languages to ask ``engine`` for, for a document filed under ``language``.

    The document's language always drives search (stemming); OCR uses it when the engine has
    it. Otherwise the engine reads it as English (Latin script; else its first language):
    RapidOCR's Latin model reads French and German accents too, so the text is still captured
    rather than the document failing. ``OCR_ENGINE=auto`` picks the engine per language.
    """
    if language in engine.languages:
        return (language,)
    # English is the Latin-script model every engine here has; else the engine's first.
    fallback = "en" if "en" in engine.languages else engine.languages[0]
    _logger.info("engine %s has no %r; reading with %r", engine.name, language, fallback)
    return (fallback,)


def _start(document_id: int) -> Document | None:
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status == Document.Status.DONE:
            return None
        document.status = Document.Status.PROCESSING
        document.started_at = timezone.now()
        document.error = ""
        document.save(update_fields=["status", "started_at", "error", "updated"])
    return document


def _recognize(
    engine: Engine, image: Image.Image, languages: tuple[str, ...]
) -> tuple[Image.Image, PageResult]:
    return recognize_page(image, engine=engine, languages=languages, max_side=settings.OCR_MAX_SIDE)


def _save_page(document: Document, number: int, image: Image.Image, result: PageResult) -> None:
    """Store the page image and write the page, its vector and the document's, atomically."""
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=_PAGE_IMAGE_QUALITY, method=4)
    name = default_storage.save(
        f"pages/{document.owner_id}/{document.pk}/{number:05d}.webp",
        ContentFile(buffer.getvalue()),
    )
    text = clean_text(result.text)
    try:
        with transaction.atomic():
            page = Page.objects.create(
                document=document,
                number=number,
                image=name,
                width=image.width,
                height=image.height,
                text=text,
                words=[
                    {"text": clean_text(w.text), "box": list(w.box), "confidence": w.confidence}
                    for w in result.words
                ],
                confidence=result.confidence if result.words else None,
                engine=result.engine,
                seconds=result.seconds,
            )
            page_vector_write(page, document.language)
            document_vector_append(document, text)
    except BaseException:
        default_storage.delete(name)
        raise


def _finish(document: Document) -> None:
    with transaction.atomic():
        totals = document.pages.aggregate(pages=Count("id"), seconds=Sum("seconds"))
        seconds = totals["seconds"] or 0.0
        finished = Document.objects.filter(pk=document.pk)
        finished.update(
            status=Document.Status.DONE,
            finished_at=timezone.now(),
            ocr_seconds=seconds,
            error="",
            updated=timezone.now(),
        )
        # Each saved page already appended its text to the document's vector; only a
        # document that ended with no pages still needs one (its title).
        if finished.filter(search_vector__isnull=True).exists():
            document_vector_rebuild(document)
    _logger.info("document %s done: %d pages, %.1f s OCR", document.pk, totals["pages"], seconds)


def _fail(document: Document, message: str) -> None:
    _logger.warning("document %s failed: %s", document.pk, message)
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.FAILED,
        error=message,
        finished_at=timezone.now(),
        updated=timezone.now(),
    )
