from __future__ import annotations

import asyncio
import io
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from PIL import Image

import ocr
from ocr.engines import Engine, available_engines
from ocr.errors import CorruptFile, ImageTooLarge, UnsupportedFormat, UnsupportedLanguage
from ocr.types import PAGE_SEPARATOR, DocumentResult

DrawPage = Callable[..., Image.Image]
Encode = Callable[..., bytes]


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels and holds none: a decompression bomb."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.fixture(scope="session")
def bad_inputs(draw_page: DrawPage, encode: Encode) -> dict[str, tuple[bytes, type, str]]:
    """name -> (content, error class, start of the message a person sees)."""
    png = encode(draw_page("page one"), "PNG")
    return {
        "truncated.png": (
            png[: len(png) // 2],
            CorruptFile,
            "Page 1 of the file is damaged or incomplete and cannot be read (the data ends too "
            "early).",
        ),
        "letter.jpg": (
            b"Dear Sir,\nplease find my scan attached.\n",
            UnsupportedFormat,
            "This file is not a supported image or PDF",
        ),
        "empty.png": (b"", CorruptFile, "The file is damaged or incomplete"),
        "bomb.png": (
            _png_header(30000, 30000),
            ImageTooLarge,
            "The image is 30000×30000 pixels (900 megapixels), above the limit of 178 megapixels.",
        ),
    }


@pytest.fixture
def zip_file(tmp_path: Path) -> Path:
    path = tmp_path / "not-a-scan.png"
    path.write_bytes(b"PK\x03\x04" + bytes(60))
    return path


@pytest.fixture
def single_page(tmp_path: Path, draw_page: DrawPage) -> Path:
    path = tmp_path / "single.png"
    draw_page("page two").save(path)
    return path


def test_extract_multipage_tiff_in_order(three_page_tiff: Path, engine: Engine) -> None:
    result = ocr.recognize(three_page_tiff, engine=engine)
    assert [page.text for page in result.pages] == ["page one", "page two", "page three"]
    assert result.text == PAGE_SEPARATOR.join(["page one", "page two", "page three"])
    assert [(page.width, page.height) for page in result.pages] == [
        (480, 480),
        (500, 490),
        (520, 500),
    ]


def test_extract_text_of_a_real_scan(phototest: Path) -> None:
    text = ocr.extract_text(phototest)  # engine by name: the shared instance
    assert "The quick brown dog jumped over the" in text


def test_heic_photo_is_read(testdata: Path, engine: Engine) -> None:
    text = ocr.extract_text(testdata / "pdfs" / "paperless" / "simple.heic", engine=engine)
    assert "pizza" in text.lower()


def test_recognize_page_returns_the_prepared_image(phototest: Path, engine: Engine) -> None:
    with Image.open(phototest) as scan:
        prepared, result = ocr.recognize_page(scan, engine=engine, max_side=320)
        assert scan.mode == "1"  # the input is left alone
    assert (prepared.mode, prepared.size) == ("RGB", (320, 240))
    assert (result.width, result.height) == prepared.size
    assert all(x1 <= 320 and y1 <= 240 for _x0, _y0, x1, y1 in (w.box for w in result.words))
    assert "quick" in result.text


def test_languages_are_checked_before_the_file_is_read(zip_file: Path, engine: Engine) -> None:
    with pytest.raises(UnsupportedLanguage):
        ocr.recognize(zip_file, engine=engine, languages=["de"])
    with pytest.raises(UnsupportedFormat):
        ocr.recognize(zip_file, engine=engine)


def test_bad_inputs_give_clear_errors(
    bad_inputs: dict[str, tuple[bytes, type, str]], tmp_path: Path, engine: Engine
) -> None:
    for name, (content, error, message) in bad_inputs.items():
        path = tmp_path / name
        path.write_bytes(content)
        for source in (path, content):
            with pytest.raises(error) as raised:
                ocr.recognize(source, engine=engine)
            assert str(raised.value).startswith(message), name


def test_engine_auto_is_resolved_at_call_time() -> None:
    expected = "auto" if "auto" in available_engines() else "rapidocr"
    assert ocr.api.engine_name(" Auto ") == expected
    assert ocr.api.engine_name("RapidOCR") == "rapidocr"


def test_an_engine_instance_stays_in_this_process(engine: Engine) -> None:
    with ocr.make_pool(1) as pool, pytest.raises(TypeError, match="pass its name"):
        asyncio.run(ocr.arecognize(b"", engine=engine, executor=pool))


async def _ticks_while(work: Awaitable[str]) -> tuple[str, int]:
    """Await ``work`` while a ticker counts 10 ms sleeps: many ticks mean the loop was free."""
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        return await work, ticks
    finally:
        ticker.cancel()


def test_aextract_text_in_a_thread_leaves_the_loop_free(
    engine: Engine, draw_page: DrawPage
) -> None:
    buffer = io.BytesIO()
    draw_page("page one").save(buffer, "PNG")

    text, ticks = asyncio.run(_ticks_while(ocr.aextract_text(buffer, engine=engine)))
    assert text == "page one"
    assert ticks > 5  # the loop kept running while the page was read in a thread


@pytest.mark.slow
def test_aextract_text_in_the_pool_leaves_the_loop_free(phototest: Path) -> None:
    # The first call may start a worker and load its models: seconds of CPU elsewhere.
    text, ticks = asyncio.run(_ticks_while(ocr.aextract_text(phototest, engine="rapidocr")))
    assert "The quick brown dog jumped over the" in text
    assert ticks > 20


def test_aextract_many_keeps_input_order(
    three_page_tiff: Path, single_page: Path, engine: Engine
) -> None:
    sources = [single_page, three_page_tiff, single_page]
    results = asyncio.run(
        ocr.aextract_many(sources, engine=engine, concurrency=2, return_exceptions=False)
    )
    assert [result.text.split(PAGE_SEPARATOR) for result in results] == [
        ["page two"],
        ["page one", "page two", "page three"],
        ["page two"],
    ]


def test_aextract_many_errors(single_page: Path, zip_file: Path, engine: Engine) -> None:
    outcomes = asyncio.run(ocr.aextract_many([zip_file, single_page], engine=engine))
    assert isinstance(outcomes[0], UnsupportedFormat)
    assert isinstance(outcomes[1], DocumentResult)
    assert outcomes[1].text == "page two"
    with pytest.raises(UnsupportedFormat):
        asyncio.run(
            ocr.aextract_many([single_page, zip_file], engine=engine, return_exceptions=False)
        )
    with pytest.raises(ValueError, match="concurrency"):
        asyncio.run(ocr.aextract_many([single_page], engine=engine, concurrency=0))
    with pytest.raises(UnsupportedLanguage):  # checked first, raised, not put in every slot
        asyncio.run(ocr.aextract_many([single_page], engine=engine, languages=["xx"]))


@pytest.mark.slow
def test_aextract_many_in_the_pool_isolates_errors_in_input_order(
    single_page: Path,
    three_page_tiff: Path,
    bad_inputs: dict[str, tuple[bytes, type, str]],
    tmp_path: Path,
) -> None:
    bad = [content for content, _error, _message in bad_inputs.values()]
    sources: list[ocr.Source] = [single_page, *bad, three_page_tiff, tmp_path / "missing.png"]
    outcomes = asyncio.run(ocr.aextract_many(sources, engine="rapidocr", concurrency=2))
    assert len(outcomes) == len(sources)
    first, *errors, last, missing = outcomes
    assert isinstance(first, DocumentResult)
    assert first.text == "page two"
    assert isinstance(last, DocumentResult)
    assert last.text.split(PAGE_SEPARATOR) == ["page one", "page two", "page three"]
    # The errors came back from the worker processes as the same OcrError instances.
    for error, (_content, kind, message) in zip(errors, bad_inputs.values(), strict=True):
        assert isinstance(error, kind)
        assert str(error).startswith(message)
    assert isinstance(missing, FileNotFoundError)
    assert "missing.png" in str(missing)


@pytest.mark.slow
def test_the_pool_reports_an_unknown_engine_or_language(single_page: Path) -> None:
    with pytest.raises(ocr.EngineUnavailable, match="no OCR engine called 'nope'"):
        asyncio.run(ocr.aextract_many([single_page], engine="nope"))
    with pytest.raises(UnsupportedLanguage, match="cannot read xx"):
        asyncio.run(ocr.aextract_many([single_page], engine="rapidocr", languages=["xx"]))


def test_aextract_many_of_nothing_starts_nothing() -> None:
    assert asyncio.run(ocr.aextract_many([], engine="nope")) == []


def test_library_does_not_import_django() -> None:
    # A fresh interpreter: this test process may have Django loaded by other tests.
    code = "import sys, ocr, ocr.cli, ocr.engines.rapid; print('django' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert output.stdout.strip() == "False"
