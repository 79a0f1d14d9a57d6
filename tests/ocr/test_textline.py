"""``ocr.textline``: telling a single text line from a page, on real line crops and pages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocr.textline import ink_bands, is_text_line


@pytest.mark.parametrize("folder", ["uw3_lines_en", "ocrd_dta_lines_de"])
def test_every_line_crop_of_the_line_sets_is_a_line(testdata: Path, folder: str) -> None:
    crops = sorted(p for p in (testdata / folder).iterdir() if p.suffix in (".png", ".tif"))
    assert len(crops) > 50
    missed = []
    for path in crops:
        with Image.open(path) as image:
            # One uw3 "line" is a lone digit, 23 x 33 px: taller than wide, read as a page.
            if image.width >= 2 * image.height and not is_text_line(image.convert("RGB")):
                missed.append(path.name)
    assert missed == []


def test_pages_and_strips_of_several_lines_are_not_lines(testdata: Path) -> None:
    with Image.open(testdata / "tesseract_test/phototest.tif") as scan:
        page = scan.convert("RGB")
        assert not is_text_line(page)
        assert is_text_line(page.crop((0, 0, 640, 120)))  # the first line and white above it
        assert not is_text_line(page.crop((0, 0, 640, 200)))  # the first three lines
        assert not is_text_line(page.crop((0, 100, 640, 180)))  # two lines and a half


def test_blank_or_square_images_are_not_lines() -> None:
    assert not is_text_line(Image.new("RGB", (976, 47), "white"))  # no ink at all
    assert not is_text_line(Image.new("RGB", (40, 40), "white"))
    assert not is_text_line(Image.new("RGB", (3000, 400), "white"))  # a strip, not a line


def test_light_print_on_dark_counts_its_bands() -> None:
    mask = np.zeros((60, 400), dtype=bool)
    mask[20:40, 10:390:3] = True  # one line of "letters"
    assert ink_bands(mask) == 1
    image = Image.fromarray(np.where(mask, 230, 20).astype(np.uint8))  # white on black
    assert is_text_line(image.convert("RGB"))


def test_specks_and_clipped_neighbours_do_not_count_as_lines() -> None:
    mask = np.zeros((60, 400), dtype=bool)
    mask[20:40, 10:390:3] = True  # the line
    mask[0:3, 50:120:4] = True  # descenders of the line above, cut by the crop
    mask[55, 300] = True  # a speck
    assert ink_bands(mask) == 1
    mask[44:58, 10:390:3] = True  # a second real line, just below
    assert ink_bands(mask) == 2
    assert ink_bands(np.zeros((10, 10), dtype=bool)) == 0
