from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

import ocr
from ocr.engines import Engine
from ocr.errors import UnsupportedFormat, UnsupportedLanguage
from ocr.types import PAGE_SEPARATOR, DocumentResult

DrawPage = Callable[..., Image.Image]


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
    result = ocr.extract(three_page_tiff, engine=engine)
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
        ocr.extract(zip_file, engine=engine, languages=["de"])
    with pytest.raises(UnsupportedFormat):
        ocr.extract(zip_file, engine=engine)


def test_aextract_reads_a_stream_and_leaves_the_loop_free(
    engine: Engine, draw_page: DrawPage
) -> None:
    buffer = io.BytesIO()
    draw_page("page one").save(buffer, "PNG")

    async def main() -> tuple[str, int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        text = await ocr.aextract_text(buffer, engine=engine)
        ticker.cancel()
        return text, ticks

    text, ticks = asyncio.run(main())
    assert text == "page one"
    assert ticks > 5  # the loop kept running while the page was read in a thread


def test_aextract_many_keeps_input_order(
    three_page_tiff: Path, single_page: Path, engine: Engine
) -> None:
    sources = [single_page, three_page_tiff, single_page]
    results = asyncio.run(ocr.aextract_many(sources, engine=engine, concurrency=2))
    assert [result.text.split(PAGE_SEPARATOR) for result in results] == [
        ["page two"],
        ["page one", "page two", "page three"],
        ["page two"],
    ]


def test_aextract_many_errors(single_page: Path, zip_file: Path, engine: Engine) -> None:
    outcomes = asyncio.run(
        ocr.aextract_many([zip_file, single_page], engine=engine, return_exceptions=True)
    )
    assert isinstance(outcomes[0], UnsupportedFormat)
    assert isinstance(outcomes[1], DocumentResult)
    assert outcomes[1].text == "page two"
    with pytest.raises(UnsupportedFormat):
        asyncio.run(ocr.aextract_many([single_page, zip_file], engine=engine))
    with pytest.raises(ValueError, match="concurrency"):
        asyncio.run(ocr.aextract_many([single_page], engine=engine, concurrency=0))


def test_aextract_many_of_nothing() -> None:
    assert asyncio.run(ocr.aextract_many([])) == []


def test_library_does_not_import_django() -> None:
    # A fresh interpreter: this test process may have Django loaded by other tests.
    code = "import sys, ocr, ocr.cli, ocr.engines.rapid; print('django' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert output.stdout.strip() == "False"
