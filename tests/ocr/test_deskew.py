from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr.deskew import deskew, estimate_skew, ink_mask, line_angle
from ocr.engines import Engine
from ocr.layout import reading_order
from ocr.scoring import cer
from tests.testdata import require_file

LINES = textwrap.wrap(
    "The quick brown fox jumps over the lazy dog while the archive keeps every scanned page "
    "safe and searchable for the people who need it. " * 6,
    55,
)


@pytest.fixture(scope="module")
def text_page() -> Image.Image:
    """A straight page of body text drawn with Pillow: 1275 x 1650 (Letter at 150 dpi)."""
    page = Image.new("RGB", (1275, 1650), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=30)
    for index, line in enumerate(LINES):
        draw.text((120, 150 + index * 46), line, fill="black", font=font)
    return page


@pytest.mark.parametrize("angle", [4.0, -4.0, 1.5, -11.0])
def test_measured_angle_is_within_half_a_degree(text_page: Image.Image, angle: float) -> None:
    tilted = text_page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor="white")
    assert estimate_skew(tilted) == pytest.approx(angle, abs=0.5)


def test_deskew_straightens_and_skips_straight_pages(text_page: Image.Image) -> None:
    assert deskew(text_page) == (text_page, 0.0)  # straight: untouched, same object
    tilted = text_page.rotate(4, resample=Image.Resampling.BICUBIC, fillcolor="white")
    straight, angle = deskew(tilted)
    assert angle == pytest.approx(4, abs=0.5)
    assert straight.size == tilted.size
    assert abs(estimate_skew(straight)) < 0.3


def test_blank_and_black_pages_measure_nothing() -> None:
    assert estimate_skew(Image.new("RGB", (800, 600), "white")) == 0.0
    assert estimate_skew(Image.new("RGB", (800, 600), "black")) == 0.0
    _angle, contrast = line_angle(ink_mask(Image.new("L", (50, 50), 255)))
    assert contrast == 1.0


@pytest.fixture(scope="module")
def skew_pdf_page(testdata: Path) -> Image.Image:
    pdfium = pytest.importorskip("pypdfium2")
    path = require_file(testdata / "pdfs" / "ocrmypdf" / "skew.pdf")
    image: Image.Image = pdfium.PdfDocument(path)[0].render(scale=300 / 72).to_pil()
    return image.convert("RGB")


def test_skew_pdf_is_measured(skew_pdf_page: Image.Image) -> None:
    # The page is tilted clockwise by about 1.8 degrees (measured here, and by eye).
    assert estimate_skew(skew_pdf_page) == pytest.approx(-1.8, abs=0.5)


@pytest.mark.slow  # full-page OCR
def test_skew_pdf_reads_better_straightened(
    skew_pdf_page: Image.Image, engine: Engine, testdata: Path
) -> None:
    # The same page as linn.pdf, whose reference text pdfs/README.md points to. It has two
    # columns, which reading_order can only separate once the lines are level.
    reference = (testdata / "pdfs" / "ocrmypdf" / "linn.reference.txt").read_text()
    straight, _angle = deskew(skew_pdf_page)
    small = (1275, 1650)  # half size: the engine is 4x faster and still reads it well
    tilted_cer = cer(reading_order(engine.recognize(skew_pdf_page.resize(small))).text, reference)
    straight_cer = cer(reading_order(engine.recognize(straight.resize(small))).text, reference)
    assert straight_cer <= 0.06
    assert straight_cer < tilted_cer - 0.1
