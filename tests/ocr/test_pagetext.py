"""ocr.pagetext: a PDF page's own text where it has one, OCR where it has none, both on a
page that has both, and OCR of everything when asked."""

from __future__ import annotations

from pathlib import Path

from ocr.engines.base import Engine
from ocr.files import open_document
from ocr.pagetext import TEXT_LAYER_ENGINE, read_page
from ocr.types import PageResult
from tests.ocr.pdfmaker import text_pdf

PDFS = "pdfs"


def _read(path: Path, engine: Engine, *, text_layer: bool = True) -> list[PageResult]:
    with open_document(path) as source:
        return [
            read_page(source, index, engine=engine, languages=["en"], text_layer=text_layer)[1]
            for index in range(source.page_count)
        ]


def test_mixed_pdf_gets_the_right_treatment_page_by_page(testdata: Path, engine: Engine):
    pages = _read(testdata / PDFS / "paperless" / "multi-page-mixed.pdf", engine)
    assert [page.origin for page in pages] == ["ocr"] * 3 + ["text"] * 3
    for number, page in enumerate(pages, start=1):
        assert f"page {number}" in page.text.lower()
    assert pages[3].engine == TEXT_LAYER_ENGINE
    assert pages[3].text == "This is a multi page document. Page 4."
    assert pages[3].confidence == 1.0


def test_text_and_a_picture_of_text_on_one_page_are_both_read_in_place(
    testdata: Path, engine: Engine
):
    first, second = _read(testdata / PDFS / "paperless" / "single-page-mixed.pdf", engine)
    assert first.origin == "mixed"
    assert first.engine.startswith(f"{TEXT_LAYER_ENGINE}+")
    lines = first.text.lower().split("\n")
    expected = [
        "this is some normal text, present on page 1 of the document.",
        "this is some text, but in an image, also on page 1.",
        "this is further text on page 1.",
    ]
    # The picture sits between the two typed lines, and so does its text.
    assert [_closest(lines, line) for line in expected] == [0, 1, 2]
    assert second.origin == "text"
    assert second.text == "This is digital text on page 2."


def _closest(lines: list[str], wanted: str) -> int:
    words = set(wanted.split())
    return max(range(len(lines)), key=lambda i: len(words & set(lines[i].split())))


def test_existing_ocr_layer_is_kept_without_ocr(testdata: Path, engine: Engine):
    (page,) = _read(testdata / PDFS / "ocrmypdf" / "graph_ocred.pdf", engine)
    assert page.origin == "text"
    assert "Oppose" in page.text


def test_force_ocr_reads_a_text_page_with_the_engine(tmp_path: Path, engine: Engine):
    path = tmp_path / "typed.pdf"
    path.write_bytes(text_pdf(["Quarterly invoice", "Payment overdue"], font_size=36))
    (page,) = _read(path, engine, text_layer=False)
    assert page.origin == "ocr"
    assert page.engine != TEXT_LAYER_ENGINE
    assert "invoice" in page.text.lower()


def test_text_page_image_is_capped_and_boxes_scaled_with_it(tmp_path: Path, engine: Engine):
    path = tmp_path / "poster.pdf"
    path.write_bytes(text_pdf(["Poster headline"], size=(1800, 1800), font_size=72))
    with open_document(path) as source:
        image, page = read_page(source, 0, engine=engine, max_side=2000)
    assert max(image.size) == 2000
    assert (page.width, page.height) == image.size
    for word in page.words:
        assert word.box[2] <= image.width
        assert word.box[3] <= image.height


def test_signed_aes_pdf_opens_without_a_password(testdata: Path, engine: Engine):
    (page,) = _read(testdata / PDFS / "paperless" / "signed.pdf", engine)
    assert "This is a digitally signed PDF" in page.text
