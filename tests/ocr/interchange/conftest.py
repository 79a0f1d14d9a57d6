"""Fixtures for the interchange formats: the official ALTO schema, and results to write."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from ocr.engines import Engine
from ocr.types import PageResult, Word
from tests.ocr import schemas


@pytest.fixture(scope="session")
def alto_schema() -> etree.XMLSchema:
    """The official ALTO 4.4 schema (``tests.ocr.schemas``)."""
    return schemas.alto_schema()


@pytest.fixture(scope="session")
def phototest_page(phototest: Path, engine: Engine) -> PageResult:
    """The real engine's reading of the English test page."""
    import ocr

    (page,) = ocr.recognize(phototest, engine=engine, languages=["en"]).pages
    assert len(page.words) > 40
    return page


@pytest.fixture(scope="session")
def french_page(testdata: Path) -> PageResult:
    """The best engine for French (``auto``) reading a typewritten French page: accents."""
    import ocr

    path = testdata / "tapuscorpus_fr" / "AN_20130043_FRAN_0011_11086.jpg"
    if not path.is_file():
        pytest.skip(f"{path} is missing from the test scans")
    (page,) = ocr.recognize(path, engine="auto", languages=["fr"]).pages
    assert any(char in page.text for char in "éèàç")
    return page


@pytest.fixture(scope="session")
def table_page() -> PageResult:
    """RapidOCR's reading of a rendered page with a table in its right column
    (``tests/ocr/layoutpages.py``), through the page pipeline: each table row is one line
    whose cells are joined by tabs (``ocr.layout``)."""
    from ocr.engines import available_engines, get_engine
    from ocr.pagetext import ocr_page
    from tests.ocr.layoutpages import TABLE, table_in_column

    if "rapidocr" not in available_engines():
        pytest.skip("rapidocr is not installed here")
    page = table_in_column()
    _image, result = ocr_page(page.image, engine=get_engine("rapidocr"), languages=("en",))
    rows = ["\t".join(row) for row in TABLE]
    assert sum(row in result.text.split("\n") for row in rows) >= len(rows) - 1, result.text
    return result


@pytest.fixture
def unicode_page() -> PageResult:
    """A page of words in several scripts, as an engine or a reviewer may give them: accents,
    combining marks, Chinese characters (one word each, no spaces between), an emoji, and
    characters XML cannot hold (a reviewer's paste), which the writers must drop."""
    lines = ["Größe élève naïve", "中文字", "Ǆemal 😀 x\x0by"]
    words = (
        Word("Größe", (10, 10, 90, 40), 0.91),
        Word("élève", (100, 10, 180, 40), 0.5),
        Word("naïve", (190, 10, 270, 40), 1.0),
        Word("中", (10, 60, 40, 90), 0.8),
        Word("文", (40, 60, 70, 90), 0.8),
        Word("字", (70, 60, 100, 90), 0.8),
        Word("Ǆemal", (10, 110, 90, 140), 0.7),
        Word("😀", (100, 110, 130, 140), 0.6),
        Word("x\x0by", (140, 110, 170, 140), 0.6),
    )
    return PageResult.from_lines(
        lines=lines,
        words=words,
        engine="test",
        languages=("de",),
        seconds=0.0,
        size=(300, 160),
    )


def words_and_boxes(page: PageResult) -> list[tuple[str, tuple[int, int, int, int]]]:
    return [(word.text, word.box) for word in page.words]
