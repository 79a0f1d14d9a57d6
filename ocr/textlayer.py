"""The text a PDF page already carries: born-digital text, or an earlier OCR's invisible layer.

A page with a text layer does not need OCR for that text: PDFium gives every character with its
box, exactly. What it cannot give is text *inside pictures* on the page: a scanned receipt
pasted into a typed letter, a stamp, a screenshot. So the layer also reports the images on the
page that no text lies over ("uncovered"); the caller OCRs only those areas (``ocr.pagetext``).
An image with text over it (an OCR'd scan, whose invisible words sit on the picture) counts as
covered, so an archive of already-OCR'd PDFs is not OCR'd again.

Everything here runs under ``ocr.pdf.PDFIUM_LOCK``; the caller holds it.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ocr.engines.wordboxes import union
from ocr.types import Word

Box = tuple[int, int, int, int]

#: Images smaller than this share of the page (icons, rules, logos) are not worth an OCR pass.
MIN_IMAGE_AREA = 0.02
#: An image whose area is covered by character boxes at less than this share has no text layer
#: over it. An OCR'd scan has its words over about 5-30 % of the picture (6 % for a chart with
#: a few labels); one stamped line over a scanned page is well under 1 %.
MIN_TEXT_COVER = 0.02
#: Characters PDFium puts at line ends of its own (not in the file's content).
_LINE_BREAKS = frozenset("\r\n")


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of the text layer: its text and its words (boxes in device pixels)."""

    text: str
    words: tuple[Word, ...]


@dataclass(frozen=True, slots=True)
class TextLayer:
    """A page's own text, in the pixels of a rendering of ``size`` (width, height).

    ``lines`` are in the file's content order. ``uncovered`` are the boxes of pictures on the
    page with no text over them, which may hold text only OCR can read.
    """

    lines: tuple[TextLine, ...]
    uncovered: tuple[Box, ...]
    size: tuple[int, int]

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(word for line in self.lines for word in line.words)

    @property
    def has_text(self) -> bool:
        return any(line.words for line in self.lines)


class _Affine:
    """Page space (points, y up, any /Rotate) to device pixels (y down) for one rendering."""

    def __init__(self, page: pdfium.PdfPage, size: tuple[int, int]) -> None:
        # PDFium's own mapping, sampled at three points; it is affine, and far-apart samples
        # keep the integer rounding of FPDF_PageToDevice below a thousandth of a pixel/point.
        origin = self._device(page, size, 0.0, 0.0)
        x_unit = self._device(page, size, 1000.0, 0.0)
        y_unit = self._device(page, size, 0.0, 1000.0)
        self._origin = origin
        self._dx = ((x_unit[0] - origin[0]) / 1000.0, (x_unit[1] - origin[1]) / 1000.0)
        self._dy = ((y_unit[0] - origin[0]) / 1000.0, (y_unit[1] - origin[1]) / 1000.0)
        self.size = size

    @staticmethod
    def _device(
        page: pdfium.PdfPage, size: tuple[int, int], x: float, y: float
    ) -> tuple[float, float]:
        device_x, device_y = ctypes.c_int(), ctypes.c_int()
        pdfium_c.FPDF_PageToDevice(page.raw, 0, 0, size[0], size[1], 0, x, y, device_x, device_y)
        return float(device_x.value), float(device_y.value)

    def box(self, left: float, bottom: float, right: float, top: float) -> Box:
        """The device-pixel box around a page-space rectangle, clipped to the rendering."""
        xs, ys = [], []
        for x, y in ((left, bottom), (right, top), (left, top), (right, bottom)):
            xs.append(self._origin[0] + x * self._dx[0] + y * self._dy[0])
            ys.append(self._origin[1] + x * self._dx[1] + y * self._dy[1])
        width, height = self.size
        x0 = min(max(int(min(xs)), 0), width)
        y0 = min(max(int(min(ys)), 0), height)
        x1 = min(max(round(max(xs)), x0), width)
        y1 = min(max(round(max(ys)), y0), height)
        return (x0, y0, x1, y1)


def read_text_layer(
    page: pdfium.PdfPage, size: tuple[int, int], *, form: pdfium.PdfFormEnv | None = None
) -> TextLayer:
    """The text layer of ``page`` with boxes in a rendering of ``size`` pixels.

    Filled-in form fields (``form``: the document's form environment) add their values as
    lines of their own, since their text is not page content.
    """
    affine = _Affine(page, size)
    textpage = page.get_textpage()
    try:
        lines, char_boxes = _lines(textpage, affine)
    finally:
        textpage.close()
    if form is not None:
        lines.extend(_form_lines(page, form, affine))
    uncovered = tuple(
        box for box in _image_boxes(page, affine) if _cover(box, char_boxes) < MIN_TEXT_COVER
    )
    return TextLayer(lines=tuple(lines), uncovered=uncovered, size=size)


