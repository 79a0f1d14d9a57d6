from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from ocr.engines import Engine, available_engines, get_engine
from ocr.engines.rapid import RapidOcrEngine
from ocr.errors import EngineUnavailable, UnsupportedLanguage
from ocr.scoring import cer, normalise, strip_unreadable
from ocr.types import PageResult, Word


def bag_of_words(text: str) -> Counter[str]:
    return Counter(word.lower() for word in re.findall(r"\w+", text))


def word_recall(reference: str, found: str) -> float:
    expected = bag_of_words(reference)
    return sum((expected & bag_of_words(found)).values()) / sum(expected.values())


def box_inside(word: Word, width: int, height: int) -> bool:
    x0, y0, x1, y1 = word.box
    return 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height


@pytest.fixture(scope="module")
def phototest_result(engine: Engine, phototest: Path) -> PageResult:
    with Image.open(phototest) as image:
        return engine.recognize(image.convert("RGB"))


def test_phototest_reads_the_ground_truth(phototest_result: PageResult, phototest: Path) -> None:
    reference = phototest.with_name("phototest.gt.txt").read_text(encoding="utf-8")
    assert word_recall(reference, phototest_result.text) >= 0.9
    assert phototest_result.text.splitlines()[0] == "This is a lot of 12 point text to test the"


def test_phototest_result_fields(phototest_result: PageResult) -> None:
    result = phototest_result
    assert (result.engine, result.languages) == ("rapidocr", ("en",))
    assert (result.width, result.height) == (640, 480)
    assert 0.9 < result.confidence <= 1.0
    assert result.confidence == pytest.approx(
        sum(word.confidence for word in result.words) / len(result.words)
    )
    assert 0 < result.seconds < 30
    assert " ".join(word.text for word in result.words) == " ".join(result.text.split())


def test_phototest_words_have_boxes_inside_the_page(phototest_result: PageResult) -> None:
    assert all(box_inside(word, 640, 480) for word in phototest_result.words)
    assert all(0.0 <= word.confidence <= 1.0 for word in phototest_result.words)
    quick = [word for word in phototest_result.words if word.text == "quick"]
    assert len(quick) >= 4
    # The first "quick" starts the 4th line, after "The", near x=107, y=188 .. 228.
    x0, y0, x1, y1 = quick[0].box
    assert 90 < x0 < 125
    assert 170 < y0 < 205
    assert 160 < x1 < 195
    assert 210 < y1 < 245


@pytest.mark.slow
def test_boxes_match_a_page_the_engine_shrinks(
    engine: Engine, phototest: Path, phototest_result: PageResult
) -> None:
    # RapidOCR detects text on pages downscaled to 2000 px; boxes must still be in the
    # coordinates of the image it was given.
    with Image.open(phototest) as image:
        big = image.convert("RGB").resize((3200, 2400), Image.Resampling.LANCZOS)
    result = engine.recognize(big)
    small = next(word for word in phototest_result.words if word.text == "quick")
    large = next(word for word in result.words if word.text == "quick")
    # Word boxes are estimated from character columns: a few pixels off at either scale.
    assert large.box == pytest.approx([5 * value for value in small.box], abs=40)


def test_blank_page(engine: Engine) -> None:
    result = engine.recognize(Image.new("RGB", (400, 300), "white"))
    assert (result.text, result.words, result.confidence) == ("", (), 0.0)
    assert (result.width, result.height) == (400, 300)


@pytest.mark.parametrize("size", [(4000, 16), (16, 4000), (4000, 8)])
def test_a_long_thin_page_is_read_not_refused(engine: Engine, size: tuple[int, int]) -> None:
    # Issue 15, item 9: RapidOCR's detector failed on these with ResizeImgError.
    result = engine.recognize(Image.new("RGB", size, "white"), languages=["en"])
    assert (result.width, result.height) == size
    assert result.text == ""


def test_non_rgb_input_is_accepted(engine: Engine, draw_page: Callable[..., Image.Image]) -> None:
    assert engine.recognize(draw_page("page one", mode="L")).text == "page one"


