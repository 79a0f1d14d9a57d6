"""ocr.searchable_pdf: real pages, real OCR, the text layer read back with poppler's pdftotext."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from ocr.files import open_document
from ocr.searchable_pdf import GRAFTED, KEPT, STRAIGHTENED, PageText, build, read_pages
from ocr.types import Word
from tests.pdftext import PdfPage, pdf_text, pdf_words

pytestmark = pytest.mark.slow


def _build(path: Path, pages: list[PageText], out: Path) -> list[str]:
    with path.open("rb") as source, out.open("wb") as target:
        return build(source, pages, target)


def _assert_layer_matches(pdf_page: PdfPage, page: PageText) -> None:
    """The page's words come back in reading order, each centred inside its OCR box."""
    expected = [(part, word) for line in page.lines for word in line for part in word.text.split()]
    assert [w.text for w in pdf_page.words] == [text for text, _ in expected]
    for found, (_, word) in zip(pdf_page.words, expected, strict=True):
        x, y = pdf_page.centre_in_pixels(found, page.size)
        x0, y0, x1, y1 = word.box
        assert x0 - 1 <= x <= x1 + 1, (found, word)
        assert y0 - 1 <= y <= y1 + 1, (found, word)


def test_jpeg_is_embedded_as_is_with_words_at_their_boxes(testdata, engine, tmp_path):
    path = testdata / "tapuscorpus_fr" / "AN_96AP_FRAN_0150_0159.jpg"
    pages = read_pages(path, engine=engine)
    out = tmp_path / "out.pdf"
    assert _build(path, pages, out) == [GRAFTED]
    (pdf_page,) = pdf_words(out)
    assert len(pdf_page.words) > 50
    _assert_layer_matches(pdf_page, pages[0])
    with pikepdf.open(out) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert image.Filter == pikepdf.Name.DCTDecode
        assert image.read_raw_bytes() == path.read_bytes()  # not re-encoded
    ratio = out.stat().st_size / path.stat().st_size
    assert ratio <= 1.3, ratio


def test_multipage_tiff_gives_one_page_per_frame(three_page_tiff, engine, tmp_path):
    pages = read_pages(three_page_tiff, engine=engine)
    out = tmp_path / "out.pdf"
    assert _build(three_page_tiff, pages, out) == [GRAFTED] * 3
    found = pdf_words(out)
    assert [" ".join(w.text for w in p.words) for p in found] == [
        "page one",
        "page two",
        "page three",
    ]
    for pdf_page, page in zip(found, pages, strict=True):
        _assert_layer_matches(pdf_page, page)


def test_born_digital_pages_pass_through_and_scans_get_a_layer(testdata, engine, tmp_path):
    path = testdata / "pdfs" / "paperless" / "multi-page-mixed.pdf"
    pages = read_pages(path, engine=engine)
    out = tmp_path / "out.pdf"
    assert _build(path, pages, out) == [GRAFTED] * 3 + [KEPT] * 3
    found = pdf_words(out)
    for number in (4, 5, 6):  # the born-digital pages: their own text, exactly
        assert pdf_text(out, number) == pdf_text(path, number)
        assert f"page {number}" in pdf_text(out, number).lower()
    for number in (1, 2, 3):
        assert f"page {number}" in pdf_text(out, number).lower()
        _assert_layer_matches(found[number - 1], pages[number - 1])


def test_turned_and_skewed_pages_are_shown_upright_with_the_words_on_them(
    testdata, engine, tmp_path
):
    path = testdata / "pdfs" / "ocrmypdf" / "cardinal.pdf"  # turned 0, 90, 180, 270 degrees
    pages = read_pages(path, engine=engine)
    out = tmp_path / "out.pdf"
    assert _build(path, pages, out) == [GRAFTED] + [STRAIGHTENED] * 3
    for pdf_page, page in zip(pdf_words(out), pages, strict=True):
        assert pdf_page.width < pdf_page.height  # portrait, as the page reads
        _assert_layer_matches(pdf_page, page)
    # The scans are kept: the straightened pages draw the original page's images.
    with pikepdf.open(out) as pdf, pikepdf.open(path) as original:
        kept = {bytes(i.read_raw_bytes()) for p in original.pages for i in p.get_images().values()}
        for turned in pdf.pages[1:]:
            (image,) = turned.get_images().values()
            assert bytes(image.read_raw_bytes()) in kept


def test_deskewed_page(testdata, engine, tmp_path):
    path = testdata / "pdfs" / "ocrmypdf" / "skew.pdf"
    pages = read_pages(path, engine=engine)
    out = tmp_path / "out.pdf"
    assert _build(path, pages, out) == [STRAIGHTENED]
    (pdf_page,) = pdf_words(out)
    _assert_layer_matches(pdf_page, pages[0])
    assert "LinnSequencer" in pdf_text(out)


