from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ocr.engines import Engine
from ocr.orientation import detect_orientation
from ocr.prepare import prepare
from ocr.scoring import cer
from tests.testdata import require_file

# Upright pages of several kinds (clean print, typewriter, carbon copy, magazine, Fraktur):
# none may be turned, and each turned copy must be turned back.
UPRIGHT = [
    "tesseract_test/phototest.tif",
    "tesseract_test/eurotext.tif",
    "tesseract_test/8087_054.3B.tif",
    "tapuscorpus_fr/AN_96AP_FRAN_0150_0159.jpg",
    "tapuscorpus_fr/btv1b10581912k_16.jpg",
    "tapuscorpus_fr/btv1b53097347b_27.jpg",
    "tapuscorpus_fr/europeana_giono_colline_II_btv1b10515736n_305.jpeg",
    "ocrd_de/dinglehopper_462875_0008.jpg",
]


def load(testdata: Path, name: str) -> Image.Image:
    path = require_file(testdata / name)
    with Image.open(path) as image:
        return image.convert("RGB")


@pytest.mark.parametrize("name", UPRIGHT)
def test_upright_pages_are_not_turned_and_turned_copies_are(testdata: Path, name: str) -> None:
    page = load(testdata, name)
    assert detect_orientation(page) == 0
    # A copy turned counterclockwise by t needs 360 - t more to be upright.
    assert detect_orientation(page.transpose(Image.Transpose.ROTATE_180)) == 180
    assert detect_orientation(page.transpose(Image.Transpose.ROTATE_90)) == 270
    assert detect_orientation(page.transpose(Image.Transpose.ROTATE_270)) == 90


def test_pages_without_text_are_left_alone() -> None:
    assert detect_orientation(Image.new("RGB", (600, 800), "white")) == 0
    assert detect_orientation(Image.new("RGB", (600, 800), "black")) == 0


def test_upside_down_phototest_reads_like_the_upright_one(testdata: Path, engine: Engine) -> None:
    reference = (testdata / "tesseract_test" / "phototest.gt.txt").read_text()
    page = load(testdata, "tesseract_test/phototest-rotated-180.png")
    assert detect_orientation(page) == 180
    assert cer(engine.recognize(prepare(page)).text, reference) <= 0.02


@pytest.mark.parametrize("folder", ["ocrd_dta_lines_de", "uw3_lines_en"])
def test_single_text_lines_are_never_turned(testdata: Path, folder: str) -> None:
    """Line images have too little text for a verdict; turning one garbles it completely."""
    from ocr.prepare import to_rgb

    images = sorted(p for p in (testdata / folder).iterdir() if p.suffix in {".tif", ".png"})
    assert images, f"no line images in {folder}"
    turned = [p.name for p in images if detect_orientation(to_rgb(Image.open(p))) != 0]
    assert turned == []
