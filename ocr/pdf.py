"""Pages of PDF files, rendered to images with PDFium (pypdfium2) one page at a time."""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from ocr.errors import CorruptFile, PasswordRequired
from ocr.pagesource import PageSource
from ocr.textlayer import TextLayer, read_text_layer

#: PDFium is not thread-safe, not even across different documents: every call into it, from
#: any thread, holds this lock. Rendering is therefore serialised per process; OCR of a page
#: rendered earlier still runs in parallel with it.
PDFIUM_LOCK = threading.RLock()

_POINTS_PER_INCH = 72.0


class PdfPages(PageSource):
    """The pages of one PDF, rendered at ``dpi`` as RGB images on white.

    Pages are rendered lazily: only the requested page exists as a bitmap. A page that would
    exceed ``max_pixels`` at ``dpi`` is rendered at the highest resolution that fits instead of
    being refused, since its pixel count is our choice, not the file's (a poster-sized page is
    not an attack). The resolution used is in ``image.info["dpi"]``.
    """

    mime = "application/pdf"

    def __init__(
        self,
        source: Path | IO[bytes],
        *,
        max_pixels: int,
        dpi: int,
        owned: IO[bytes] | None = None,
        password: str | None = None,
    ) -> None:
        """Open ``source`` (a path, or a seekable binary stream kept open while in use).

        ``owned`` is a stream to close with this source. ``password`` is the PDF's user or owner
        password; PDFium tries nothing else, so a PDF that opens without one can fail with one.
        """
        self._owned = owned
        self._max_pixels = max_pixels
        self._dpi = dpi
        with PDFIUM_LOCK:
            try:
                self._pdf = pdfium.PdfDocument(source, password=password)
            except pdfium.PdfiumError as exc:
                self._close_owned()
                raise _open_error(exc) from exc
            except BaseException:
                self._close_owned()
                raise
            # Lets filled-in form fields be drawn, so their text can be read. Without usable
            # form data the page content still renders.
            with contextlib.suppress(pdfium.PdfiumError):
                self._pdf.init_forms()
            self.page_count = len(self._pdf)

    def page(self, index: int) -> Image.Image:
        with self._open_page(index) as page:
            try:
                scale = self._scale(*page.get_size(), page=index + 1)
                bitmap = page.render(scale=scale)
                try:
                    # A BGR bitmap: to_pil() converts into a new RGB image, not a view on the
                    # bitmap buffer, so the bitmap can be freed right away.
                    image: Image.Image = bitmap.to_pil()
                finally:
                    bitmap.close()
            except pdfium.PdfiumError as exc:
                raise CorruptFile(_reason(exc), page=index + 1) from exc
        dpi = round(scale * _POINTS_PER_INCH)
        image.info["dpi"] = (dpi, dpi)
        return image

    def page_size(self, index: int) -> tuple[int, int]:
        """The size ``page(index)`` renders at, from the page box alone (nothing rendered)."""
        with self._open_page(index) as page:
            width, height = page.get_size()
            scale = self._scale(width, height, page=index + 1)
        return math.ceil(width * scale), math.ceil(height * scale)

    def text_layer(self, index: int, size: tuple[int, int]) -> TextLayer:
        """Page ``index``'s own text (``ocr.textlayer``), boxes in a rendering of ``size``.

        ``size`` is the (width, height) of the image ``page(index)`` returned, or of that
        image scaled: boxes are mapped onto exactly that many pixels.
        """
        with self._open_page(index) as page:
            return read_text_layer(page, size, form=self._pdf.formenv)

    @contextlib.contextmanager
    def _open_page(self, index: int) -> Iterator[pdfium.PdfPage]:
        """Page ``index`` (0-based), loaded and closed under ``PDFIUM_LOCK``, which is held
        for the whole ``with`` block; a page PDFium cannot load is ``CorruptFile``."""
        self._check_index(index)
        with PDFIUM_LOCK:
            try:
                page = self._pdf[index]
            except pdfium.PdfiumError as exc:
                raise CorruptFile(_reason(exc), page=index + 1) from exc
            try:
                yield page
            finally:
                page.close()

    def close(self) -> None:
        with PDFIUM_LOCK:
            self._pdf.close()
        self._close_owned()

    def _close_owned(self) -> None:
        if self._owned is not None:
            self._owned.close()

    def _scale(self, width_pt: float, height_pt: float, *, page: int) -> float:
        """Points -> pixels factor: ``dpi``, lowered so the page fits in ``max_pixels``."""
        if width_pt <= 0 or height_pt <= 0:
            raise CorruptFile("a page has no size", page=page)
        scale = self._dpi / _POINTS_PER_INCH
        if math.ceil(width_pt * scale) * math.ceil(height_pt * scale) > self._max_pixels:
            # Shrink a little past the exact fit because pixel sizes are rounded up.
            scale = math.sqrt(self._max_pixels / (width_pt * height_pt)) * 0.999
        return scale


def _open_error(exc: pdfium.PdfiumError) -> Exception:
    if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
        return PasswordRequired()
    if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
        return CorruptFile("it is encrypted in a way that cannot be opened")
    return CorruptFile(_reason(exc))


def _reason(exc: pdfium.PdfiumError) -> str:
    # PDFium's words, e.g. "Failed to load document (PDFium: Data format error)."
    return str(exc).strip().rstrip(".")
