"""The Aspose.OCR engine: settings and failure messages always; real OCR where it can start.

Real OCR needs the optional extra (``aspose-ocr-python-net``) and, on Debian 12, OpenSSL 1.1
in ``ASPOSE_OPENSSL11_DIR``; without them those tests skip with the engine's own reason.
"""

from __future__ import annotations

import importlib.util
import re
import warnings
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from ocr.engines import aspose_runtime as runtime
from ocr.engines import available_engines, get_engine
from ocr.engines.aspose import (
    LANGUAGES,
    AsposeEngine,
    EvaluationModeWarning,
    _Line,
    _words,
    evaluation_signs,
    unusable_reason,
)
from ocr.errors import EngineUnavailable, UnsupportedLanguage
from ocr.types import PageResult

INSTALLED = importlib.util.find_spec("aspose") is not None
BANNER = " ************* Trial Licenses ************* "


def test_missing_openssl_is_unavailable_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ASPOSE_OPENSSL11_DIR", str(tmp_path))
    with pytest.raises(EngineUnavailable) as caught:
        AsposeEngine()
    message = str(caught.value)
    assert "'aspose' cannot be used" in message
    assert "libssl.so.1.1" in message
    assert f"ASPOSE_OPENSSL11_DIR={tmp_path}" in message
    assert "set ASPOSE_OPENSSL11_DIR" in message  # the fix, not only the symptom
    assert "aspose" not in available_engines()


