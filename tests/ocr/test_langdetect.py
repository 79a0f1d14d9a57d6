"""ocr.langdetect: the language of a text, with the model shipped in py3langid (no Django)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocr.langdetect import (
    MIXTURE_PAGE_LETTERS,
    Detection,
    detect_language,
    language_shares,
    letters,
    mixture,
    supported_languages,
)

# The archive's languages (archive.languages.LANGUAGES), spelled out: ocr/ knows no Django.
CANDIDATES = ("en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "ru", "zh", "ja")


def detect(text: str, default: str = "en") -> Detection:
    return detect_language(text, candidates=CANDIDATES, default=default)


@pytest.mark.parametrize(
    "text",
    ["", " \n\t", "1 2 3 4 5", "~~~ --- ///", "12,50 EUR", "asdf qwer zxcv", "\x00\ufffd" * 50],
)
def test_text_that_cannot_tell_falls_back_to_the_default_without_crashing(text):
    assert detect(text, default="de") == Detection("de", 0.0, detected=False)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Total amount due upon receipt", "en"),
        ("Vielen Dank für Ihren Einkauf", "de"),
        ("Montant total toutes taxes comprises", "fr"),
        ("本发明涉及一种文件扫描和存档系统", "zh"),
        ("发票号码 合计金额 人民币", "zh"),
        ("LE JARDIN DES CARESSES", "fr"),  # capitals: lower-cased before the model sees them
    ],
)
def test_short_lines_and_cjk_are_detected_with_confidence(text, language):
    found = detect(text)
    assert found.language == language
    assert found.detected
    assert 0.5 <= found.confidence <= 1


def _ground_truth(testdata: Path, folder: str) -> list[Path]:
    paths = sorted((testdata / folder).glob("*.gt.txt"))
    assert paths, f"no ground truth in {folder}"
    return paths


@pytest.mark.parametrize(
    ("folder", "language"),
    [("tapuscorpus_fr", "fr"), ("ocrd_de", "de"), ("tesseract_test", "en")],
)
def test_pages_of_the_shared_test_data_are_detected_in_their_language(testdata, folder, language):
    for path in _ground_truth(testdata, folder):
        if path.name.startswith("eurotext"):  # six languages on one page
            continue
        text = path.read_text(encoding="utf-8")
        found = detect(text, default="xx")
        # A page with too little text (a title page) may fall back; never to another language.
        assert found.language in (language, "xx"), (path.name, found)
        if letters(text) >= 300:
            assert found.detected, (path.name, found)


def test_candidates_restrict_the_answer():
    found = detect_language("Vielen Dank für Ihren Einkauf", candidates=("en", "fr"), default="en")
    assert found.language in ("en", "fr")
    unknown_only = detect_language("Hello there my friend", candidates=("xx",), default="fi")
    assert unknown_only == Detection("fi", 0.0, detected=False)
    assert {"en", "de", "fr", "zh"} <= set(supported_languages())


def test_language_shares_find_both_halves_of_a_mixed_page(testdata):
    english = (testdata / "tesseract_test" / "8087_054.3B.gt.txt").read_text(encoding="utf-8")
    german = (testdata / "ocrd_de" / "dinglehopper_462875_0008.gt.txt").read_text(encoding="utf-8")
    shares = language_shares(english[:1500] + "\n" + german[:1500], candidates=CANDIDATES)
    assert set(shares) == {"en", "de"}
    assert shares["en"] > 500
    assert shares["de"] > 500
    assert language_shares("", candidates=CANDIDATES) == {}


def test_mixture_keeps_the_primary_first_and_adds_large_shares_and_whole_pages():
    big = MIXTURE_PAGE_LETTERS * 10
    # English throughout, one German page out of twenty: German holds a whole page.
    pages = [{"en": big}] * 19 + [{"de": big}]
    assert mixture(pages, primary="en") == ["en", "de"]
    # A stray part in another language on an English page is not a language of the document.
    assert mixture([{"en": big, "nl": 40}], primary="en") == ["en"]
    # The primary comes first even where the text holds little of it (a chosen language).
    assert mixture([{"fr": big}], primary="de") == ["de", "fr"]
    assert mixture([], primary="en") == ["en"]
