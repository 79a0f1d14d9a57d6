"""ocr.textlayer: a PDF page's own text, with boxes on the rendered page's ink."""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from ocr.files import open_document
from ocr.pdf import PdfPages
from ocr.textlayer import TextLayer
from tests.ocr.pdfmaker import text_pdf


def _layer(path: Path, index: int = 0) -> tuple[np.ndarray, TextLayer]:
    with open_document(path) as source:
        assert isinstance(source, PdfPages)
        image = source.page(index)
        return np.asarray(image.convert("L")), source.text_layer(index, image.size)


def _ink(grey: np.ndarray, box: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = box
    return float((grey[y0:y1, x0:x1] < 128).mean())


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_word_boxes_sit_on_their_ink_however_the_page_is_turned(tmp_path: Path, rotate: int):
    path = tmp_path / "letter.pdf"
    path.write_bytes(text_pdf(["Invoice number 4711", "Total due 99 EUR"], rotate=rotate))
    grey, layer = _layer(path)
    assert sorted(line.text for line in layer.lines) == ["Invoice number 4711", "Total due 99 EUR"]
    assert layer.uncovered == ()
    height, width = grey.shape
    for word in layer.words:
        x0, y0, x1, y1 = word.box
        assert 0 <= x0 < x1 <= width
        assert 0 <= y0 < y1 <= height
        # Glyph boxes are tight: a good share of their pixels is ink, none of them is empty.
        assert _ink(grey, word.box) > 0.15, (word, rotate)
        assert word.confidence == 1.0


def test_boxes_follow_a_scaled_rendering(tmp_path: Path):
    path = tmp_path / "letter.pdf"
    path.write_bytes(text_pdf(["Scaled boxes"]))
    with open_document(path) as source:
        assert isinstance(source, PdfPages)
        full = source.page(0)
        big = source.text_layer(0, full.size)
        half = source.text_layer(0, (full.width // 2, full.height // 2))
    for a, b in zip(big.words, half.words, strict=True):
        assert all(abs(x / 2 - y) <= 1 for x, y in zip(a.box, b.box, strict=True))


def test_a_picture_without_text_over_it_is_reported_uncovered(tmp_path: Path, draw_page):
    path = tmp_path / "mixed.pdf"
    picture = draw_page("Receipt", size=(700, 450))
    path.write_bytes(text_pdf(["Dear customer"], picture=picture))
    _grey, layer = _layer(path)
    (box,) = layer.uncovered
    # 72..540 x 72..372 pt of a 612 x 792 pt page at 300 dpi: y counts from the top.
    assert box == pytest.approx((300, 1750, 2250, 3000), abs=3)


def test_an_ocr_layer_over_a_scan_covers_the_scan(testdata: Path):
    _, layer = _layer(testdata / "pdfs" / "ocrmypdf" / "graph_ocred.pdf")
    assert layer.has_text
    assert layer.uncovered == ()


def test_scanned_page_has_no_text_and_one_uncovered_picture(testdata: Path):
    _, layer = _layer(testdata / "pdfs" / "ocrmypdf" / "linn.pdf")
    assert not layer.has_text
    assert len(layer.uncovered) == 1


def test_right_to_left_text_is_extracted(testdata: Path):
    _, layer = _layer(testdata / "pdfs" / "paperless" / "rtl-test.pdf")
    assert "ةرازو" in " ".join(line.text for line in layer.lines)


def test_form_pdf_gives_its_visible_text(testdata: Path):
    _, layer = _layer(testdata / "pdfs" / "paperless" / "with-form.pdf")
    text = "\n".join(line.text for line in layer.lines)
    assert "Please enter your name in here:" in text
    assert "This is a PDF document with a form." in text


def test_filled_in_form_field_values_are_read(testdata: Path, tmp_path: Path):
    pdf = pdfium.PdfDocument(testdata / "pdfs" / "paperless" / "with-form.pdf")
    page = pdf[0]
    field = pdfium_c.FPDFPage_GetAnnot(page.raw, 0)
    value = ctypes.create_string_buffer("Ada Lovelace\x00".encode("utf-16-le"))
    assert pdfium_c.FPDFAnnot_SetStringValue(
        field, b"V", ctypes.cast(value, ctypes.POINTER(pdfium_c.FPDF_WCHAR))
    )
    pdfium_c.FPDFPage_CloseAnnot(field)
    page.close()
    path = tmp_path / "filled.pdf"
    pdf.save(path)
    pdf.close()
    _, layer = _layer(path)
    assert layer.lines[-1].text == "Ada Lovelace"
    ada, lovelace = layer.lines[-1].words
    assert ada.box[2] <= lovelace.box[0]  # side by side inside the field, in order
