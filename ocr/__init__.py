"""Scan Archive's OCR library: text and word boxes from scanned images and PDFs.

Usable on its own (it never imports Django)::

    import ocr

    text = ocr.extract_text("scan.pdf")
    result = await ocr.aextract("scan.tif", languages=["en"])
    results = await ocr.aextract_many(paths, concurrency=2)

or from the command line: ``python -m ocr FILE...``. Engines load their models once per
process, on first use.
"""

from __future__ import annotations

from ocr.api import (
    aextract,
    aextract_many,
    aextract_text,
    extract,
    extract_text,
    recognize_page,
)
from ocr.engines import Engine, available_engines, get_engine
from ocr.errors import (
    CorruptFile,
    EngineUnavailable,
    ImageTooLarge,
    OcrError,
    PasswordRequired,
    UnsupportedFormat,
    UnsupportedLanguage,
)
from ocr.formats import SUPPORTED_TYPES, describe, sniff
from ocr.pages import DEFAULT_MAX_PIXELS, PageSource, open_document, validate
from ocr.prepare import DEFAULT_MAX_SIDE, prepare
from ocr.types import DocumentResult, PageResult, Word

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_MAX_SIDE",
    "SUPPORTED_TYPES",
    "CorruptFile",
    "DocumentResult",
    "Engine",
    "EngineUnavailable",
    "ImageTooLarge",
    "OcrError",
    "PageResult",
    "PageSource",
    "PasswordRequired",
    "UnsupportedFormat",
    "UnsupportedLanguage",
    "Word",
    "aextract",
    "aextract_many",
    "aextract_text",
    "available_engines",
    "describe",
    "extract",
    "extract_text",
    "get_engine",
    "open_document",
    "prepare",
    "recognize_page",
    "sniff",
    "validate",
]
