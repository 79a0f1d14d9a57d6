"""Scan Archive's OCR library: text and word boxes from scanned images and PDFs.

Usable on its own (it never imports Django)::

    import ocr

    text = ocr.extract_text("scan.pdf")  # a path, bytes, a binary file or a PIL image
    result = ocr.recognize(image, languages=["en"])  # DocumentResult: pages, words, boxes
    text = await ocr.aextract_text("scan.tif")  # in a process pool: the event loop stays free
    results = await ocr.aextract_many(paths)  # in input order; a failed file holds its error

or from the command line: ``python -m ocr FILE...``. Engines load their models once per
process, on first use; the async functions' pool workers each load their own (``ocr.pool``).
"""

from __future__ import annotations

from ocr.api import (
    DEFAULT_ENGINE,
    aextract_as_completed,
    aextract_many,
    aextract_text,
    arecognize,
    extract_text,
    recognize,
    recognize_page,
)
from ocr.engines import Engine, available_engines, get_engine, languages
from ocr.errors import (
    CorruptFile,
    EngineUnavailable,
    ImageTooLarge,
    ImageTooThin,
    OcrError,
    PasswordRequired,
    UnsupportedFormat,
    UnsupportedLanguage,
    WrongPassword,
)
from ocr.files import DEFAULT_MAX_PIXELS, open_document, validate
from ocr.formats import SUPPORTED_TYPES, describe, sniff
from ocr.inputs import Source
from ocr.pagesource import PageSource
from ocr.pool import WorkerDied, make_pool
from ocr.prepare import DEFAULT_MAX_SIDE, prepare
from ocr.types import DocumentResult, PageResult, Word

__all__ = [
    "DEFAULT_ENGINE",
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_MAX_SIDE",
    "SUPPORTED_TYPES",
    "CorruptFile",
    "DocumentResult",
    "Engine",
    "EngineUnavailable",
    "ImageTooLarge",
    "ImageTooThin",
    "OcrError",
    "PageResult",
    "PageSource",
    "PasswordRequired",
    "Source",
    "UnsupportedFormat",
    "UnsupportedLanguage",
    "Word",
    "WorkerDied",
    "WrongPassword",
    "aextract_as_completed",
    "aextract_many",
    "aextract_text",
    "arecognize",
    "available_engines",
    "describe",
    "extract_text",
    "get_engine",
    "languages",
    "make_pool",
    "open_document",
    "prepare",
    "recognize",
    "recognize_page",
    "sniff",
    "validate",
]
