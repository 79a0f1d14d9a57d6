"""Which OCR format a file is in, found by content, and reading it as that format."""

from __future__ import annotations

from ocr.interchange.alto import read_alto
from ocr.interchange.hocr import read_hocr
from ocr.interchange.reading import InvalidOcrFile
from ocr.types import PageResult


def sniff_ocr_file(data: bytes) -> str | None:
    """``"alto"``, ``"hocr"`` or ``None``, from the first bytes of ``data``."""
    head = data[:4096].decode("utf-8", "replace")
    if "loc.gov/standards/alto" in head or "<alto" in head:
        return "alto"
    if "ocr_page" in data[:65536].decode("utf-8", "replace") or "ocr-system" in head:
        return "hocr"
    return None


def read_ocr_file(data: bytes) -> tuple[PageResult, ...]:
    """The pages of an hOCR or ALTO file (the format found by content).

    Raises ``InvalidOcrFile`` for anything else, or a file of either kind that is damaged.
    """
    kind = sniff_ocr_file(data)
    if kind == "alto":
        return read_alto(data)
    if kind == "hocr":
        return read_hocr(data)
    raise InvalidOcrFile("it is neither ALTO XML nor hOCR")
