from __future__ import annotations

import pickle

import pytest

from ocr.errors import (
    CorruptFile,
    EngineUnavailable,
    ImageTooLarge,
    OcrError,
    PasswordRequired,
    UnsupportedFormat,
    UnsupportedLanguage,
    WrongPassword,
)

ERRORS: list[OcrError] = [
    UnsupportedFormat("ZIP archive"),
    CorruptFile("the data ends too early", page=3),
    ImageTooLarge(pixels=400_000_000, limit=178_956_970, width=20000, height=20000),
    PasswordRequired(),
    WrongPassword(),
    EngineUnavailable("tesseract", ["rapidocr"], reason="install tesserocr"),
    UnsupportedLanguage("rapidocr", ["fr"], ["en", "zh"]),
]


def test_messages_are_sentences_for_people() -> None:
    assert str(ERRORS[0]) == (
        "This file is not a supported image or PDF (PNG, JPEG, TIFF, WebP, BMP, GIF, HEIC, PDF). "
        "It looks like: ZIP archive."
    )
    assert str(ERRORS[1]).startswith("Page 3 of the file is damaged or incomplete")
    assert str(ERRORS[2]).startswith(
        "The image is 20000\u00d720000 pixels (400 megapixels), above the limit of 178 megapixels."
    )
    assert str(ERRORS[4]) == "The password given does not open this PDF."
    assert isinstance(ERRORS[4], PasswordRequired), "callers catching PasswordRequired get it"
    assert "cannot read fr. Languages it has: en, zh." in str(ERRORS[6])


def test_small_limits_are_not_shown_as_zero_megapixels() -> None:
    error = ImageTooLarge(pixels=20_000, limit=10_000)
    assert str(error).startswith("The image has 0.02 megapixels, above the limit of 0.01 ")


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: type(error).__name__)
def test_errors_survive_pickling(error: OcrError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.__dict__ == error.__dict__
