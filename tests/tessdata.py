"""A Tesseract data folder holding only some of the installed languages, for tests of what
happens when a language's data is missing (``TESSDATA_PREFIX`` pointed at it)."""

from __future__ import annotations

from pathlib import Path

import pytest


def tessdata_with(folder: Path, *names: str) -> Path:
    """``folder``, created, holding links to the installed ``<name>.traineddata`` only;
    skips the test when Tesseract's data or one of ``names`` is not installed here."""
    from ocr.engines.tesseract import tessdata_dir

    installed = tessdata_dir()
    if installed is None:
        pytest.skip("no Tesseract data installed here")
    folder.mkdir()
    for name in names:
        source = installed / f"{name}.traineddata"
        if not source.is_file():
            pytest.skip(f"{source} is not installed here")
        (folder / source.name).symlink_to(source)
    return folder


@pytest.fixture
def without_russian(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Tesseract sees English and French data only, so no engine here reads Russian
    (RapidOCR has no Cyrillic model); the folder, also set as ``TESSDATA_PREFIX``."""
    folder = tessdata_with(tmp_path / "tessdata", "eng", "fra")
    monkeypatch.setenv("TESSDATA_PREFIX", str(folder))
    return folder
