"""``ocr.engines.base.check_languages``: the codes an engine is asked for, checked."""

from __future__ import annotations

import pytest

from ocr.engines import get_engine
from ocr.engines.base import check_languages
from ocr.errors import UnsupportedLanguage


def test_several_languages_may_be_joined_with_plus_as_tesseract_writes_them() -> None:
    """Issue 19: "en+fr+de" (Tesseract's own syntax, and what a person types) was taken as
    one unknown language "en+fr+de"; it is three, primary first."""
    engine = get_engine("tesseract")
    assert check_languages(engine, "en+fr+de") == ("en", "fr", "de")
    assert check_languages(engine, ["fr", "EN+de", "en"]) == ("fr", "en", "de")
    with pytest.raises(UnsupportedLanguage) as refused:
        check_languages(engine, "en+xx")
    assert refused.value.requested == ("xx",)
