"""Fixtures for the OCR library's tests: real scans, the real engine, pages drawn on demand.

These tests need no Django: run them with ``pytest -p no:django tests/ocr``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr.engines import Engine, get_engine
from tests.testdata import require_file

DrawPage = Callable[..., Image.Image]


# ``testdata`` (the shared real scans, skipping when absent, SCAN_ARCHIVE_TESTDATA to move
# them) comes from tests/conftest.py.


@pytest.fixture(scope="session")
def phototest(testdata: Path) -> Path:
    """A clean 640x480 English page, 200 dpi, bitonal TIFF, with ground truth beside it."""
    return require_file(testdata / "tesseract_test" / "phototest.tif")


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The real default engine, loaded once for the whole test session."""
    return get_engine()


@pytest.fixture(scope="session")
def draw_page() -> DrawPage:
    """``draw_page(text, size=(480, 480), mode="RGB")``: black text on a white page.

    Square-ish on purpose: RapidOCR enlarges a page's short side to 736 px for detection, so a
    wide strip costs far more time than a square page.
    """

    def draw(text: str, size: tuple[int, int] = (480, 480), mode: str = "RGB") -> Image.Image:
        image = Image.new("RGB", size, "white")
        font = ImageFont.load_default(size=56)
        ImageDraw.Draw(image).text((40, 40), text, fill="black", font=font)
        return image.convert(mode)

    return draw


@pytest.fixture
def three_page_tiff(tmp_path: Path, draw_page: DrawPage) -> Path:
    """A 3-page TIFF reading "page one/two/three", each page a different width."""
    pages = [
        draw_page("page one", size=(480, 480)),
        draw_page("page two", size=(500, 490)),
        draw_page("page three", size=(520, 500)),
    ]
    path = tmp_path / "three.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="tiff_lzw")
    return path


@pytest.fixture(scope="session")
def encode() -> Callable[..., bytes]:
    """``encode(image, fmt, **options)``: ``image`` saved in Pillow format ``fmt``, as bytes."""

    def save(image: Image.Image, fmt: str, **options: object) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        return buffer.getvalue()

    return save
