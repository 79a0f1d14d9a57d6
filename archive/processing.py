"""Reading a document in the workers: one run per request, one task per page.

A *run* starts when ``document_process`` (the document task) takes a queued document: it bumps
``Document.run``, opens the file to count its pages, queues a ``page_process`` task for every
page not yet saved and reads the first of them itself (a one-page scan needs no second task).
Any worker then takes the other pages, so a long PDF is read by all workers at once.

Guarantees:

- **Each page is saved once.** A page is written together with its search vector and its share
  of the document's vector in one transaction that holds the document's row lock and checks
  that the page is not there yet and that the run is still current. A page task handed out
  twice (its worker died, the queue's retry came first) saves nothing the second time.
- **Nothing is lost when a worker dies.** The queue hands an unfinished task out again after
  ``OCR_RETRY_SECONDS``; a run whose document task died is restarted the same way, queueing
  only the pages still missing. A page that takes down its worker each time is given up after
  ``OCR_PAGE_ATTEMPTS`` starts, failing its document with the page named.
- **A failed page keeps the others.** A page that is damaged, times out (``OCR_PAGE_TIMEOUT``)
  or trips a bug fails the document with the page number and the reason; the other pages of
  the run are still saved. A re-run reads only the missing pages (``documents.document_rerun``).
- **Stale work is dropped.** A page task from an older run (the document was re-run or deleted
  meanwhile) saves nothing.
"""

from __future__ import annotations

import errno
import functools
import io
import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django_q.exceptions import TimeoutException
from PIL import Image

from archive.exports import ExportUnavailable, searchable_pdf
from archive.langdetect import document_language_detect, document_languages_update
from archive.languages import DETECT
from archive.models import Document, Page, PageAttempt, storage_name
from archive.organize.suggest import document_suggest
from archive.search import (
    clean_text,
    document_vector_append,
    document_vector_rebuild,
    page_vector,
    reindex_documents,
)
from archive.tasks import enqueue_pages
from ocr.engines import get_engine
from ocr.engines.base import Engine
from ocr.engines.plan import same_reading, unknown_language_codes
from ocr.errors import OcrError, PasswordRequired
from ocr.pageread import read_page
from ocr.pages import open_document
from ocr.pagesource import PageSource
from ocr.types import PageResult

