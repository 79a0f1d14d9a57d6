"""Reading one page: opening the stored original, choosing the engine's languages, the engine's
result, and reading a page again once its document's language is known."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from PIL import Image

from archive.langdetect import document_language_detect
from archive.languages import DETECT
from archive.models import Document, Page, storage_name
from archive.ocr_imports import imported_page, imported_page_count
from archive.storage.originals import original_file
from ocr.engines.base import Engine
from ocr.engines.plan import same_reading, unknown_language_codes
from ocr.files import open_document
from ocr.pagesource import PageSource
from ocr.pagetext import read_page
from ocr.prepare import limit_size, to_rgb
from ocr.types import PageResult

_logger = logging.getLogger(__name__)


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


@contextmanager
def opened(document: Document) -> Iterator[PageSource]:
    """The document's stored original, open as pages (closed on leaving the block).

    On the local disk that is the stored file itself. From S3 the original is streamed into this
    worker host's cache of originals (``archive.storage.originals``: the next pages of the
    document read it from there; with the cache off, a temporary file deleted on leaving the
    block): a worker needs no disk shared with the web server, and a PDF's pages are rendered
    from a seekable local file, not from memory."""
    with (
        original_file(
            storage_name(document.original), sha256=document.sha256, size=document.size
        ) as original,
        open_document(
            original,
            max_pixels=settings.OCR_MAX_PIXELS,
            pdf_dpi=settings.OCR_PDF_DPI,
            password=document.pdf_password or None,
        ) as source,
    ):
        yield source


def read(
    document: Document,
    engine: Engine,
    source: PageSource,
    number: int,
    on_image: Callable[[Image.Image], object] | None = None,
) -> tuple[Image.Image, PageResult]:
    """(prepared image, result) of page ``number`` (1-based) read in the document's language;
    ``on_image`` gets the prepared image as soon as it exists (before the engine runs).

    A page the document's imported OCR file has (``archive.ocr_imports``) is not read by the
    engine: its text and boxes come from the file, fitted to the page image (shown as it is,
    neither turned nor straightened, since the file's boxes lie on the scan as it is); raises
    ``InvalidOcrFile`` when the file's page does not fit the scan's.
    """
    if number <= imported_page_count(document):
        image = limit_size(to_rgb(source.page(number - 1)), settings.OCR_MAX_SIDE)
        if on_image is not None:
            on_image(image)
        result = imported_page(document, number, image.size)
        if result is not None:
            return image, result
    return read_page(
        source,
        number - 1,
        engine=engine,
        languages=ocr_languages(engine, document.language),
        max_side=settings.OCR_MAX_SIDE,
        text_layer=settings.OCR_USE_TEXT_LAYER and not document.force_ocr,
        on_image=on_image,
    )


def detected(
    document: Document,
    engine: Engine,
    source: PageSource,
    number: int,
    image: Image.Image,
    result: PageResult,
) -> tuple[Image.Image, PageResult]:
    """Detect the language of a "detect" document from ``result`` (its page ``number``, read
    for an unknown language) and store it; read the page again only when the engine would
    read it differently in the language found (RapidOCR never does; a text layer and an
    imported page are kept)."""
    unknown = ocr_languages(engine, DETECT)
    document_language_detect(document, result.text)
    known = ocr_languages(engine, document.language)
    kept = (Page.Source.TEXT_LAYER, Page.Source.IMPORTED)
    if result.origin in kept or same_reading(engine, unknown, known):
        return image, result
    _logger.info("document %s: reading page %d again in %s", document.pk, number, known)
    return read(document, engine, source, number)
