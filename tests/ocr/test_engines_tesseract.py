"""The Tesseract engine on real scans, with thresholds from ``bench/ocr_quality.py``.

Skips (with the reason) where tesserocr or the Debian language data is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tesserocr
from PIL import Image

import ocr
from ocr.engines import (
    available_engines,
    get_engine,
    tesseract,  # tesserocr is a dependency; only the data may be missing
)
from ocr.errors import EngineUnavailable, UnsupportedLanguage
from ocr.scoring import cer


@pytest.fixture(scope="session")
def engine() -> tesseract.TesseractEngine:
    """The process-wide Tesseract engine (the registry's instance)."""
    reason = tesseract.unusable_reason()
    if reason is not None:
        pytest.skip(f"Tesseract cannot run here: {reason}")
    loaded = get_engine("tesseract")
    assert isinstance(loaded, tesseract.TesseractEngine)
    return loaded


def _truth(image: Path) -> str:
    return image.with_name(image.name.rsplit(".", 1)[0] + ".gt.txt").read_text(encoding="utf-8")


def test_reads_phototest_nearly_perfectly(engine: object, phototest: Path) -> None:
    # Benchmark: CER 0.000 through the whole pipeline (F1 1.0).
    result = ocr.recognize(phototest, engine="tesseract", languages=["en"])
    page = result.pages[0]
    assert cer(result.text, _truth(phototest)) <= 0.02
    assert page.engine == "tesseract"
    assert page.languages == ("en",)
    assert page.words
    assert page.text.split() == [word.text for word in page.words]
    for word in page.words:
        x0, y0, x1, y1 = word.box
        assert 0 <= x0 <= x1 <= page.width
        assert 0 <= y0 <= y1 <= page.height
        assert 0.0 <= word.confidence <= 1.0
    assert 0.8 <= page.confidence <= 1.0


def test_reads_french_and_german_accents(engine: tesseract.TesseractEngine, testdata: Path) -> None:
    path = testdata / "tesseract_test" / "eurotext.tif"
    if not {"en", "de", "fr"} <= set(engine.languages):
        pytest.skip("needs tesseract-ocr-eng, -deu and -fra")
    text = ocr.extract_text(path, engine="tesseract", languages=["en", "de", "fr"])
    for word in ("über", "«rapide»", "„schnelle”", "par-dessus"):
        assert word in text
    # Spanish and Portuguese were not asked for: their accents may suffer, the rest must not.
    assert cer(text, _truth(path)) <= 0.03


def test_languages_are_iso_codes_of_installed_data(engine: tesseract.TesseractEngine) -> None:
    assert tesseract.ISO_TO_TESSERACT["zh"] == "chi_sim"
    assert tesseract.ISO_TO_TESSERACT["fr"] == "fra"
    assert tesseract.TESSERACT_TO_ISO["deu"] == "de"
    folder = tesseract.tessdata_dir()
    assert folder is not None
    for code in engine.languages:
        assert (folder / f"{tesseract.ISO_TO_TESSERACT[code]}.traineddata").is_file()
    assert "osd" not in engine.languages  # orientation data is not a language


def test_missing_language_names_what_it_has_and_the_package(
    engine: tesseract.TesseractEngine,
) -> None:
    missing = next(code for code in ("es", "it", "pt", "ja") if code not in engine.languages)
    with pytest.raises(UnsupportedLanguage) as raised:
        engine.recognize(Image.new("RGB", (32, 32), "white"), languages=[missing])
    message = str(raised.value)
    assert ", ".join(engine.languages) in message
    assert tesseract.debian_package(missing) in message
    assert tesseract.debian_package("zh") == "tesseract-ocr-chi-sim"


def test_engine_and_models_load_once(
    engine: tesseract.TesseractEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert get_engine("tesseract") is engine
    created: list[str] = []
    real = tesserocr.PyTessBaseAPI

    def counting(*args: object, **kwargs: object) -> object:
        created.append(str(kwargs.get("lang")))
        return real(*args, **kwargs)

    monkeypatch.setattr(tesserocr, "PyTessBaseAPI", counting)
    fresh = tesseract.TesseractEngine()
    page = Image.new("RGB", (64, 32), "white")
    for _ in range(3):
        fresh.recognize(page, languages=["en"])
    assert created == ["eng"]  # in the constructor, then reused
    if "fr" in fresh.languages:
        fresh.recognize(page, languages=["en", "fr"])
        fresh.recognize(page, languages=("en", "fr"))
        assert created == ["eng", "eng+fra"]


def test_tessdata_prefix_is_honoured(
    engine: tesseract.TesseractEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tesseract.tessdata_dir()
    assert folder is not None
    (tmp_path / "eng.traineddata").symlink_to(folder / "eng.traineddata")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    assert tesseract.installed_languages() == ("en",)
    assert tesseract.TesseractEngine().languages == ("en",)


def test_missing_tessdata_is_a_clear_error_and_hides_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # an empty folder
    assert "tesseract" not in available_engines()
    with pytest.raises(EngineUnavailable) as raised:
        tesseract.TesseractEngine()
    assert "tesseract-ocr-eng" in str(raised.value)
    assert "TESSDATA_PREFIX" in str(raised.value)


def test_a_blank_page_reads_as_nothing(engine: tesseract.TesseractEngine) -> None:
    page = engine.recognize(Image.new("RGB", (200, 100), "white"), languages=["en"])
    assert (page.text, page.words, page.confidence) == ("", (), 0.0)
    assert (page.width, page.height) == (200, 100)


def test_an_image_straight_from_a_jpeg_file_is_read_as_its_pixels(
    engine: tesseract.TesseractEngine, testdata: Path
) -> None:
    # tesserocr saves the image it is given in the image's own format: a JpegImageFile would
    # reach Tesseract re-encoded as a (lossy) JPEG and read differently from its pixels.
    path = testdata / "tapuscorpus_fr" / "AN_96AP_FRAN_0150_0159.jpg"
    with Image.open(path) as opened:
        opened.load()
        direct = engine.recognize(opened, languages=["fr"])
        pixels = engine.recognize(opened.copy(), languages=["fr"])
        assert opened.format == "JPEG"  # the caller's image is left as it was
    assert direct.text == pixels.text
    assert direct.words
