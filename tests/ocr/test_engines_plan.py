"""ocr.engines.plan: how an engine would read a page, without reading it."""

from __future__ import annotations

from collections.abc import Sequence

from ocr.engines.auto import AutoEngine, Table
from ocr.engines.base import Engine
from ocr.engines.plan import reading, same_reading, unknown_language_codes
from ocr.types import PageResult


class _Fake:
    def __init__(self, name: str, languages: tuple[str, ...], independent: bool = False):
        self.name = name
        self.languages = languages
        self.language_independent = independent

    def recognize(self, image, *, languages: Sequence[str] = ("en",)) -> PageResult:
        raise AssertionError("never read")


def test_unknown_language_is_read_as_latin_and_chinese_where_the_engine_has_them():
    assert unknown_language_codes(_Fake("t", ("de", "en", "fr", "zh"))) == ("en", "zh")
    assert unknown_language_codes(_Fake("t", ("de", "fr"))) == ("de",)


def test_an_engine_reading_all_its_languages_alike_reads_the_same_whatever_is_asked():
    rapid = _Fake("rapidocr", ("en", "zh"), independent=True)
    assert same_reading(rapid, ("en", "zh"), ("en",))
    tesseract = _Fake("tesseract", ("de", "en", "fr", "zh"))
    assert not same_reading(tesseract, ("en", "zh"), ("de",))
    assert same_reading(tesseract, ("zh", "en"), ("en", "zh"))


def test_auto_is_resolved_to_the_engine_it_would_pick(monkeypatch):
    rapid = _Fake("rapidocr", ("en", "zh"), independent=True)
    tesseract = _Fake("tesseract", ("de", "en", "fr", "zh"))
    engines: dict[str, Engine] = {"rapidocr": rapid, "tesseract": tesseract}
    monkeypatch.setattr("ocr.engines.get_engine", lambda name="rapidocr": engines[name])
    table = Table(
        rankings={"en": ("rapidocr", "tesseract"), "fr": ("rapidocr",), "de": ("tesseract",)},
        default=("tesseract", "rapidocr"),
    )
    auto = AutoEngine(table)
    assert reading(auto, ("en", "zh")) == ("rapidocr", ())
    assert same_reading(auto, ("en", "zh"), ("fr",))  # RapidOCR either way: no second read
    assert reading(auto, ("de",)) == ("tesseract", ("de",))
    assert not same_reading(auto, ("en", "zh"), ("de",))
