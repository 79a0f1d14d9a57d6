"""Searchable PDF: the original pages with an invisible text layer at the OCR word boxes.

Like OCRmyPDF's output (and Tesseract's PDF renderer, which it follows): each page shows the
scan; over it every recognised word is drawn in text rendering mode 3 (invisible), in reading
order, placed at its box and stretched (``Tz``) to the box's width, in a glyphless font whose
``ToUnicode`` map gives the characters back (``ocr.glyphless``). Selecting, copying and
searching in a viewer, and ``pdftotext``, then find the words where the scan shows them.

What each page becomes:

- **a PDF page with its own text** (``origin`` ``"text"``: born-digital, or OCR'd before) is
  passed through untouched, and so is a ``"mixed"`` page (its own text plus OCR of pictures):
  its text layer is already there and adding the OCR words too would double them;
- **a scanned PDF page** keeps its original content (its JPEG, JBIG2 or CCITT images as they
  are): the text layer is added on top, mapped through the page's ``/CropBox`` and ``/Rotate``;
- **a raster file's page** is embedded without re-encoding where PDF can hold its data (the
  JPEG bytes themselves, PNG data, CCITT G4; see ``ocr.imagepdf``) and gets the same layer;
- **a page the worker turned or deskewed** (``ocr.prepare.straighten``) is shown the way the
  worker read it, upright and straight, so its text lines run horizontally like the words'
  boxes: the original page content is kept and drawn through that rotation (a form XObject);
- **a page whose geometry cannot be reproduced** (the prepared image's size does not match,
  say the file was read with other settings) is replaced by the prepared page image, JPEG.

Which turn and deskew the worker applied is not stored with a page: it is worked out again
here from the original, with the worker's own functions on the same rendering
(``ocr.prepare.straighten_plan``, deterministic), and checked against the prepared image's size.

Implementation choice: ``pikepdf`` (qpdf, a wheel) to open the original PDF and graft onto its
pages, and ``img2pdf`` (which builds on it) to embed raster images without re-encoding. A hand
written PDF writer cannot edit an existing PDF's pages, and PDFium (``pypdfium2``) has no way to
write a Type0 font with a ToUnicode CMap; OCRmyPDF uses the same pair for the same reasons.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pikepdf
from PIL import Image

from ocr import pagegeometry as geo
from ocr.engines.base import Engine
from ocr.engines.wordboxes import is_cjk
from ocr.files import DEFAULT_MAX_PIXELS, DEFAULT_PDF_DPI, open_document
from ocr.glyphless import GLYPH_WIDTH, GlyphlessFont
from ocr.imagepdf import raster_pdf
from ocr.layout import result_lines
from ocr.pagegeometry import Affine
from ocr.pagesource import PageSource
from ocr.pagetext import read_page
from ocr.prepare import DEFAULT_MAX_SIDE, limited_size, straighten_plan, to_rgb, to_working
from ocr.raster import RasterPages
from ocr.types import PageResult, Word

#: JPEG quality of a page replaced by its prepared image (the worker stores it as WebP q85).
FALLBACK_QUALITY = 85

#: What happened to each page, in ``build``'s result.
KEPT = "kept"  # a page with its own text: untouched
GRAFTED = "grafted"  # original page, text layer added
STRAIGHTENED = "straightened"  # original content drawn turned/deskewed, text layer added
REPLACED = "replaced"  # the prepared page image instead of the original, text layer added
EMPTY = "empty"  # nothing was read on the page: untouched


@dataclass(frozen=True, slots=True)
class PageText:
    """What was read on one page, as the worker saved it.

    ``lines`` are the page's lines in reading order, each its words left to right, boxes in
    pixels of the prepared page image of ``size`` (width, height). ``origin`` is
    ``PageResult.origin``. ``image`` returns the prepared page image itself, used only when the
    page's geometry cannot be reproduced from the original.
    """

    lines: tuple[tuple[Word, ...], ...]
    size: tuple[int, int]
    origin: str = "ocr"
    image: Callable[[], Image.Image] | None = None

    @classmethod
    def from_read(cls, image: Image.Image, result: PageResult) -> PageText:
        """A page as ``ocr.pagetext.read_page`` returned it: ``(page image, result)``."""
        return cls(
            lines=tuple(words for _, words in result_lines(result)),
            size=image.size,
            origin=result.origin,
            image=lambda: image,
        )


def read_pages(path: str | Path, *, engine: Engine) -> list[PageText]:
    """Every page of the file at ``path`` read as the archive's worker reads it
    (``ocr.pagetext.read_page``), ready for ``build``."""
    pages = []
    with open_document(path) as source:
        for index in range(source.page_count):
            image, result = read_page(source, index, engine=engine)
            pages.append(PageText.from_read(image, result))
    return pages


def build(
    source: BinaryIO,
    pages: Sequence[PageText],
    out: BinaryIO,
    *,
    password: str | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    pdf_dpi: int = DEFAULT_PDF_DPI,
    max_side: int = DEFAULT_MAX_SIDE,
    on_page: Callable[[int], object] | None = None,
) -> list[str]:
    """Write the searchable PDF of the file ``source`` (a seekable binary stream) to ``out``.

    ``pages`` are the file's pages in order, read with these ``max_pixels``, ``pdf_dpi`` and
    ``max_side`` (the worker's settings: they decide the page images the boxes refer to).
    Returns what became of each page (``KEPT``, ``GRAFTED``, ``STRAIGHTENED``, ``REPLACED``,
    ``EMPTY``). ``on_page`` is called with the number of pages done after each page (for a
    progress display). Pages are decoded one at a time, only to measure their geometry (no
    full-size RGB copy), and dropped after use. Raises what ``ocr.open_document`` raises for
    the file, and ``ValueError`` when ``pages`` does not have one entry per page of the file.
    The PDF is written unencrypted.
    """
    with open_document(source, max_pixels=max_pixels, pdf_dpi=pdf_dpi, password=password) as opened:
        if len(pages) != opened.page_count:
            raise ValueError(f"{len(pages)} pages given for a file of {opened.page_count} pages")
        if isinstance(opened, RasterPages):
            pdf = pikepdf.open(io.BytesIO(raster_pdf(source, opened)))
        else:
            source.seek(0)
            pdf = pikepdf.open(source, password=password or "")
        with pdf:
            remove_active_content(pdf)
            font = GlyphlessFont(pdf)
            outcomes = []
            for index, page in enumerate(pages):
                outcomes.append(_page(pdf, index, page, opened, font, max_side))
                if on_page is not None:
                    on_page(index + 1)
            font.finish()
            pdf.save(
                out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate
            )
    return outcomes


#: Actions that run something (a script, a program, a form submission to a server, media)
#: rather than move within the document or open a link: dropped from the searchable PDF.
_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/ImportData",
        "/SubmitForm",
        "/RichMediaExecute",
        "/Rendition",
        "/GoToE",
    }
)


def remove_active_content(pdf: pikepdf.Pdf) -> None:
    """Remove from ``pdf`` everything a viewer would run by itself or on a click other than
    following a link: the document's ``/OpenAction`` and its named scripts, every automatic
    action (``/AA``) of the document, pages, annotations and form fields, and every action
    of a kind in ``_ACTIVE_ACTIONS`` (with its ``/Next`` chain) wherever it is attached.

    The searchable PDF is a copy for reading and searching: an uploaded PDF's scripts, launch
    actions or form submissions must not come back out of the archive (a download would run
    them in the user's viewer, on the archive's word)."""
    root = pdf.Root
    for key in ("/OpenAction", "/AA"):
        if key in root:
            del root[key]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        del names["/JavaScript"]
    seen: set[tuple[int, int]] = set()
    stack: list[pikepdf.Object] = [pdf.trailer]
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Array):
            stack.extend(
                item for item in obj if isinstance(item, pikepdf.Dictionary | pikepdf.Array)
            )
            continue
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        if "/AA" in obj:
            del obj["/AA"]
        for key in ("/A", "/Next"):
            action = obj.get(key)
            if isinstance(action, pikepdf.Dictionary) and action.get("/S") in _ACTIVE_ACTIONS:
                del obj[key]
            elif isinstance(action, pikepdf.Array):
                kept = [
                    a
                    for a in action
                    if not (isinstance(a, pikepdf.Dictionary) and a.get("/S") in _ACTIVE_ACTIONS)
                ]
                obj[key] = pikepdf.Array(kept)
        for key in list(obj.keys()):
            # /Parent points back up the page tree: everything there is reached from the root.
            if key == "/Parent":
                continue
            value = obj.get(key)
            if isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
                stack.append(value)


def _page(
    pdf: pikepdf.Pdf,
    index: int,
    text: PageText,
    opened: PageSource,
    font: GlyphlessFont,
    max_side: int,
) -> str:
    if text.origin != "ocr":
        return KEPT
    if not any(word.text.strip() for line in text.lines for word in line):
        return EMPTY
    page = pdf.pages[index]
    crop = _visible_box(page)
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    view_w, view_h = geo.view_size(crop, rotate)
    # The page exactly as the worker prepared it, up to the straightening: same decoder,
    # same rendering, the plan measured on the full page as ``prepare`` does, same downscale.
    # Only the plan and the size are needed, not the prepared pixels: the page is measured in
    # its working mode (one band for grey, as ``prepare`` does) and dropped at once, so a
    # huge scan costs its decode and no full-size RGB copy or downscale.
    full = to_working(opened.page(index))
    turn, skew = straighten_plan(full)
    seen_w, seen_h = limited_size(full.size, max_side)
    del full
    turned = (seen_h, seen_w) if turn in (90, 270) else (seen_w, seen_h)
    if turned != text.size:
        return _replace(pdf, page, text, font, (view_w, view_h))
    straighten = geo.straighten_map((seen_w, seen_h), turn, skew)
    width, height = text.size
    # Points per pixel of the prepared image (a quarter turn or a deskew keeps the scale).
    per_px = view_w / seen_w
    user_to_px = geo.chain(
        geo.user_to_view(crop, rotate),
        geo.scale(seen_w / view_w, seen_h / view_h),
        straighten,
    )
    if geo.is_upright(straighten):
        # Prepared pixels (y up) -> user space; the page itself is left as it is.
        place = geo.chain(geo.flip_y(height), geo.inverse(user_to_px))
        _isolate(pdf, page)
        font_name = _add_font(page, font)
        layer = _cm(place) + _text_layer(text.lines, height, font, font_name)
        page.contents_add(pdf.make_stream(layer), prepend=False)
        return GRAFTED
    # Turned or deskewed: show the page as prepared, the original drawn through the rotation.
    form = _as_form(pdf, page, crop)
    _redraw(pdf, page, (width * per_px, height * per_px))
    scan_name = page.add_resource(form, pikepdf.Name.XObject, prefix="Scan")
    font_name = _add_font(page, font)
    to_page = geo.chain(geo.flip_y(height), geo.scale(per_px, per_px))
    page.obj.Contents = pdf.make_stream(
        _cm(geo.chain(user_to_px, to_page))
        + f"{scan_name} Do\nQ\n".encode()
        + _cm(geo.scale(per_px, per_px))
        + _text_layer(text.lines, height, font, font_name)
    )
    return STRAIGHTENED


def _replace(
    pdf: pikepdf.Pdf,
    page: pikepdf.Page,
    text: PageText,
    font: GlyphlessFont,
    view: tuple[float, float],
) -> str:
    """Make ``page`` the prepared page image with the text layer over it."""
    if text.image is None:
        raise ValueError("the page's geometry differs from the original and no image was given")
    image = to_rgb(text.image())
    width, height = text.size
    per_px = min(view[0] / width, view[1] / height)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=FALLBACK_QUALITY)
    picture = pikepdf.Stream(pdf, buffer.getvalue())
    picture.Type, picture.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    picture.Width, picture.Height = image.width, image.height
    picture.ColorSpace, picture.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
    picture.Filter = pikepdf.Name.DCTDecode
    _redraw(pdf, page, (width * per_px, height * per_px))
    image_name = page.add_resource(picture, pikepdf.Name.XObject, prefix="Page")
    font_name = _add_font(page, font)
    page.obj.Contents = pdf.make_stream(
        f"q {width * per_px:.4f} 0 0 {height * per_px:.4f} 0 0 cm {image_name} Do Q\n".encode()
        + _cm(geo.scale(per_px, per_px))
        + _text_layer(text.lines, height, font, font_name)
    )
    return REPLACED


def _as_form(
    pdf: pikepdf.Pdf, page: pikepdf.Page, crop: tuple[float, float, float, float]
) -> pikepdf.Stream:
    """A form XObject drawing ``page``'s content in its user space, clipped to ``crop``: a
    copy of the content, so the page can be emptied and redrawn with it."""
    contents = page.obj.get("/Contents")
    streams = (
        [] if contents is None else contents if isinstance(contents, pikepdf.Array) else [contents]
    )
    data = b"\n".join(stream.read_bytes() for stream in streams)
    form = pdf.make_stream(data)
    form.Type, form.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
    form.BBox = pikepdf.Array(crop)
    form.Resources = page.obj.get("/Resources", pikepdf.Dictionary())
    return form


def _redraw(pdf: pikepdf.Pdf, page: pikepdf.Page, size: tuple[float, float]) -> None:
    """Empty ``page`` into a fresh one of ``size`` points: no boxes, turn or annotations of
    the old page (they would sit in the wrong place), no resources."""
    for key in ("/CropBox", "/TrimBox", "/BleedBox", "/ArtBox", "/Rotate", "/Annots", "/UserUnit"):
        if key in page.obj:
            del page.obj[key]
    page.obj.MediaBox = pikepdf.Array([0, 0, round(size[0], 4), round(size[1], 4)])
    page.obj.Resources = pikepdf.Dictionary()
    page.obj.Contents = pdf.make_stream(b"")


def _text_layer(
    lines: Sequence[Sequence[Word]], height: int, font: GlyphlessFont, name: pikepdf.Name
) -> bytes:
    """The invisible words, in prepared-image pixels with y up (the caller's ``cm`` places
    them), wrapped in ``q``/``Q``. Each word's baseline is its box's bottom and its font size
    the box's height, so with the font's ascent of 1 em its selection box is the word box."""
    ops = [b"BT", b"3 Tr"]
    current = 0
    for line in lines:
        shown = [word for word in line if word.text.strip()]
        for position, word in enumerate(shown):
            chars = word.text.strip()
            x0, y0, x1, y1 = word.box
            size = max(1, y1 - y0)
            natural = len(chars) * GLYPH_WIDTH / 1000 * size
            stretch = 100 * max(1, x1 - x0) / natural
            after = shown[position + 1].text.strip() if position + 1 < len(shown) else ""
            if after and not (is_cjk(chars[-1]) and is_cjk(after[0])):
                chars += " "  # a word space, as viewers expect between words of a line
            if size != current:  # lines share a height: say it once a line
                ops.append(f"{name} {size} Tf".encode())
                current = size
            ops.append(
                f"{stretch:.2f} Tz 1 0 0 1 {x0} {height - y1} Tm ".encode()
                + b"<"
                + font.encode(chars).hex().encode()
                + b"> Tj"
            )
    ops.append(b"ET")
    return b"\n".join(ops) + b"\nQ\n"


def _add_font(page: pikepdf.Page, font: GlyphlessFont) -> pikepdf.Name:
    """Put the text-layer font in the page's resources under a short name (it is repeated
    for every line): ``/OcrText``, or with a number if the page already uses that name."""
    resources = page.obj.get("/Resources", pikepdf.Dictionary())
    fonts = resources.get("/Font", pikepdf.Dictionary())
    name, number = pikepdf.Name("/OcrText"), 1
    while name in fonts:
        name, number = pikepdf.Name(f"/OcrText{number}"), number + 1
    return page.add_resource(font.font, pikepdf.Name.Font, name)


def _cm(m: Affine) -> bytes:
    """``q`` and a ``cm`` setting ``m``; the layer's ``Q`` ends it."""
    return b"q " + " ".join(f"{v:.6f}" for v in m).encode() + b" cm\n"


def _isolate(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """Wrap the page's own content in ``q``/``Q``, so a graphics state it leaves behind (a
    ``cm`` without ``Q``) cannot move the text layer drawn after it."""
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"\nQ\n"), prepend=False)


def _visible_box(page: pikepdf.Page) -> tuple[float, float, float, float]:
    """The page's crop box (the part a viewer and PDFium show): the media box cut to it."""
    media = _box(page.mediabox)
    crop = _box(page.cropbox)
    box = (
        max(media[0], crop[0]),
        max(media[1], crop[1]),
        min(media[2], crop[2]),
        min(media[3], crop[3]),
    )
    return box if box[2] > box[0] and box[3] > box[1] else media


def _box(array: pikepdf.Array) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in array)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
