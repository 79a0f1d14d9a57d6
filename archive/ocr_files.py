"""Stored documents' text as standard OCR files: hOCR and ALTO XML 4, per page or per document.

What is exported is the page's *current* text: a staff correction made in review is placed on
the OCR word boxes the way the searchable PDF places it (``archive.exports.page_lines``), so a
digitisation project gets its corrections back in the format it works in. Boxes are in the
pixels of the stored page image (``Page.width`` x ``Page.height``), which is what the page's
image download shows. Access is the caller's business: pass only pages and documents from
``archive.selectors``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext

from archive.exports import ExportUnavailable, download_name, page_lines
from archive.languages import DETECT
from archive.models import Document, Page
from ocr.interchange import FORMATS, to_alto, to_hocr
from ocr.layout import join_words
from ocr.types import PageResult

#: The formats a stored document can be downloaded in (``ocr.interchange.FORMATS``).
OCR_FILE_FORMATS = tuple(FORMATS)


@dataclass(frozen=True, slots=True)
class OcrFile:
    """A file to send: its bytes, the name to save it under, and its media type."""

    data: bytes
    filename: str
    content_type: str


def document_ocr_file(document: Document, fmt: str) -> OcrFile:
    """Every page of ``document`` as one hOCR or ALTO file (``fmt``: ``"hocr"``/``"alto"``).

    Raises ``ExportUnavailable`` while the document is not done (its pages are not all read)
    and ``ValueError`` for an unknown ``fmt``.
    """
    document.refresh_from_db(fields=["status"])
    if document.status != Document.Status.DONE:
        raise ExportUnavailable(
            gettext(
                "The OCR file can be made once every page has been read (the document is "
                "%(status)s)."
            )
            % {"status": str(document.get_status_display()).lower()}
        )
    pages = document.pages.order_by("number").defer("search_vector")
    return _file(document, pages, fmt, suffix="")


def page_ocr_file(page: Page, fmt: str) -> OcrFile:
    """One saved page as an hOCR or ALTO file; ``ValueError`` for an unknown ``fmt``."""
    return _file(page.document, [page], fmt, suffix=f"-page-{page.number}")


def page_result(page: Page, language: str | None) -> PageResult:
    """The saved page as the OCR library's result, with its current (corrected) text."""
    lines = page_lines(page)
    return PageResult.from_lines(
        lines=[join_words([word.text for word in line]) for line in lines],
        words=tuple(word for line in lines for word in line),
        engine=page.engine,
        languages=(language,) if language else (),
        seconds=page.seconds or 0.0,
        size=(page.width, page.height),
        origin=page.source,
    )


def _file(document: Document, pages: Iterable[Page], fmt: str, *, suffix: str) -> OcrFile:
    if fmt not in FORMATS:
        raise ValueError(f"unknown OCR file format {fmt!r}; one of {', '.join(FORMATS)}")
    language = document.language if document.language != DETECT else None
    results = [page_result(page, language) for page in pages]
    write = to_hocr if fmt == "hocr" else to_alto
    data = write(results, source_name=document.original_name, language=language)
    content_type, extension = FORMATS[fmt]
    stem = download_name(document).removesuffix(".pdf")
    return OcrFile(data, f"{stem}{suffix}{extension}", content_type)