def test_unsupported_language_lists_what_it_has(engine: Engine) -> None:
    with pytest.raises(UnsupportedLanguage) as raised:
        engine.recognize(Image.new("RGB", (10, 10)), languages=["en", "FR"])
    assert raised.value.requested == ("fr",)
    assert "en, zh" in str(raised.value)


def test_language_codes_are_normalised(engine: Engine) -> None:
    result = engine.recognize(Image.new("RGB", (50, 50), "white"), languages=[" ZH", "en", "zh"])
    assert result.languages == ("zh", "en")


def test_engine_is_loaded_once_per_process(engine: Engine) -> None:
    assert get_engine() is engine
    assert get_engine("RapidOCR ") is engine
    assert isinstance(engine, RapidOcrEngine)
    assert isinstance(engine, Engine)
    assert engine.languages[:2] == ("en", "zh")  # then the others its model reads


def test_registry() -> None:
    assert "rapidocr" in available_engines()
    with pytest.raises(EngineUnavailable) as raised:
        get_engine("abbyy")
    assert "rapidocr" in str(raised.value)
    assert raised.value.available == tuple(available_engines())


def test_concurrent_calls_give_the_same_results(
    engine: Engine, draw_page: Callable[..., Image.Image]
) -> None:
    pages = [draw_page("page one"), draw_page("page two")]
    expected = [engine.recognize(page).text for page in pages]
    found: dict[int, str] = {}

    def read(index: int) -> None:
        found[index] = engine.recognize(pages[index % 2]).text

    threads = [threading.Thread(target=read, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [found[index] for index in range(4)] == expected * 2 == ["page one", "page two"] * 2


@pytest.mark.parametrize(
    "crop", ["uw3_lines_en/test_010002.png", "ocrd_dta_lines_de/alexis_ruhe01_1852_0018_022.tif"]
)
def test_a_line_crop_is_read_whole_as_one_line(engine: Engine, testdata: Path, crop: str) -> None:
    """A single-line image skips detection: one line, its words boxed left to right inside
    it. (Through detection the Fraktur lines read with mean CER 0.161; whole, 0.032.)"""
    path = testdata / crop
    truth = strip_unreadable(path.with_name(path.name.split(".")[0] + ".gt.txt").read_text())
    with Image.open(path) as image:
        result = engine.recognize(image.convert("RGB"), languages=("en",))
        width, height = image.size
    assert len(result.text.splitlines()) == 1
    assert cer(result.text, truth) <= 0.05
    assert " ".join(word.text for word in result.words) == result.text
    assert all(box_inside(word, width, height) for word in result.words)
    lefts = [word.box[0] for word in result.words]
    assert lefts == sorted(lefts)
    assert lefts[-1] > width / 2  # boxes spread along the line, not piled at its start


def test_a_page_after_a_line_is_still_laid_out(
    engine: Engine, testdata: Path, phototest: Path
) -> None:
    # RapidOCR keeps a call's switches for the next call: the page after a line crop (read
    # without detection) must get detection back.
    with Image.open(testdata / "uw3_lines_en/test_010002.png") as line:
        engine.recognize(line.convert("RGB"), languages=("en",))
    with Image.open(phototest) as image:
        page = engine.recognize(image.convert("RGB"), languages=("en",))
    assert len(page.text.splitlines()) >= 8


def test_words_of_a_line_carry_their_own_confidence(engine: Engine, testdata: Path) -> None:
    """On a line read whole, a word's confidence is its least certain character's: the words
    read wrong score lower than the words read right (this Fraktur line has two of each kind
    at least), so review can box them."""
    path = testdata / "ocrd_dta_lines_de/alexis_ruhe01_1852_0018_022.tif"
    truth = normalise(path.with_name(path.stem + ".gt.txt").read_text()).split()  # ſ -> s
    with Image.open(path) as image:
        result = engine.recognize(image.convert("RGB"))
    right = [word.confidence for word in result.words if normalise(word.text) in truth]
    wrong = [word.confidence for word in result.words if normalise(word.text) not in truth]
    assert len(right) >= 2
    assert len(wrong) >= 2
    assert max(wrong) < min(right)
    assert result.confidence == pytest.approx(sum(right + wrong) / len(result.words))