def _lines(textpage: pdfium.PdfTextPage, affine: _Affine) -> tuple[list[TextLine], list[Box]]:
    """Lines of words from the characters, and every visible character's box."""
    lines: list[TextLine] = []
    char_boxes: list[Box] = []
    words: list[Word] = []
    chars: list[str] = []
    boxes: list[Box] = []

    def end_word() -> None:
        if chars:
            words.append(Word("".join(chars), union(boxes), 1.0))
            chars.clear()
            boxes.clear()

    def end_line() -> None:
        end_word()
        if words:
            lines.append(TextLine(" ".join(word.text for word in words), tuple(words)))
            words.clear()

    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    # get_text_range gives one character per index, except for rare characters outside the
    # Basic Multilingual Plane (two UTF-16 units): then fall back to reading one at a time.
    one_per_index = len(text) == count
    for index in range(count):
        char = text[index] if one_per_index else textpage.get_text_range(index, 1)
        if char in _LINE_BREAKS:
            end_line()
            continue
        if not char or char.isspace() or char == "\x00":
            end_word()
            continue
        box = affine.box(*textpage.get_charbox(index))
        chars.append(char)
        boxes.append(box)
        char_boxes.append(box)
    end_line()
    return lines, char_boxes


def _form_lines(page: pdfium.PdfPage, form: pdfium.PdfFormEnv, affine: _Affine) -> list[TextLine]:
    """Lines for the non-empty values of the page's form fields, in annotation order."""
    lines: list[TextLine] = []
    for index in range(pdfium_c.FPDFPage_GetAnnotCount(page.raw)):
        annot = pdfium_c.FPDFPage_GetAnnot(page.raw, index)
        if not annot:
            continue
        try:
            if pdfium_c.FPDFAnnot_GetSubtype(annot) != pdfium_c.FPDF_ANNOT_WIDGET:
                continue
            value = _field_value(form, annot).strip()
            rect = pdfium_c.FS_RECTF()
            if not value or not pdfium_c.FPDFAnnot_GetRect(annot, rect):
                continue
            box = affine.box(rect.left, rect.bottom, rect.right, rect.top)
            lines.append(_field_line(value.split(), box))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    return lines


def _field_line(tokens: list[str], box: Box) -> TextLine:
    """A field's words spread over its box by their share of the characters (the field's
    font and alignment are not known; this keeps each word's box near its text)."""
    x0, y0, x1, y1 = box
    total = sum(len(token) for token in tokens) + len(tokens) - 1
    step = (x1 - x0) / max(1, total)
    words, at = [], 0
    for token in tokens:
        left = x0 + round(at * step)
        right = min(x1, max(left + 1, x0 + round((at + len(token)) * step)))
        words.append(Word(token, (left, y0, right, y1), 1.0))
        at += len(token) + 1
    return TextLine(" ".join(tokens), tuple(words))


def _field_value(form: pdfium.PdfFormEnv, annot: pdfium_c.FPDF_ANNOTATION) -> str:
    size = pdfium_c.FPDFAnnot_GetFormFieldValue(form.raw, annot, None, 0)
    if size <= 2:  # just the terminating NUL
        return ""
    buffer = (ctypes.c_ushort * (size // 2))()
    pdfium_c.FPDFAnnot_GetFormFieldValue(form.raw, annot, buffer, size)
    return bytes(buffer).decode("utf-16-le", errors="replace").rstrip("\x00")


def _image_boxes(page: pdfium.PdfPage, affine: _Affine) -> list[Box]:
    """Boxes of the page's pictures (inside form XObjects too) worth an OCR pass."""
    page_area = max(1, affine.size[0] * affine.size[1])
    boxes = []
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=8):
        box = affine.box(*image.get_bounds())
        if _area(box) >= MIN_IMAGE_AREA * page_area:
            boxes.append(box)
    return boxes


def _cover(box: Box, char_boxes: list[Box]) -> float:
    """Share of ``box``'s area under character boxes centred inside it."""
    area = _area(box)
    if area == 0:
        return 1.0
    x0, y0, x1, y1 = box
    covered = sum(
        _area(char)
        for char in char_boxes
        if x0 <= (char[0] + char[2]) / 2 <= x1 and y0 <= (char[1] + char[3]) / 2 <= y1
    )
    return covered / area


def _area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])
