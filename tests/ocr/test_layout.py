from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ocr.engines import Engine, available_engines, get_engine
from ocr.layout import reading_order
from ocr.prepare import prepare
from ocr.scoring import bag_of_words_f1, cer
from ocr.types import PageResult, Word, mean_confidence
from tests.testdata import require_file


def page(lines: list[tuple[str, tuple[int, int, int, int]]]) -> PageResult:
    """A result whose lines are given with their boxes; each word gets a slice of its line."""
    words: list[Word] = []
    for text, (x0, y0, x1, y1) in lines:
        parts = text.split()
        step = (x1 - x0) // len(parts)
        for index, part in enumerate(parts):
            a = x0 + index * step
            words.append(Word(part, (a, y0, a + step - 10, y1), 0.9))
    text = "\n".join(text for text, _box in lines)
    return PageResult(
        text, tuple(words), mean_confidence(tuple(words)), "test", ("en",), 0.1, 1000, 1000
    )


def test_two_columns_are_read_one_after_the_other() -> None:
    # As RapidOCR returns them: rows across both columns, under a title spanning both.
    rows = [(f"left {n} of the text", f"right {n} of the text") for n in range(1, 6)]
    lines = [("Title across the page", (100, 50, 900, 90))]
    for index, (left, right) in enumerate(rows):
        y = 120 + index * 40
        lines += [(left, (100, y, 450, y + 30)), (right, (550, y + 2, 900, y + 32))]
    result = page(lines)
    ordered = reading_order(result)
    expected = ["Title across the page"] + [left for left, _ in rows] + [r for _, r in rows]
    assert ordered.text.split("\n") == expected
    assert [w.text for w in ordered.words][:3] == ["Title", "across", "the"]
    assert sorted(ordered.words, key=id) == sorted(result.words, key=id)  # same words, moved
    assert result.text.split("\n")[2] == "right 1 of the text"  # the input is untouched


def test_single_column_and_empty_pages_are_unchanged() -> None:
    single = page([("one line", (100, 100, 800, 130)), ("two", (100, 140, 300, 170))])
    assert reading_order(single) is single
    empty = page([])
    assert reading_order(empty) is empty


def test_a_word_alone_beside_a_taller_block_is_not_a_column() -> None:
    # A spaced-out title: "LE" sits lower than the name above it, on the title's row.
    result = page(
        [
            ("Franz TOUSSAINT", (1160, 578, 1926, 638)),
            ("LE", (871, 1186, 981, 1241)),
            ("JARDIN DES CARESSES", (1088, 1186, 2288, 1252)),
        ]
    )
    assert reading_order(result).text == result.text


def test_a_table_inside_a_column_does_not_hide_the_column() -> None:
    # The right column's table cells are many short lines: the column is still running text.
    lines = [("Title across the page", (100, 50, 900, 90))]
    left = [f"left line {n} of the text" for n in range(1, 13)]
    for index, text in enumerate(left):
        lines.append((text, (100, 120 + index * 40, 450, 150 + index * 40)))
    right = [f"right line {n} of the text" for n in range(1, 4)]
    for index, text in enumerate(right):
        lines.append((text, (550, 120 + index * 40, 900, 150 + index * 40)))
    cells = [("Branch", "Loans", "Change"), ("Harbour", "1,204", "+3.1%"), ("Mill", "875", "-0.4%")]
    for index, row in enumerate(cells):
        y = 240 + index * 40
        for x, cell in zip((550, 700, 820), row, strict=True):
            lines.append((cell, (x, y, x + 70, y + 30)))
    lines.append(("right line after the table", (550, 360, 900, 390)))
    result = reading_order(page(lines))
    assert reading_order(result).text == result.text  # ordering an ordered page changes nothing
    ordered = result.text.split("\n")
    assert ordered == [
        "Title across the page",
        *left,
        *right,
        "Branch\tLoans\tChange",
        "Harbour\t1,204\t+3.1%",
        "Mill\t875\t-0.4%",
        "right line after the table",
    ]


def test_a_table_on_a_page_without_columns_is_read_row_by_row_with_tabs() -> None:
    lines = [
        (f"a line of running text number {n}", (100, 50 + n * 40, 900, 80 + n * 40))
        for n in range(3)
    ]
    cells = [("Name", "Amount"), ("Paper", "12.50"), ("Ink", "3.20")]
    for index, row in enumerate(cells):
        y = 200 + index * 40
        lines += [(row[0], (100, y, 300, y + 30)), (row[1], (700, y + 3, 800, y + 33))]
    ordered = reading_order(page(lines)).text.split("\n")
    assert ordered[3:] == ["Name\tAmount", "Paper\t12.50", "Ink\t3.20"]
    assert ordered[:3] == [text for text, _ in lines[:3]]


def test_short_lines_paired_with_long_ones_are_a_table_not_a_sidebar() -> None:
    # An invoice: every description has its amount on its row.
    lines = []
    for index in range(6):
        y = 100 + index * 40
        lines += [
            (f"consulting services for the month number {index}", (100, y, 700, y + 30)),
            (f"{index},200.00", (800, y, 900, y + 30)),
        ]
    ordered = reading_order(page(lines)).text.split("\n")
    assert ordered[0] == "consulting services for the month number 0\t0,200.00"
    assert len(ordered) == 6


