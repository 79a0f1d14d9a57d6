from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ocr.direction import get_classifier, model_path


def line_images(testdata: Path) -> list[np.ndarray]:
    paths = sorted((testdata / "uw3_lines_en").glob("*.png"))[:20]
    assert paths, "no line images in uw3_lines_en"
    return [np.asarray(Image.open(path).convert("L")) for path in paths]


def test_the_model_ships_with_rapidocr() -> None:
    path = model_path()
    assert path is not None
    assert path.is_file()


def test_real_lines_are_told_upright_and_upside_down(testdata: Path) -> None:
    classifier = get_classifier()
    assert classifier is not None
    lines = line_images(testdata)
    upright = classifier.upside_down(lines)
    turned = classifier.upside_down([np.rot90(line, 2) for line in lines])
    # Most single lines are clear; the page-level decision needs only a majority of them.
    assert (upright < 0.5).mean() >= 0.8
    assert (turned > 0.5).mean() >= 0.8


def test_no_lines_give_no_probabilities() -> None:
    classifier = get_classifier()
    assert classifier is not None
    assert classifier.upside_down([]).shape == (0,)
