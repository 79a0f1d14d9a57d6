"""Reading a PDF's text back with poppler's ``pdftotext``, the way the tests check text layers."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>'
)


@dataclass(frozen=True)
class PdfWord:
    text: str
    box: tuple[float, float, float, float]  # points, origin top-left of the viewed page


@dataclass(frozen=True)
class PdfPage:
    width: float
    height: float
    words: list[PdfWord]

    def centre_in_pixels(self, word: PdfWord, size: tuple[int, int]) -> tuple[float, float]:
        """Where ``word``'s centre is on this page rendered at ``size`` pixels."""
        x0, y0, x1, y1 = word.box
        return (x0 + x1) / 2 * size[0] / self.width, (y0 + y1) / 2 * size[1] / self.height


def pdftotext_bin() -> str:
    found = shutil.which("pdftotext")
    if found is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return found


def pdf_words(path: Path) -> list[PdfPage]:
    """Every page's words with their boxes, in content-stream order (``-raw -bbox``), which is
    the order the text layer was written in."""
    result = subprocess.run(
        [pdftotext_bin(), "-raw", "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return [
        PdfPage(
            float(width),
            float(height),
            [
                PdfWord(html.unescape(text), (float(a), float(b), float(c), float(d)))
                for a, b, c, d, text in _WORD.findall(body)
            ],
        )
        for width, height, body in _PAGE.findall(result.stdout)
    ]


def pdf_text(path: Path, page: int | None = None) -> str:
    """The plain text ``pdftotext`` gives (of 1-based ``page`` alone, if given)."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(
        [pdftotext_bin(), *pages, str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout
