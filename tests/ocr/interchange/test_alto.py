"""ocr.interchange.alto: ALTO 4 that validates against the official XSD and reads back."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from ocr.interchange import InvalidOcrFile, read_alto, to_alto
from ocr.interchange.alto import NAMESPACE
from ocr.types import PageResult
from tests.ocr.interchange.conftest import words_and_boxes

NS = {"a": NAMESPACE}


def _valid(data: bytes, schema: etree.XMLSchema) -> etree._Element:
    root = etree.fromstring(data)
    assert schema.validate(root), schema.error_log
    return root


@pytest.mark.slow
def test_a_real_page_validates_in_reading_order_and_round_trips(
    phototest_page: PageResult, alto_schema: etree.XMLSchema
) -> None:
    data = to_alto([phototest_page], source_name="phototest.tif")
    root = _valid(data, alto_schema)
    (page,) = root.findall(".//a:Page", NS)
    assert (page.get("WIDTH"), page.get("HEIGHT")) == ("640", "480")
    assert root.findtext(".//a:MeasurementUnit", namespaces=NS) == "pixel"
    assert root.findtext(".//a:fileName", namespaces=NS) == "phototest.tif"
    assert {block.get("LANG") for block in root.iterfind(".//a:TextBlock", NS)} == {"en"}
    strings = root.findall(".//a:String", NS)
    assert [s.get("CONTENT") for s in strings] == [w.text for w in phototest_page.words]
    first, word = strings[0], phototest_page.words[0]
    box = tuple(int(first.get(k)) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT"))
    assert box == (word.box[0], word.box[1], word.box[2] - word.box[0], word.box[3] - word.box[1])
    assert float(first.get("WC")) == pytest.approx(word.confidence, abs=1e-3)

    (back,) = read_alto(data)
    assert words_and_boxes(back) == words_and_boxes(phototest_page)
    assert back.text == phototest_page.text
    assert (back.width, back.height, back.languages) == (640, 480, ("en",))
    assert back.origin == "imported"


@pytest.mark.slow
def test_accented_french_scan_round_trips(
    french_page: PageResult, alto_schema: etree.XMLSchema
) -> None:
    data = to_alto([french_page])
    _valid(data, alto_schema)
    (back,) = read_alto(data)
    assert words_and_boxes(back) == words_and_boxes(french_page)
    assert back.text == french_page.text


@pytest.mark.slow
def test_a_table_rows_tabs_round_trip(table_page: PageResult, alto_schema: etree.XMLSchema) -> None:
    """A table row is one line whose cells are separated by tabs (``ocr.layout``): the tabs
    come back as tabs, not spaces, so the row's cells stay apart after an import."""
    assert "\t" in table_page.text
    data = to_alto([table_page])
    _valid(data, alto_schema)
    (back,) = read_alto(data)
    assert words_and_boxes(back) == words_and_boxes(table_page)
    assert back.text == table_page.text


def test_unicode_is_kept_and_cjk_has_no_spaces(
    unicode_page: PageResult, alto_schema: etree.XMLSchema
) -> None:
    data = to_alto([unicode_page])
    root = _valid(data, alto_schema)
    lines = root.findall(".//a:TextLine", NS)
    chinese = [etree.QName(child).localname for child in lines[1]]
    assert chinese == ["String", "String", "String"]  # no SP between CJK characters
    (back,) = read_alto(data)
    expected = [(w.text.replace("\x0b", ""), w.box) for w in unicode_page.words]
    assert words_and_boxes(back) == expected
    assert back.text == "Größe élève naïve\n中文字\nǄemal 😀 xy"
    assert back.languages == ("de",)


def test_several_pages_and_a_blank_one(
    unicode_page: PageResult, alto_schema: etree.XMLSchema
) -> None:
    blank = PageResult.from_lines(
        lines=[], words=(), engine="test", languages=(), seconds=0, size=(50, 70)
    )
    data = to_alto([unicode_page, blank, unicode_page], language="zh")
    root = _valid(data, alto_schema)
    pages = root.findall(".//a:Page", NS)
    assert [p.get("PHYSICAL_IMG_NR") for p in pages] == ["1", "2", "3"]
    assert (pages[1].get("WIDTH"), pages[1].get("HEIGHT")) == ("50", "70")
    back = read_alto(data)
    assert [len(page.words) for page in back] == [9, 0, 9]
    assert back[0].languages == ("zh",)


def test_reads_a_third_party_file_whose_strings_are_whole_lines(testdata: Path) -> None:
    """eScriptorium's ALTO (the French corpus' ground truth) has one String per line: each
    is split into words with boxes inside the line's box, and the text is the line's."""
    folder = testdata / "tapuscorpus_fr"
    files = sorted(folder.glob("*.gt.alto.xml"))
    if not files:
        pytest.skip(f"no ALTO files in {folder}")
    for path in files:
        (page,) = read_alto(path.read_bytes())
        truth = path.with_name(path.name.replace(".gt.alto.xml", ".gt.txt")).read_text()
        assert page.text.split() == truth.split(), path.name
        assert all(" " not in word.text for word in page.words)
        for word in page.words:
            x0, y0, x1, y1 = word.box
            assert 0 <= x0 <= x1 <= page.width
            assert 0 <= y0 <= y1 <= page.height


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not well-formed XML"),
        (b"<alto><Layout><Page", "not well-formed XML"),
        (b"<html/>", "root element is not <alto>"),
        (b"<alto><Layout/></alto>", "no <Page>"),
        (
            b"<alto><Description><MeasurementUnit>mm10</MeasurementUnit></Description>"
            b'<Layout><Page WIDTH="1" HEIGHT="1"/></Layout></alto>',
            "only pixel coordinates",
        ),
        (b'<alto><Layout><Page WIDTH="10"/></Layout></alto>', "no HEIGHT"),
        (
            b'<alto><Layout><Page WIDTH="9" HEIGHT="9"><TextLine><String HPOS="1" VPOS="1" '
            b'WIDTH="1" HEIGHT="1"/></TextLine></Page></Layout></alto>',
            "no CONTENT",
        ),
        (
            b'<alto><Layout><Page WIDTH="9" HEIGHT="9"><TextLine><String CONTENT="a" '
            b'HPOS="x" VPOS="1" WIDTH="1" HEIGHT="1"/></TextLine></Page></Layout></alto>',
            "'x' is not a number",
        ),
    ],
)
def test_bad_files_get_a_clear_error(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidOcrFile, match=reason) as raised:
        read_alto(data)
    assert str(raised.value).startswith("This OCR file cannot be read: ")


def test_entities_are_not_expanded(tmp_path: Path) -> None:
    """An external entity in an uploaded file must not pull in a local file."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE alto [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<alto><Layout><Page WIDTH="9" HEIGHT="9"><TextLine><String CONTENT="&x;" HPOS="1" '
        'VPOS="1" WIDTH="1" HEIGHT="1"/></TextLine></Page></Layout></alto>'
    ).encode()
    try:
        pages = read_alto(data)
    except InvalidOcrFile:
        return
    assert "TOPSECRET" not in pages[0].text