_logger = logging.getLogger(__name__)
_PAGE_IMAGE_QUALITY = 85
_THUMBNAIL_QUALITY = 75
#: Longest side of a page thumbnail: sharp in a results grid on a 2x (retina) screen.
THUMBNAIL_SIDE = 400
#: A run may keep working on a document that one of its pages failed: the others still count.
_WORKING = (Document.Status.PROCESSING, Document.Status.FAILED)


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
        with _opened(document) as source:
            page_count = source.page_count
        Document.objects.filter(pk=document.pk).update(page_count=page_count)
        document.page_count = page_count
        have = set(document.pages.values_list("number", flat=True))
        missing = [n for n in range(1, page_count + 1) if n not in have]
    except PasswordRequired:
        _needs_password(document)
        return
    except DATABASE_DOWN:
        _database_down(document.pk)
        raise
    except (OcrError, TimeoutException, Exception) as error:
        _fail(document, document.run, _reason(document, None, error))
        return
    if not missing:
        _finish_if_complete(document.pk, document.run)
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
    document = Document.objects.filter(pk=document_id, run=run, status__in=_WORKING).first()
    if document is None or document.pages.filter(number=number).exists():
        if document is not None:
            _finish_if_complete(document.pk, run)
        return
    attempt = _count_attempt(document, number)
    if attempt > settings.OCR_PAGE_ATTEMPTS:
        _fail(
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
        with _opened(document) as source:
            image, result = _read(
                document,
                engine,
                source,
                number,
                # The page's WebP images are encoded while the engine reads the page (Pillow
                # encodes outside the GIL): for a single-threaded engine like Tesseract that
                # moves 0.25 s an A4 page off the critical path onto an idle core.
                on_image=lambda prepared: encoding.append(
                    _image_encoder().submit(_encode_images, prepared)
                ),
            )
            if document.language == DETECT:
                image, result = _detected(document, engine, source, number, image, result)
        images = encoding[-1].result() if encoding else _encode_images(image)
        _save_page(document, run, number, image, images, result)
    except DATABASE_DOWN:
        _database_down(document.pk)
        raise
    except (OcrError, TimeoutException, Exception) as error:
        _fail(document, run, _reason(document, number, error))
        return
    _finish_if_complete(document.pk, run)


#: The database went away (restarted, unreachable): not the document's fault.
DATABASE_DOWN = (OperationalError, InterfaceError)


def _database_down(document_id: int) -> None:
    """A task lost its database mid-way. The document is left as it is (processing), not
    failed: the task ends with the error, and the queue hands it out again after
    ``OCR_RETRY_SECONDS`` or the stuck-document check queues the document again
    (``archive.stuck``); each page is saved once either way. The broken connection is closed
    so the worker's next task opens a new one."""
    _logger.warning("document %s: lost the database connection; it will be read again", document_id)
    connection.close()


def ocr_languages(engine: Engine, language: str) -> tuple[str, ...]:
    """The languages to ask ``engine`` for, for a document filed under ``language``.

    A document still to be detected ("detect") is read as Latin script and Chinese where the
    engine reads them (``ocr.engines.plan.unknown_language_codes``).

    The document's language always drives search (stemming); OCR uses it when the engine has
    it. Otherwise the engine reads it as English (Latin script; else its first language):
    RapidOCR's Latin model reads French and German accents too, so the text is still captured
    rather than the document failing. ``OCR_ENGINE=auto`` picks the engine per language.
    """
    if language == DETECT:
        return unknown_language_codes(engine)
    if language in engine.languages:
        return (language,)
    # English is the Latin-script model every engine here has; else the engine's first.
    fallback = "en" if "en" in engine.languages else engine.languages[0]
    _logger.info("engine %s has no %r; reading with %r", engine.name, language, fallback)
    return (fallback,)


def _start_run(document_id: int) -> Document | None:
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


@contextmanager
def _opened(document: Document) -> Iterator[PageSource]:
    with (
        default_storage.open(storage_name(document.original), "rb") as original,
        open_document(
            original,
            max_pixels=settings.OCR_MAX_PIXELS,
            pdf_dpi=settings.OCR_PDF_DPI,
            password=document.pdf_password or None,
        ) as source,
    ):
        yield source


def _read(
    document: Document,
    engine: Engine,
    source: PageSource,
    number: int,
    on_image: Callable[[Image.Image], object] | None = None,
) -> tuple[Image.Image, PageResult]:
    return read_page(
        source,
        number - 1,
        engine=engine,
        languages=ocr_languages(engine, document.language),
        max_side=settings.OCR_MAX_SIDE,
        text_layer=settings.OCR_USE_TEXT_LAYER and not document.force_ocr,
        on_image=on_image,
    )


def _detected(
    document: Document,
    engine: Engine,
    source: PageSource,
    number: int,
    image: Image.Image,
    result: PageResult,
) -> tuple[Image.Image, PageResult]:
    """Detect the language of a "detect" document from ``result`` (its page ``number``, read
    for an unknown language) and store it; read the page again only when the engine would
    read it differently in the language found (RapidOCR never does; a text layer is kept)."""
    unknown = ocr_languages(engine, DETECT)
    document_language_detect(document, result.text)
    known = ocr_languages(engine, document.language)
    if result.origin == Page.Source.TEXT_LAYER or same_reading(engine, unknown, known):
        return image, result
    _logger.info("document %s: reading page %d again in %s", document.pk, number, known)
    return _read(document, engine, source, number)


@functools.cache
def _encoder_for(pid: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="page-images")


def _image_encoder() -> ThreadPoolExecutor:
    """This process's image-encoding thread (one per process: a forked worker gets its own)."""
    return _encoder_for(os.getpid())


def _encode_images(image: Image.Image) -> tuple[bytes, bytes]:
    """(display image, thumbnail) of a page, both WebP."""
    return _webp(image, _PAGE_IMAGE_QUALITY), _thumbnail(image)


def _count_attempt(document: Document, number: int) -> int:
    """Record that a worker starts on the page (committed at once); return the count."""
    with transaction.atomic():
        attempt, _ = PageAttempt.objects.select_for_update().get_or_create(
            document=document, number=number
        )
        attempt.count += 1
        attempt.last_started = timezone.now()
        attempt.save(update_fields=["count", "last_started"])
    return attempt.count


def _save_page(
    document: Document,
    run: int,
    number: int,
    image: Image.Image,
    images: tuple[bytes, bytes],
    result: PageResult,
) -> bool:
    """Store the page's images (``images``: the encoded display image and thumbnail of
    ``image``) and write the page with its vectors, unless it is there already or the run is
    out of date (then the images are removed again). True if saved."""
    base = f"{_page_folder(document)}/{number:05d}"
    display, thumbnail = images
    names = [
        default_storage.save(f"{base}.webp", ContentFile(display)),
        default_storage.save(f"{base}-thumb.webp", ContentFile(thumbnail)),
    ]
    text = clean_text(result.text)
    saved = False
    try:
        with transaction.atomic():
            # The row lock orders every page save and the finish check of this document.
            current = (
                Document.objects.select_for_update()
                .filter(pk=document.pk, run=run, status__in=_WORKING)
                .exists()
            )
            if current and not Page.objects.filter(document=document, number=number).exists():
                page = Page.objects.create(
                    document=document,
                    number=number,
                    image=names[0],
                    thumbnail=names[1],
                    source=result.origin,
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
                    # Indexed as it is written: one row version, the vector with the text.
                    search_vector=page_vector(document.language, text),
                )
                document_vector_append(document, page)
                saved = True
    finally:
        if not saved:
            for name in names:
                default_storage.delete(name)
    return saved


def _webp(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # method 1 (of 0-6) encodes an A4 page at 300 dpi in 0.25 s instead of 0.58 s (method 4)
    # for files ~15 % larger; at 4 it was the largest cost of a page after OCR (bench/ingest).
    image.save(buffer, format="WEBP", quality=quality, method=1)
    return buffer.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    small = image.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return _webp(small, _THUMBNAIL_QUALITY)


def _finish_if_complete(document_id: int, run: int) -> None:
    """Mark the document done if run ``run`` has saved every page and nothing failed."""
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
        document.save(update_fields=["status", "finished_at", "ocr_seconds", "error", "updated"])
        if document_languages_update(document):
            # Mixed languages: index it again in each (archive.languages.
            # document_search_configs, read by the index writers).
            reindex_documents([document])
        # Each saved page already appended its text to the document's vector; only a
        # document that ended with no pages still needs one (its title).
        elif Document.objects.filter(pk=document_id, search_vector__isnull=True).exists():
            document_vector_rebuild(document)
        # Under the row lock no newer run can exist, and no page can be added to this one.
        _remove_orphans(document)
    _logger.info(
        "document %s done: %d pages, %.1f s OCR", document_id, totals["pages"], document.ocr_seconds
    )
    document_suggest(document_id)  # metadata from the text (archive.organize.suggest)
    if settings.SEARCHABLE_PDF_AT_END:
        _export(document)


def _export(document: Document) -> None:
    """Build the searchable PDF now (``SEARCHABLE_PDF_AT_END``). The document is done whatever
    happens here: a PDF that cannot be made is logged, and made (or explained) on request."""
    try:
        searchable_pdf(document)
    except ExportUnavailable as error:
        _logger.warning("document %s: no searchable PDF: %s", document.pk, error)
    except Exception as error:  # never fail a read document for its export
        _logger.error("document %s: searchable PDF failed", document.pk, exc_info=error)


def _remove_orphans(document: Document) -> None:
    """Delete page images no page refers to: written by a worker that died before its page
    was committed (files are stored before the row, so a row never lacks its file)."""
    folder = _page_folder(document)
    if not default_storage.exists(folder):
        return
    kept = {
        name.rsplit("/", 1)[-1]
        for pair in document.pages.values_list("image", "thumbnail")
        for name in pair
        if name
    }
    for name in default_storage.listdir(folder)[1]:
        if name not in kept:
            _logger.info("document %s: removing orphaned page file %s", document.pk, name)
            default_storage.delete(f"{folder}/{name}")


def _page_folder(document: Document) -> str:
    return f"pages/{document.owner_id}/{document.pk}"


# Storage failures a person can act on (free space, fix permissions) rather than bugs.
_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EIO}


def _reason(document: Document, number: int | None, error: BaseException) -> str:
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
    _logger.error("document %s: %s", document.pk, error, exc_info=error)
    return (
        f"{where} could not be processed because of an internal error "
        f"({type(error).__name__}). The original is kept; re-run the document once the "
        "problem is fixed."
    )


def _fail(document: Document, run: int, message: str) -> None:
    """Mark the document failed with ``message``, added to the messages of run ``run`` so far.
    A run that is no longer current changes nothing."""
    _logger.warning("document %s failed: %s", document.pk, message)
    with transaction.atomic():
        current = (
            Document.objects.select_for_update()
            .filter(pk=document.pk, run=run, status__in=_WORKING)
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


def _needs_password(document: Document) -> None:
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
