"""PDFs made in the tests with PDFium itself: born-digital pages with real text objects and
fonts (``text_pdf``), and empty pages (``blank_pdf``)."""

from __future__ import annotations

import ctypes
import io
from collections.abc import Sequence

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

LETTER = (612.0, 792.0)  # US Letter, in points


def blank_pdf(*sizes: tuple[float, float]) -> bytes:
    """A PDF with one empty page per (width, height) in points: ``blank_pdf(*[LETTER] * 3)``."""
    pdf = pdfium.PdfDocument.new()
    for width, height in sizes:
        pdf.new_page(width, height)
    buffer = io.BytesIO()
    pdf.save(buffer)
    pdf.close()
    return buffer.getvalue()


def text_pdf(
    lines: Sequence[str],
    *,
    rotate: int = 0,
    size: tuple[float, float] = (612, 792),
    font_size: float = 24,
    picture: Image.Image | None = None,
    picture_box: tuple[float, float, float, float] = (72, 72, 540, 372),
) -> bytes:
    """A one-page PDF with ``lines`` as Helvetica text from the top left, viewed turned by
    ``rotate`` degrees, optionally with ``picture`` placed at ``picture_box`` (left, bottom,
    right, top in points) and no text over it."""
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(*size)
    font = pdfium_c.FPDFText_LoadStandardFont(pdf.raw, b"Helvetica")
    for index, line in enumerate(lines):
        text_object = pdfium_c.FPDFPageObj_CreateTextObj(pdf.raw, font, font_size)
        buffer = ctypes.create_string_buffer((line + "\x00").encode("utf-16-le"))
        pdfium_c.FPDFText_SetText(
            text_object, ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR))
        )
        top = size[1] - 100 - index * 2 * font_size
        pdfium_c.FPDFPageObj_Transform(text_object, 1, 0, 0, 1, 72, top)
        pdfium_c.FPDFPage_InsertObject(page.raw, text_object)
    if picture is not None:
        image_object = pdfium.PdfImage.new(pdf)
        bitmap = pdfium.PdfBitmap.from_pil(picture.convert("RGB"))
        image_object.set_bitmap(bitmap)
        left, bottom, right, top = picture_box
        image_object.set_matrix(pdfium.PdfMatrix(right - left, 0, 0, top - bottom, left, bottom))
        page.insert_obj(image_object)
    page.gen_content()
    if rotate:
        page.set_rotation(rotate)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
