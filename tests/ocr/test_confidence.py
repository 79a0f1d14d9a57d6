from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr.confidence import UNKNOWN_WORD, calibrated, is_known
from ocr.engines import get_engine
from ocr.layout import reading_order
from ocr.pagetext import ocr_page
from ocr.prepare import prepare
from ocr.scoring import cer
from ocr.types import PageResult, Word

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"

FRENCH = [
    "Le conseil municipal s'est réuni le douze mars",
    "pour examiner le budget de l'année prochaine.",
    "Les travaux de la route seront achevés en été",
    "et la nouvelle école ouvrira ses portes en septembre.",
    "Le maire a remercié les habitants pour leur patience.",
    "La séance a été levée à dix-neuf heures trente.",
]


def page(lines: list[str]) -> Image.Image:
    image = Image.new("RGB", (1400, 120 + 70 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 36)
    for index, line in enumerate(lines):
        draw.text((60, 60 + 70 * index), line, fill="black", font=font)
    return image


def worn(image: Image.Image, lines: tuple[int, ...], keep: float = 0.4) -> Image.Image:
    """``image`` with the upper part of text lines ``lines`` (0-based) gone, as a worn
    typewriter ribbon or a fax leaves them: only the lower ``keep`` of each line is inked, and
    the engine reads fragments ("exammer re puuyet ue i amee")."""
    pixels = np.array(image)
    for index in lines:
        top = 50 + 70 * index  # the line's top, 10 px above where its text is drawn
        pixels[top : top + int(50 * (1 - keep))] = 255
    return Image.fromarray(pixels)


def test_known_and_unknown_words() -> None:
    assert is_known("l'été,", ["fr"]) is True
    assert is_known("Iennr", ["fr"]) is False
    assert is_known("1984", ["fr"]) is None  # no letters: nothing to check
    assert is_known("nr", ["fr"]) is None  # too short to tell
    assert is_known("amee", ["fr"]) is False  # in the list's long tail only
    assert is_known("天地", ["zh"]) is None  # CJK: no tokenizer here
    assert is_known("maison", []) is None


def test_unknown_words_lose_confidence_and_the_page_with_them() -> None:
    words = (Word("maison", (0, 0, 10, 10), 0.9), Word("xqzt", (10, 0, 20, 10), 0.9))
    result = PageResult.from_lines(
        lines=["maison xqzt"], words=words, engine="e", languages=("fr",), seconds=0.0,
        size=(20, 10),
    )  # fmt: skip
    checked = calibrated(result)
    assert [w.confidence for w in checked.words] == [0.9, 0.9 * UNKNOWN_WORD]
    assert checked.confidence < result.confidence
    assert checked.text == result.text
    # A text layer is not OCR: left alone.
    layer = PageResult(**{**{f: getattr(result, f) for f in result.__dataclass_fields__},
                          "origin": "text"})  # fmt: skip
    assert calibrated(layer) is layer


#: The archive's default ``REVIEW_CONFIDENCE_THRESHOLD``.
REVIEW_THRESHOLD = 0.8


def test_a_page_degraded_into_junk_is_flagged_for_review() -> None:
    """Issue 19: lines read as junk kept a page confidence above the review threshold, so
    *Needs review* stayed empty. Calibrated, the junk page falls below it; the clean page
    stays above."""
    engine = get_engine("auto")
    reference = "\n".join(FRENCH)
    clean = page(FRENCH)
    junk = worn(clean, (1, 3))
    raw = reading_order(engine.recognize(prepare(junk), languages=["fr"]))
    assert cer(raw.text, reference) > 0.05  # really misread...
    assert raw.confidence >= REVIEW_THRESHOLD  # ...and the engine alone does not say so
    _, through_pipeline = ocr_page(junk, engine=engine, languages=["fr"])
    assert through_pipeline.confidence < REVIEW_THRESHOLD
    _, clean_result = ocr_page(clean, engine=engine, languages=["fr"])
    assert cer(clean_result.text, reference) <= 0.02
    assert clean_result.confidence >= REVIEW_THRESHOLD
