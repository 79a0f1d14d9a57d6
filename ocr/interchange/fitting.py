"""An imported page (read from an hOCR or ALTO file) fitted onto the page image it describes.

A digitisation project's OCR file describes its own copy of the scan: the same page, but
perhaps at another resolution than the image the archive shows (a PDF is rendered at the
archive's DPI, a large scan is downscaled to ``OCR_MAX_SIDE``). The words keep their text and
confidences; their boxes are scaled from the file's page size to the image's. A file page whose
shape is not the image's (another page, or a crop) is refused rather than placing every word
wrongly.
"""

from __future__ import annotations

import dataclasses

from ocr.interchange.reading import InvalidOcrFile, clamp_box
from ocr.types import PageResult, Word

#: Largest relative difference of width/height ratios still taken as the same page: room for
#: rounding when either side was scaled to whole pixels, not for a crop or another page.
ASPECT_TOLERANCE = 0.03


def same_shape(file_size: tuple[int, int], image_size: tuple[int, int]) -> bool:
    """Whether a page of ``file_size`` pixels can describe an image of ``image_size``; a
    file page without a size (0) cannot."""
    (fw, fh), (iw, ih) = file_size, image_size
    if min(fw, fh, iw, ih) <= 0:
        return False
    return abs((fw / fh) / (iw / ih) - 1.0) <= ASPECT_TOLERANCE


def fit_page(page: PageResult, size: tuple[int, int], *, engine: str) -> PageResult:
    """``page`` with every box scaled to an image of ``size`` and ``engine`` recorded.

    Raises ``InvalidOcrFile`` when the file's page has no size or another shape (see
    ``same_shape``); the message names both sizes.
    """
    file_size = (page.width, page.height)
    if not same_shape(file_size, size):
        raise InvalidOcrFile(
            f"its page is {page.width} x {page.height} pixels, which is not the shape of the "
            f"scan's page ({size[0]} x {size[1]} pixels)"
        )
    sx, sy = size[0] / page.width, size[1] / page.height
    words = tuple(
        Word(
            word.text,
            clamp_box(word.box[0] * sx, word.box[1] * sy, word.box[2] * sx, word.box[3] * sy, size),
            word.confidence,
        )
        for word in page.words
    )
    return dataclasses.replace(
        page, words=words, width=size[0], height=size[1], engine=engine, seconds=0.0
    )
