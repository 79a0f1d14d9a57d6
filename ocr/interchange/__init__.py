"""OCR interchange formats: a result written as hOCR or ALTO XML 4, and read back from them.

Archives, libraries and digitisation tools exchange OCR in these two formats rather than as
plain text, because they keep every word's box on the page image::

    from ocr.interchange import to_alto, to_hocr, read_ocr_file

    xml = to_alto(result.pages, source_name="scan.tif")  # bytes, UTF-8
    html = to_hocr(result.pages, source_name="scan.tif")  # bytes, UTF-8 XHTML
    pages = read_ocr_file(xml)  # DocumentResult: the same words and boxes

Both writers put pages, blocks, lines and words in reading order (the order of
``PageResult.words``), boxes in the page image's pixels, and keep Unicode as it is. The readers
accept files from other tools too (Tesseract, ABBYY, Transkribus) as long as their coordinates
are pixels, and raise ``InvalidOcrFile`` with a sentence a person can act on otherwise.
"""

from __future__ import annotations

from ocr.interchange.alto import read_alto, to_alto
from ocr.interchange.hocr import read_hocr, to_hocr
from ocr.interchange.reading import InvalidOcrFile
from ocr.interchange.sniffing import read_ocr_file, sniff_ocr_file

__all__ = [
    "FORMATS",
    "InvalidOcrFile",
    "read_alto",
    "read_hocr",
    "read_ocr_file",
    "sniff_ocr_file",
    "to_alto",
    "to_hocr",
]

#: Each format's media type and file name ending, for downloads and ``Content-Type``.
FORMATS: dict[str, tuple[str, str]] = {
    "hocr": ("text/vnd.hocr+html; charset=utf-8", ".hocr"),
    "alto": ("application/alto+xml; charset=utf-8", ".alto.xml"),
}
