from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from ocr.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pages(tmp_path: Path, draw_page: Callable[..., Image.Image]) -> tuple[Path, Path]:
    first, second = tmp_path / "first.png", tmp_path / "second.jpg"
    draw_page("page one").save(first)
    draw_page("page two").save(second)
    return first, second


def test_two_files_are_printed_with_headers(
    pages: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = pages
    assert main([str(first), str(second), "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert out == f"==> {first} <==\npage one\n\n==> {second} <==\npage two\n"


def test_one_file_is_printed_without_header(
    pages: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(pages[0]), "--lang", "en,zh"]) == 0
    assert capsys.readouterr().out == "page one\n"


def test_json_output(pages: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    first, second = pages
    assert main(["--json", str(first), str(second)]) == 0
    documents = json.loads(capsys.readouterr().out)
    assert [document["file"] for document in documents] == [str(first), str(second)]
    page = documents[0]["pages"][0]
    assert page["text"] == "page one"
    assert 0 < page["confidence"] <= 1
    assert page["seconds"] > 0
    assert [word["text"] for word in page["words"]] == ["page", "one"]
    assert all(len(word["box"]) == 4 for word in page["words"])


def test_a_bad_file_fails_alone(
    pages: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"PK\x03\x04" + bytes(40))
    missing = tmp_path / "missing.png"
    assert main([str(bad), str(pages[0]), str(missing)]) == 1
    captured = capsys.readouterr()
    assert captured.out == f"==> {pages[0]} <==\npage one\n"
    assert captured.err.splitlines() == [
        f"{bad}: This file is not a supported image or PDF (PNG, JPEG, TIFF, WebP, BMP, GIF, "
        "PDF). It looks like: ZIP archive (or an Office document such as .docx or .xlsx).",
        f"{missing}: no such file",
    ]


def test_json_with_a_bad_file(
    pages: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert main(["--json", str(empty), str(pages[1])]) == 1
    captured = capsys.readouterr()
    assert [document["file"] for document in json.loads(captured.out)] == [str(pages[1])]
    assert captured.err.startswith(f"{empty}: The file is damaged or incomplete")


@pytest.mark.parametrize(
    "argv",
    [[], ["--jobs", "0", "x.png"], ["--engine", "nope", "x.png"], ["--lang", "fr", "x.png"]],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.slow
def test_python_dash_m(pages: tuple[Path, Path]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "ocr", str(pages[0])],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "page one\n", "")
