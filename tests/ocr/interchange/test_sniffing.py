"""ocr.interchange.sniffing: the format is found by content, and anything else is refused."""

from __future__ import annotations

import pytest

from ocr.interchange import InvalidOcrFile, read_ocr_file, sniff_ocr_file, to_alto, to_hocr
from ocr.types import PageResult


def test_each_format_is_recognised_and_read(unicode_page: PageResult) -> None:
    alto, hocr = to_alto([unicode_page]), to_hocr([unicode_page])
    assert (sniff_ocr_file(alto), sniff_ocr_file(hocr)) == ("alto", "hocr")
    assert read_ocr_file(alto)[0].words == read_ocr_file(hocr)[0].words


@pytest.mark.parametrize(
    "data",
    [b"", b"\x89PNG\r\n\x1a\n\x00\x00", b"<html><body>text</body></html>", b"plain words"],
)
def test_anything_else_is_refused(data: bytes) -> None:
    assert sniff_ocr_file(data) is None
    with pytest.raises(InvalidOcrFile, match="neither ALTO XML nor hOCR"):
        read_ocr_file(data)