def test_a_sidebar_of_short_lines_is_read_after_the_main_text() -> None:
    # The box's lines are set on a wider pitch than the text's, so few sit on its rows.
    main = [f"main text line {n} runs across the wide column" for n in range(1, 16)]
    lines = [(text, (100, 100 + i * 31, 700, 128 + i * 31)) for i, text in enumerate(main)]
    box = ["At a glance", "Founded: 1987", "Members: 1,240", "Branches: 14", "Staff: 31"]
    lines += [(text, (800, 115 + i * 47, 960, 143 + i * 47)) for i, text in enumerate(box)]
    lines.sort(key=lambda line: line[1][1])  # as RapidOCR returns them, top to bottom
    assert reading_order(page(lines)).text.split("\n") == main + box


def test_a_column_broken_by_a_figure_is_read_whole_before_the_next() -> None:
    # As Tesseract read layoutpages.two_columns: the widest horizontal gap runs under the
    # shorter right column, beside the figure in the left one; cutting there read the
    # caption and the rest of the left column after the right column.
    left_top = [f"left top line {n} of the column" for n in range(1, 9)]
    left_low = ["Figure 1. A caption under the figure", *(f"left low line {n}" for n in (1, 2, 3))]
    right = [f"right line {n} of the other column" for n in range(1, 11)]
    lines = [("A heading across both columns", (100, 90, 760, 130))]
    lines += [(t, (100, 190 + i * 31, 590, 212 + i * 31)) for i, t in enumerate(left_top)]
    lines += [(t, (100, 600 + i * 31, 590, 622 + i * 31)) for i, t in enumerate(left_low)]
    lines += [(t, (640, 190 + i * 31, 1120, 212 + i * 31)) for i, t in enumerate(right)]
    lines.append(("- 12 -", (590, 1640, 650, 1660)))  # a page number under the gutter
    ordered = reading_order(page(lines)).text.split("\n")
    assert ordered == [lines[0][0], *left_top, *left_low, *right, "- 12 -"]


def test_table_rows_set_apart_by_gaps_stay_one_line_each() -> None:
    # Tesseract's tight boxes leave gaps between the rows: each row is a band of its own,
    # whose cells must still come out as one line.
    cells = [("Branch", "Loans"), ("Harbour Street", "1,204"), ("Mill Lane", "875")]
    lines = []
    for index, row in enumerate(cells):
        y = 100 + index * 36
        lines += [(row[0], (640, y, 810, y + 17)), (row[1], (890, y, 955, y + 17))]
    ordered = reading_order(page(lines)).text.split("\n")
    assert ordered == ["Branch\tLoans", "Harbour Street\t1,204", "Mill Lane\t875"]


@pytest.fixture(scope="module")
def magazine(testdata: Path, engine: Engine) -> dict[str, tuple[PageResult, str]]:
    """RapidOCR's raw results on the two UNLV magazine pages, with their ground truth."""
    found = {}
    for name in ("8071_093.3B", "8087_054.3B"):
        path = require_file(testdata / "tesseract_test" / f"{name}.tif")
        with Image.open(path) as image:
            result = engine.recognize(prepare(image, orient=False, deskew=False))
        found[name] = (result, path.with_suffix(".gt.txt").read_text())
    return found


@pytest.mark.slow  # full-page OCR
@pytest.mark.parametrize("name", ["8071_093.3B", "8087_054.3B"])
def test_magazine_pages_come_out_column_by_column(
    magazine: dict[str, tuple[PageResult, str]], name: str
) -> None:
    # The ground truth covers only the text zones of the .uzn file, so the CER also counts
    # page furniture the engine rightly read; the words read must stay the same.
    result, reference = magazine[name]
    ordered = reading_order(result)
    assert cer(result.text, reference) > 0.5  # interleaved columns, as RapidOCR reads them
    assert cer(ordered.text, reference) <= 0.10
    assert bag_of_words_f1(ordered.text, reference) == bag_of_words_f1(result.text, reference)


@pytest.mark.slow  # full-page OCR
@pytest.mark.parametrize("name", ["8071_093.3B", "8087_054.3B"])
def test_magazine_pages_in_order_with_tesseract_lines_too(testdata: Path, name: str) -> None:
    """Tesseract orders its own blocks; on 8087_054.3B a picture caption crosses the gutter and
    the columns share a baseline grid, so a cut at the spaces between lines would read the
    columns row by row (CER 0.45 before ``LINE_SPACING``)."""
    if "tesseract" not in available_engines():
        pytest.skip("Tesseract (with its Debian language data) is not installed here")
    path = testdata / "tesseract_test" / f"{name}.tif"
    with Image.open(path) as image:
        result = get_engine("tesseract").recognize(prepare(image), languages=("en",))
    reference = path.with_suffix(".gt.txt").read_text()
    assert cer(reading_order(result).text, reference) <= 0.05  # measured 0.034 and 0.019
