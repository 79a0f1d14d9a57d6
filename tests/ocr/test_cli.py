from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from ocr.cli import Progress, main
from ocr.engines.tesseract_languages import install_command
from ocr.interchange import read_ocr_file

ROOT = Path(__file__).resolve().parents[2]

# The engine is named: the exact text asserted below is what RapidOCR reads. The files go to the
# shared process pool (no --jobs), so its workers' models are loaded once for all these tests.
ENGINE = ["--engine", "rapidocr"]


@pytest.fixture
def pages(tmp_path: Path, draw_page: Callable[..., Image.Image]) -> tuple[Path, Path]:
    first, second = tmp_path / "first.png", tmp_path / "second.jpg"
    draw_page("page one").save(first)
    draw_page("page two").save(second)
    return first, second


@pytest.fixture
def bad_files(tmp_path: Path, pages: tuple[Path, Path]) -> dict[str, Path]:
    """Each kind of bad input the CLI must explain: truncated, not an image, empty, a bomb."""
    png = pages[0].read_bytes()
    ihdr = b"IHDR" + struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
    bomb += struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    contents = {
        "truncated.png": png[: len(png) // 2],
        "letter.jpg": b"Dear Sir,\nplease find my scan attached.\n",
        "empty.png": b"",
        "bomb.png": bomb,  # declares 30000 x 30000 pixels, holds none
    }
    paths = {}
    for name, content in contents.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(content)
    return paths


@pytest.mark.slow
def test_two_files_are_printed_with_headers(
    pages: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = pages
    assert main([*ENGINE, str(first), str(second)]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"==> {first} <==\npage one\n\n==> {second} <==\npage two\n"
    assert captured.err == ""  # no progress bar when stderr is not a terminal


@pytest.mark.slow
def test_one_file_is_printed_without_header(
    pages: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*ENGINE, str(pages[0]), "--lang", "en,zh", "--jobs", "1"]) == 0
    assert capsys.readouterr().out == "page one\n"


@pytest.mark.slow
def test_jsonl_output(pages: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    first, second = pages
    assert main([*ENGINE, "--format", "jsonl", str(first), str(second)]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert [record["path"] for record in records] == [str(first), str(second)]
    record = records[0]
    assert set(record) == {"path", "engine", "languages", "text", "pages", "error"}
    assert (record["engine"], record["languages"], record["error"]) == ("rapidocr", ["en"], None)
    assert record["text"] == "page one"
    (page,) = record["pages"]
    assert (page["number"], page["text"], page["engine"]) == (1, "page one", "rapidocr")
    assert 0 < page["confidence"] <= 1
    assert [word["text"] for word in page["words"]] == ["page", "one"]
    for word in page["words"]:
        x0, y0, x1, y1 = word["box"]
        assert 0 <= x0 < x1 <= page["width"]
        assert 0 <= y0 < y1 <= page["height"]
        assert 0 < word["confidence"] <= 1


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["hocr", "alto"])
def test_hocr_and_alto_output(
    fmt: str, pages: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """One file is printed; several go to --output-dir, one document each, same words."""
    first, second = pages
    assert main([*ENGINE, "--format", fmt, str(first)]) == 0
    printed = capsys.readouterr().out.encode()
    (page,) = read_ocr_file(printed)
    assert [word.text for word in page.words] == ["page", "one"]
    assert (page.width, page.height) == (480, 480)

    out = first.parent / "out"
    out.mkdir()
    assert main([*ENGINE, "--format", fmt, "--output-dir", str(out), str(first), str(second)]) == 0
    assert capsys.readouterr().out == ""
    suffix = ".hocr" if fmt == "hocr" else ".alto.xml"
    written = {path.name: read_ocr_file(path.read_bytes()) for path in out.iterdir()}
    assert set(written) == {f"first.png{suffix}", f"second.jpg{suffix}"}
    assert written[f"first.png{suffix}"][0].text == page.text
    assert written[f"second.jpg{suffix}"][0].text == "page two"


@pytest.mark.slow
def test_bad_files_fail_alone_with_a_clear_message(
    pages: tuple[Path, Path], bad_files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    missing = pages[0].parent / "missing.png"
    files = [str(pages[0]), *map(str, bad_files.values()), str(missing), str(pages[1])]
    assert main([*ENGINE, "--json", *files]) == 1
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [record["path"] for record in records] == files  # every input, in order
    assert [record["text"] for record in (records[0], records[-1])] == ["page one", "page two"]
    errors = {Path(record["path"]).name: record["error"] for record in records[1:-1]}
    assert errors == {
        "truncated.png": "Page 1 of the file is damaged or incomplete and cannot be read (the "
        "data ends too early). Upload the original again, or save it anew from the program "
        "that made it.",
        "letter.jpg": "This file is not a supported image or PDF (PNG, JPEG, TIFF, WebP, BMP, "
        "GIF, HEIC, PDF). It looks like: text file.",
        "empty.png": "The file is damaged or incomplete and cannot be read (it is empty: 0 "
        "bytes). Upload the original again, or save it anew from the program that made it.",
        "bomb.png": "The image is 30000×30000 pixels (900 megapixels), above the limit of 178 "
        "megapixels. Scan or export it at a lower resolution (300 dpi is plenty for text).",
        "missing.png": "no such file",
    }
    assert all(record["pages"] == [] for record in records[1:-1])
    # The same messages on stderr, one line per failed file, for a person watching.
    assert captured.err.splitlines() == [
        f"{record['path']}: {record['error']}" for record in records[1:-1]
    ]


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--jobs", "0", "x.png"],
        ["--format", "xml", "x.png"],
        ["--format", "alto", "x.png", "y.png"],  # several documents need --output-dir
        ["--output-dir", ".", "x.png"],  # only for hocr/alto
        ["--engine", "nope", "x.png"],
        ["--engine", "rapidocr", "--lang", "xx", "x.png"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    assert "usage:" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_several_languages_with_plus_are_each_checked(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 19: ``--lang en+xx`` was refused as one language "en+xx"; each is checked now
    (refused before any page is read)."""
    with pytest.raises(SystemExit) as raised:
        main(["--engine", "tesseract", "--lang", "en+xx", "x.png"])
    assert raised.value.code == 2
    assert "cannot read xx." in capsys.readouterr().err


def test_progress_bar_on_a_terminal_only() -> None:
    terminal = _Terminal()
    progress = Progress(2, terminal)
    progress.step("a.png")
    progress.clear()
    progress.step("b.png")
    assert terminal.getvalue() == (
        f"\r\x1b[K[{'#' * 12}{'-' * 12}] 1/2 a.png\r\x1b[K\r\x1b[K[{'#' * 24}] 2/2 b.png\n"
    )
    log = io.StringIO()
    Progress(2, log).step("a.png")
    assert log.getvalue() == ""


@pytest.mark.slow
def test_python_dash_m(pages: tuple[Path, Path]) -> None:
    """The real entry point with the default engine, in its own process and pool."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "ocr", "--jobs", "1", str(pages[0])],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "page one\n", "")


@pytest.mark.slow
def test_auto_refuses_a_missing_language_with_the_command_that_adds_it(
    pages: tuple[Path, Path], without_russian: Path
) -> None:
    """Issue 19: ``--engine auto --lang ru`` said only "cannot read ru"; it now names the
    command that installs the data (the web form's and the REST API's command). Run in its
    own process: the engines of this one may have been loaded with other data."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TESSDATA_PREFIX": str(without_russian)}
    done = subprocess.run(
        [sys.executable, "-m", "ocr", "--engine", "auto", "--lang", "ru", str(pages[0])],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 2
    assert "cannot read ru" in done.stderr
    assert f"To add ru: {install_command(['ru'])}." in done.stderr
    assert install_command(["ru"]) == "apt-get install tesseract-ocr-rus"
