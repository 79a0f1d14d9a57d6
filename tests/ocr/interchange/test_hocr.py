"""ocr.interchange.hocr: hOCR with the spec's required properties, read back the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html

from ocr.engines.tesseract import tessdata_dir
from ocr.interchange import InvalidOcrFile, read_hocr, to_hocr
from ocr.interchange.hocr import CAPABILITIES
from ocr.types import PageResult
from tests.ocr.interchange.conftest import words_and_boxes

BBOX = re.compile(r"(?:^|;\s*)bbox (\d+) (\d+) (\d+) (\d+)(?:;|$)")


def _check_hocr(data: bytes, pages: list[PageResult]) -> html.HtmlElement:
    """Parse ``data`` and check what the hOCR 1.2 spec requires of it."""
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = html.fromstring(data)
    metas = {meta.get("name"): meta.get("content") for meta in root.iter("meta")}
    assert metas["ocr-system"]
    used = {c for e in root.iter() for c in (e.get("class") or "").split() if c.startswith("ocr")}
    assert used <= set(metas["ocr-capabilities"].split())
    ocr_pages = root.find_class("ocr_page")
    assert len(ocr_pages) == len(pages)
    for element, page in zip(ocr_pages, pages, strict=True):
        assert f"bbox 0 0 {page.width} {page.height}" in element.get("title")
        for kind in ("ocr_carea", "ocr_par", "ocr_line", "ocrx_word"):
            for child in element.find_class(kind):
                found = BBOX.search(child.get("title"))
                assert found, child.get("title")
                x0, y0, x1, y1 = map(int, found.groups())
                assert 0 <= x0 <= x1 <= page.width
            assert 0 <= y0 <= y1 <= page.height
        for word in element.find_class("ocrx_word"):
            confidence = re.search(r"; x_wconf (\d+)$", word.get("title"))
            assert confidence
            assert 0 <= int(confidence.group(1)) <= 100
            assert word.text_content()
            assert word.getparent().get("class") == "ocr_line"
    return root


@pytest.mark.slow
def test_a_real_page_has_the_required_properties_and_round_trips(
    phototest_page: PageResult,
) -> None:
    data = to_hocr([phototest_page], source_name='photo "test".tif')
    root = _check_hocr(data, [phototest_page])
    (page,) = root.find_class("ocr_page")
    assert page.get("title").startswith("image \"photo 'test'.tif\"; bbox 0 0 640 480")
    assert page.get("lang") == "en"
    words = root.find_class("ocrx_word")
    assert [w.text for w in words] == [w.text for w in phototest_page.words]

    (back,) = read_hocr(data)
    assert words_and_boxes(back) == words_and_boxes(phototest_page)
    assert back.text == phototest_page.text
    assert (back.width, back.height, back.languages) == (640, 480, ("en",))
    for before, after in zip(phototest_page.words, back.words, strict=True):
        assert after.confidence == pytest.approx(before.confidence, abs=0.005)


@pytest.mark.slow
def test_accented_french_scan_round_trips(french_page: PageResult) -> None:
    data = to_hocr([french_page])
    _check_hocr(data, [french_page])
    (back,) = read_hocr(data)
    assert words_and_boxes(back) == words_and_boxes(french_page)
    assert back.text == french_page.text


@pytest.mark.slow
def test_a_table_rows_tabs_round_trip(table_page: PageResult) -> None:
    """A table row is one line whose cells are separated by tabs (``ocr.layout``): the tabs
    come back as tabs, not spaces, so the row's cells stay apart after an import."""
    assert "\t" in table_page.text
    data = to_hocr([table_page])
    _check_hocr(data, [table_page])
    (back,) = read_hocr(data)
    assert words_and_boxes(back) == words_and_boxes(table_page)
    assert back.text == table_page.text


def test_unicode_is_kept_and_cjk_has_no_spaces(unicode_page: PageResult) -> None:
    data = to_hocr([unicode_page, unicode_page])
    root = _check_hocr(data, [unicode_page, unicode_page])
    chinese = root.find_class("ocr_line")[1]
    assert chinese.text_content() == "中文字"
    assert "Größe".encode() in data  # UTF-8, not character references
    back = read_hocr(data)
    expected = [(w.text.replace("\x0b", ""), w.box) for w in unicode_page.words]
    assert [words_and_boxes(page) for page in back] == [expected, expected]
    assert back[1].text == "Größe élève naïve\n中文字\nǄemal 😀 xy"
    assert CAPABILITIES == ("ocr_page", "ocr_carea", "ocr_par", "ocr_line", "ocrx_word")


@pytest.mark.slow
def test_reads_tesseracts_own_hocr(phototest: Path) -> None:
    """A file another tool wrote: Tesseract's hOCR of the test page reads as its words."""
    tesserocr = pytest.importorskip("tesserocr")
    tessdata = tessdata_dir()
    if tessdata is None or not (tessdata / "eng.traineddata").is_file():
        pytest.skip("Tesseract's English data is not installed")
    with tesserocr.PyTessBaseAPI(path=str(tessdata), lang="eng") as api:
        api.SetImageFile(str(phototest))
        api.Recognize()
        data = api.GetHOCRText(0).encode()
        text = api.GetUTF8Text()
    (page,) = read_hocr(data)
    assert (page.width, page.height) == (640, 480)
    assert [word.text for word in page.words] == text.split()
    assert page.text.split("\n")[0] == text.splitlines()[0]
    assert all(0 < word.confidence <= 1 for word in page.words)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html><body><p>hello</p></body></html>", "no ocr_page"),
        (b"<div class='ocr_page' title='ppageno 0'></div>", "page 1 has no bbox"),
    ],
)
def test_bad_files_get_a_clear_error(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidOcrFile, match=reason):
        read_hocr(data)


def test_indentation_with_tabs_between_words_is_a_space_not_a_tab() -> None:
    """A tool that pretty-prints hOCR with tabs puts a line break and tabs between words:
    that is indentation (a space), only a tab without a line break is a table's tab."""
    data = (
        b'<html><body><div class="ocr_page" title="bbox 0 0 100 40">'
        b'<span class="ocr_line" title="bbox 0 0 100 20">\n\t\t'
        b'<span class="ocrx_word" title="bbox 0 0 20 20">one</span>\n\t\t'
        b'<span class="ocrx_word" title="bbox 30 0 50 20">two</span>\t'
        b'<span class="ocrx_word" title="bbox 60 0 90 20">three</span>\n\t'
        b"</span></div></body></html>"
    )
    (page,) = read_hocr(data)
    assert page.text == "one two\tthree"