def test_accents_survive(testdata, engine, tmp_path):
    path = testdata / "pdfs" / "ocrmypdf" / "francais.pdf"
    pages = read_pages(path, engine=engine)
    out = tmp_path / "out.pdf"
    _build(path, pages, out)
    text = pdf_text(out)
    accented = [w.text for line in pages[0].lines for w in line if not w.text.isascii()]
    assert accented, "the OCR read no accented word"
    for word in accented:
        assert word in text


def test_cjk_and_characters_beyond_the_bmp_survive(tmp_path, encode):
    """Characters the text layer must carry whatever the engine: CJK (one word a character,
    no spaces between), accents, a combining mark and a character outside the BMP."""
    image = Image.new("RGB", (1200, 400), "white")
    source = tmp_path / "page.png"
    source.write_bytes(encode(image, "PNG"))
    cjk = tuple(
        Word(char, (100 + 60 * i, 100, 160 + 60 * i, 160), 1.0)
        for i, char in enumerate("将扫描图像转换为文本𠀋")
    )
    latin = (
        Word("Müller", (100, 250, 400, 300), 1.0),
        Word("façade", (415, 250, 715, 300), 1.0),
        Word("e\u0301té", (730, 250, 930, 300), 1.0),
    )
    page = PageText(lines=(cjk, latin), size=image.size)
    out = tmp_path / "out.pdf"
    assert _build(source, [page], out) == [GRAFTED]
    lines = [line.strip() for line in pdf_text(out).splitlines() if line.strip()]
    assert lines == ["将扫描图像转换为文本𠀋", "Müller façade e\u0301té"]
    (pdf_page,) = pdf_words(out)
    # CJK characters written without spaces read back as one word spanning their boxes.
    *cjk_found, _, _, _ = pdf_page.words
    assert "".join(w.text for w in cjk_found) == "将扫描图像转换为文本𠀋"
    for found in cjk_found:
        x, y = pdf_page.centre_in_pixels(found, page.size)
        assert 100 <= x <= 760
        assert 100 <= y <= 160
    _assert_layer_matches(
        PdfPage(pdf_page.width, pdf_page.height, pdf_page.words[-3:]),
        PageText(lines=(latin,), size=page.size),
    )


def test_wrong_page_count_is_refused(tmp_path, encode):
    source = tmp_path / "page.png"
    source.write_bytes(encode(Image.new("RGB", (100, 100), "white"), "PNG"))
    with pytest.raises(ValueError, match="2 pages given for a file of 1 pages"):
        _build(source, [PageText(lines=(), size=(100, 100))] * 2, tmp_path / "out.pdf")


def _active_content(pdf: pikepdf.Pdf) -> list[str]:
    """Every script, launch, automatic action or submit action anywhere in ``pdf``."""
    found: list[str] = []
    seen: set[tuple[int, int]] = set()

    def walk(obj: object, where: str) -> None:
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            if obj.objgen in seen:
                return
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            for key in ("/OpenAction", "/AA", "/JS", "/JavaScript"):
                if key in obj:
                    found.append(f"{where}{key}")
            if obj.get("/S") in (pikepdf.Name.JavaScript, pikepdf.Name.Launch):
                found.append(f"{where}/S {obj.get('/S')}")
            for key in obj.keys():  # noqa: SIM118  (a pikepdf Stream is no mapping)
                if key != "/Parent":
                    walk(obj[key], f"{where}{key}")
        elif isinstance(obj, pikepdf.Array):
            for index, item in enumerate(obj):
                walk(item, f"{where}[{index}]")

    walk(pdf.trailer, "")
    return found


def test_scripts_and_launch_actions_of_the_original_are_not_kept(tmp_path):
    # Issue 15, item 9: the searchable PDF kept the original's JavaScript and /Launch actions.
    source = tmp_path / "active.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(300, 300))
        script = pdf.make_indirect(
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        )
        launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
        link = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=[10, 10, 100, 100],
            A=launch,
        )
        uri = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=[100, 100, 200, 200],
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org")),
        )
        page = pdf.pages[0]
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link), uri]))
        page.obj.AA = pikepdf.Dictionary(O=script)
        pdf.Root.OpenAction = script
        pdf.Root.AA = pikepdf.Dictionary(WC=script)
        pdf.Root.Names = pikepdf.Dictionary(
            JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("x"), script])
        )
        pdf.save(source)
    with pikepdf.open(source) as original:
        assert len(_active_content(original)) >= 5
    out = tmp_path / "out.pdf"
    words = ((Word("Safe", (20, 20, 120, 60), 0.9),),)
    with open_document(source) as opened:
        page_size = opened.page(0).size
    _build(source, [PageText(lines=words, size=page_size)], out)
    with pikepdf.open(out) as built:
        assert _active_content(built) == []
        # Plain links stay: only actions that run something go.
        annots = built.pages[0].obj.Annots
        assert [str(a.A.S) for a in annots if "/A" in a] == ["/URI"]
