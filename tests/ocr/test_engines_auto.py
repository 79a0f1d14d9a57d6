"""The ``auto`` engine: per-language choice from its measured table, fallbacks, and results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

import ocr
from ocr.engines import available_engines, get_engine
from ocr.engines.auto import TABLE_PATH, AutoEngine, Table
from ocr.errors import EngineUnavailable, UnsupportedLanguage
from ocr.scoring import cer

TABLE = Table.load()


@pytest.fixture(scope="session")
def auto() -> AutoEngine:
    engine = get_engine("auto")
    assert isinstance(engine, AutoEngine)
    return engine


def _both_engines() -> None:
    if not {"rapidocr", "tesseract"} <= set(available_engines()):
        pytest.skip("needs both rapidocr and tesseract (with its Debian language data)")


def test_the_table_ranks_engines_by_their_measured_figures() -> None:
    """The first engine of every language row is the best measured on that row's sets by
    mean CER, or within 0.01 of it and clearly ahead by F1 (see the notes in the table)."""
    data = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
    assert set(TABLE.engines()) <= {"rapidocr", "tesseract", "aspose"}
    for code, row in data["languages"].items():
        best = row["ranking"][0]
        for set_name, figures in row.get("measured", {}).items():
            cers = {engine: f["mean_cer"] for engine, f in figures.items()}
            f1s = {engine: f["mean_f1"] for engine, f in figures.items()}
            beaten_by_cer = cers[best] > min(cers.values()) + 0.01
            assert not beaten_by_cer or f1s[best] >= max(f1s.values()), (code, set_name)


def test_choice_follows_the_table_per_language(auto: AutoEngine) -> None:
    _both_engines()
    for code in ("en", "fr", "de", "zh"):
        engine, _codes = auto.choose([code])
        assert engine.name == TABLE.rankings[code][0], code


def test_the_chosen_engine_gets_only_languages_it_has(auto: AutoEngine) -> None:
    _both_engines()
    engine, codes = auto.choose(["en", "de", "fr", "zh"])
    assert engine.name == TABLE.rankings["en"][0]
    assert set(codes) <= set(engine.languages)
    assert codes[0] == "en"  # the primary language stays first


def test_result_names_the_engine_that_read_the_page(auto: AutoEngine, phototest: Path) -> None:
    result = ocr.recognize(phototest, engine="auto", languages=["en"])
    page = result.pages[0]
    chosen, _codes = auto.choose(["en"])
    assert page.engine == chosen.name != "auto"
    truth = phototest.with_name("phototest.gt.txt").read_text(encoding="utf-8")
    assert cer(result.text, truth) <= 0.02  # benchmark: 0.000 with either engine


def test_falls_back_when_the_preferred_engine_is_missing() -> None:
    table = Table(rankings={"en": ("no-such-engine", "rapidocr")}, default=("no-such-engine",))
    auto = AutoEngine(table)
    engine, codes = auto.choose(["en"])
    assert (engine.name, codes) == ("rapidocr", ("en",))


def test_an_engine_measured_on_a_language_reads_it_without_declaring_it() -> None:
    # RapidOCR declares en and zh only; listed for French, it is given no language ("any").
    auto = AutoEngine(Table(rankings={"fr": ("rapidocr",)}, default=("rapidocr",)))
    assert "fr" in auto.languages
    engine, codes = auto.choose(["fr"])
    assert (engine.name, codes) == ("rapidocr", ())


def test_unknown_language_lists_what_auto_has(auto: AutoEngine) -> None:
    with pytest.raises(UnsupportedLanguage) as raised:
        auto.recognize(Image.new("RGB", (32, 32), "white"), languages=["xx"])
    assert ", ".join(auto.languages) in str(raised.value)


def test_no_usable_engine_is_a_clear_error() -> None:
    with pytest.raises(EngineUnavailable, match="none of the engines"):
        AutoEngine(Table(rankings={}, default=("no-such-engine",)))


def test_single_text_lines_follow_the_line_ranking(testdata: Path) -> None:
    _both_engines()
    table = Table(
        rankings={"en": ("rapidocr", "tesseract")},
        default=("rapidocr",),
        line_rankings={"en": ("tesseract", "rapidocr")},
    )
    auto = AutoEngine(table)
    assert auto.choose(["en"])[0].name == "rapidocr"
    assert auto.choose(["en"], line=True)[0].name == "tesseract"
    assert auto.choose(["fr"], line=True)[0].name == "tesseract"  # no row: declared languages
    with Image.open(testdata / "uw3_lines_en/test_010002.png") as line:
        assert auto.recognize(line.convert("RGB"), languages=["en"]).engine == "tesseract"


def test_readable_languages_are_the_loaded_engines_languages_without_loading(
    auto: AutoEngine,
) -> None:
    """``ocr.engines.readable_languages`` (what a web form offers) lists what each engine
    reads once loaded, from its data files alone."""
    from ocr.engines import readable_languages

    assert readable_languages("auto") == tuple(sorted(auto.languages))
    for name in available_engines():
        assert readable_languages(name) == tuple(sorted(get_engine(name).languages)), name
    assert readable_languages("no-such-engine") == ()
