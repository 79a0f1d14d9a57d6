"""``ocr.engines.tesseract_languages``: the Debian package and install command per language."""

from __future__ import annotations

from ocr.engines.tesseract_languages import debian_package, install_command, install_hint


def test_the_package_is_tesseract_s_name_with_dashes() -> None:
    assert debian_package("ru") == "tesseract-ocr-rus"
    assert debian_package("zh") == "tesseract-ocr-chi-sim"


def test_one_command_for_several_languages_and_none_for_unknown_ones() -> None:
    assert install_command(["es", "ru", "es"]) == (
        "apt-get install tesseract-ocr-spa tesseract-ocr-rus"
    )
    assert install_command(["xx"]) == ""
    assert install_hint(["ru", "xx"]) == "To add ru: apt-get install tesseract-ocr-rus."
    assert install_hint(["xx"]) == ""