def test_missing_licence_file_is_unavailable_not_evaluation(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ASPOSE_OCR_LICENSE", str(tmp_path / "Aspose.OCR.lic"))
    with pytest.raises(EngineUnavailable) as caught:
        AsposeEngine()
    assert "licence file ASPOSE_OCR_LICENSE=" in str(caught.value)
    assert "unset ASPOSE_OCR_LICENSE to run in evaluation mode" in str(caught.value)


@pytest.mark.skipif(not INSTALLED, reason="aspose: aspose-ocr-python-net is not installed")
def test_a_runtime_abort_in_the_trial_start_is_reported_not_fatal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Without OpenSSL 1.1 the .NET runtime aborts the process that starts it; the trial
    # start runs it in a child, so this process lives and gets the reason and the fix.
    monkeypatch.delenv("ASPOSE_OPENSSL11_DIR", raising=False)
    try:
        runtime.find_openssl11()
    except runtime.RuntimeUnavailable:
        pass
    else:
        pytest.skip("OpenSSL 1.1 is installed system-wide here, so the runtime would start")
    settings = runtime.Settings(openssl=None, license=None, resources=tmp_path)
    with pytest.raises(runtime.RuntimeUnavailable) as caught:
        runtime.trial_start(settings)
    assert "SIGABRT" in str(caught.value)
    assert "libssl" in str(caught.value)
    assert "set ASPOSE_OPENSSL11_DIR" in str(caught.value)


def test_evaluation_signs_find_the_banner_and_the_truncation() -> None:
    located = [
        _Line("This is a lot of 12 point text to test the", (39, 92, 538, 23), 0.0),
        _Line("ocr code and see if it works on all types", (35, 126, 580, 26), 0.0),
    ]
    returned = [
        "This is a lot of 12 point text to test the",
        "ocr code and see if it works on all ty",
    ]
    signs = evaluation_signs([*returned, BANNER.strip()], located, ["Trial Licenses"])
    assert "Trial Licenses" in signs[0]
    assert "truncated" in signs[1]
    assert evaluation_signs([located[0].text], located[:1], []) == []


def test_words_box_the_returned_text_and_skip_the_banner() -> None:
    located = [_Line("of all types", (100, 10, 120, 20), 0.5)]
    words = _words(["of all ty", BANNER.strip()], located, width=640, height=480)
    assert [word.text for word in words] == ["of", "all", "ty"]
    assert words[0].box[0] == 100
    # "of all ty" is 9 of the line's 12 characters: it covers 3/4 of the line box.
    assert words[-1].box[2] <= 100 + 90
    assert all(word.confidence == 0.5 for word in words)


# ---- real OCR: only where the runtime starts -------------------------------------------


@pytest.fixture(scope="module")
def aspose_engine() -> AsposeEngine:
    reason = unusable_reason()
    if reason is not None:
        pytest.skip(f"aspose: {reason}")
    engine = get_engine("aspose")
    assert isinstance(engine, AsposeEngine)
    return engine


@pytest.fixture(scope="module")
def phototest_reading(
    aspose_engine: AsposeEngine, phototest: Path
) -> tuple[PageResult, list[warnings.WarningMessage]]:
    with Image.open(phototest) as image, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = aspose_engine.recognize(image.convert("RGB"))
    return result, list(caught)


def bag(text: str) -> Counter[str]:
    return Counter(word.lower() for word in re.findall(r"\w+", text))


@pytest.mark.slow
def test_phototest_is_read_and_evaluation_mode_is_marked(
    aspose_engine: AsposeEngine,
    phototest: Path,
    phototest_reading: tuple[PageResult, list[warnings.WarningMessage]],
) -> None:
    result, caught = phototest_reading
    assert (result.engine, result.languages, result.width, result.height) == (
        "aspose",
        ("en",),
        640,
        480,
    )
    lines = result.text.splitlines()
    assert lines[0] == "This is a lot of 12 point text to test the"
    if aspose_engine.licensed:
        reference = phototest.with_name("phototest.gt.txt").read_text(encoding="utf-8")
        found = sum((bag(reference) & bag(result.text)).values())
        assert found / sum(bag(reference).values()) >= 0.9
        assert not result.evaluation
        return
    # Evaluation mode: truncated text, the banner kept (nothing stripped), flagged and warned.
    assert result.evaluation
    assert lines[-1] == BANNER.strip()
    assert len(result.text) < 200  # the full page has about 400 characters
    messages = [str(w.message) for w in caught if issubclass(w.category, EvaluationModeWarning)]
    assert len(messages) == 1
    assert "Trial Licenses" in messages[0]
    assert "truncated" in messages[0]


@pytest.mark.slow
def test_phototest_words_have_boxes_on_their_lines(
    phototest_reading: tuple[PageResult, list[warnings.WarningMessage]],
) -> None:
    result, _ = phototest_reading
    text_less_banner = [line for line in result.text.splitlines() if "Trial Licenses" not in line]
    assert [word.text for word in result.words] == " ".join(text_less_banner).split()
    for word in result.words:
        x0, y0, x1, y1 = word.box
        assert 0 <= x0 < x1 <= 640
        assert 0 <= y0 < y1 <= 480
        assert 0.0 <= word.confidence <= 1.0
    # "This" starts the first line, near x=39, y=92 .. 115.
    first = result.words[0]
    assert first.text == "This"
    assert 25 < first.box[0] < 55
    assert 80 < first.box[1] < 100
    assert 105 < first.box[3] < 130


def test_unsupported_language_lists_what_it_has(aspose_engine: AsposeEngine) -> None:
    page = Image.new("RGB", (64, 64), "white")
    with pytest.raises(UnsupportedLanguage) as caught:
        aspose_engine.recognize(page, languages=("zh",))
    assert "en" in caught.value.supported
    assert "zh" not in caught.value.supported


def test_every_language_maps_to_an_aspose_language(aspose_engine: AsposeEngine) -> None:
    # Through the engine's module: touching aspose.ocr's .NET types starts the runtime, which
    # must only happen after aspose_runtime.start has set it up (else it aborts the process).
    language = aspose_engine._ocr_module.Language
    assert {"en", "fr", "de", "es", "it", "pt", "nl", "pl"} <= set(LANGUAGES)
    for code, member in LANGUAGES.items():
        assert re.fullmatch(r"[a-z]{2}", code)
        assert hasattr(language, member), member
