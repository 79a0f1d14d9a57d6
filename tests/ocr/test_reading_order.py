"""Reading order with the real engines on pages with a layout (``tests/ocr/layoutpages.py``):
two columns with a figure caption, a sidebar, a table inside a column, a Chinese two-column
page. Each page goes through the pipeline a scan goes through (``ocr.pagetext.ocr_page``) and
its text must match what a reader reads, in order: interleaved columns cost a CER of 0.2-0.9
on these pages (``bench.reading_order``), a misread letter here and there a few thousandths.
"""

from __future__ import annotations

import pytest

from ocr.engines import available_engines, get_engine
from ocr.pagetext import ocr_page
from ocr.scoring import cer
from ocr.types import PageResult
from tests.ocr.layoutpages import PAGES, TABLE, LayoutPage

ENGINES = ["rapidocr", "tesseract"]
#: Highest CER accepted on a page: the engines' own misreadings (measured: at most 0.005),
#: well below any ordering error (0.2-0.9 on these pages).
MAX_CER = 0.03
#: Tesseract's Chinese drops one line of the Chinese page and misreads a few characters
#: (CER 0.069 in its own order, which is right on this page, 0.069 ordered).
MAX_CER_TESSERACT_ZH = 0.08

_read: dict[tuple[str, str], tuple[LayoutPage, PageResult]] = {}


def read(engine: str, name: str) -> tuple[LayoutPage, PageResult]:
    """The page ``name`` and what ``engine`` read on it, once per test session."""
    if engine not in available_engines():
        pytest.skip(f"{engine} is not installed here")
    if (engine, name) not in _read:
        page = PAGES[name]()
        _image, result = ocr_page(page.image, engine=get_engine(engine), languages=(page.language,))
        _read[engine, name] = (page, result)
    return _read[engine, name]


@pytest.mark.slow  # full-page OCR
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(PAGES))
def test_pages_are_read_in_reading_order(engine: str, name: str) -> None:
    page, result = read(engine, name)
    limit = MAX_CER_TESSERACT_ZH if (engine, page.language) == ("tesseract", "zh") else MAX_CER
    assert cer(result.text, page.text) <= limit, result.text


@pytest.mark.slow  # full-page OCR
@pytest.mark.parametrize("engine", ENGINES)
def test_table_rows_keep_their_cells_together_joined_by_tabs(engine: str) -> None:
    _page, result = read(engine, "table_in_column")
    lines = result.text.split("\n")
    rows = ["\t".join(row) for row in TABLE]
    found = [row for row in rows if row in lines]
    assert len(found) >= len(rows) - 1, lines  # one cell misread at most
    # ...in the table's order, after its caption and before the paragraph under it.
    assert found == [row for row in rows if row in found]
    caption = next(i for i, line in enumerate(lines) if line.startswith("Table 2"))
    assert caption < lines.index(found[0]) < lines.index(found[-1])
    assert lines.index(found[-1]) < lines.index(
        "Sidebars and captions add to the puzzle. A", caption
    )


@pytest.mark.slow  # full-page OCR
@pytest.mark.parametrize("engine", ENGINES)
def test_sidebar_is_read_after_the_main_text_not_between_its_lines(engine: str) -> None:
    _page, result = read(engine, "sidebar")
    text = result.text
    assert text.index("nonsense.") < text.index("Founded: 1987") < text.index("Pages scanned")
