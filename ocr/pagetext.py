"""Read one page of an opened document: a PDF page's own text where it has one, else OCR.

- A page with no text layer (a scan, a photo, any raster file) is prepared and OCR'd
  (``ocr_page``).
- A PDF page with a text layer keeps that text, exact and with exact boxes, and is not OCR'd:
  born-digital pages and pages an earlier OCR already read (``ocr.textlayer``).
- A PDF page with a text layer *and* pictures no text lies over (a typed letter with a scanned
  receipt pasted in) keeps its text and adds what OCR reads inside those pictures, and only
  there, so no text is read twice.

The returned image is the page as rendered (downscaled to ``max_side``); every word box is in
its pixels. Pages with a text layer are not turned or straightened: PDFium already renders
them the way the file says they are viewed, and their boxes must stay on their text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PIL import Image

from ocr.confidence import calibrated
from ocr.engines.base import Engine
from ocr.layout import join_words, reading_order, result_lines
from ocr.pagesource import PageSource
from ocr.pdf import PdfPages
from ocr.prepare import DEFAULT_MAX_SIDE, limit_size, prepare, to_rgb
from ocr.textlayer import Box, TextLayer, TextLine
from ocr.types import PageResult

#: ``PageResult.engine`` of a page whose text all came from its PDF text layer.
TEXT_LAYER_ENGINE = "pdf-text"


def read_page(
    source: PageSource,
    index: int,
    *,
    engine: Engine,
    languages: Sequence[str] | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
    text_layer: bool = True,
    on_image: Callable[[Image.Image], object] | None = None,
) -> tuple[Image.Image, PageResult]:
    """Read page ``index`` (0-based) of ``source``: returns ``(page image, result)``.

    ``text_layer=False`` OCRs every page, text layer or not (for a text layer known to be
    wrong, such as a poor earlier OCR). ``result.origin`` says which way the text came.
    ``on_image`` is called with the page image (the one returned) as soon as it is final and
    before the engine runs, so that a caller can start on it (encode it, say) meanwhile; it
    must not change the image. Raises what ``source.page`` and the engine raise.
    """
    image = source.page(index)
    if text_layer and isinstance(source, PdfPages):
        layer = source.text_layer(index, image.size)
        if layer.has_text:
            return _keep_text(source, index, image, layer, engine, languages, max_side, on_image)
    # Prepared, the full-size decode is dropped before the engine runs: for a 9000 x 9000
    # page that is 243 MB less at the worker's peak.
    prepared = prepare(image, max_side=max_side)
    del image
    if on_image is not None:
        on_image(prepared)
    return prepared, _recognize(prepared, engine, languages)


def _keep_text(
    source: PdfPages,
    index: int,
    image: Image.Image,
    layer: TextLayer,
    engine: Engine,
    languages: Sequence[str] | None,
    max_side: int,
    on_image: Callable[[Image.Image], object] | None,
) -> tuple[Image.Image, PageResult]:
    """A page with a text layer: its text, plus OCR of the pictures no text covers."""
    started = time.perf_counter()
    shown = limit_size(to_rgb(image), max_side)
    if on_image is not None:
        on_image(shown)
    if layer.size != shown.size:
        layer = source.text_layer(index, shown.size)
    lines = list(layer.lines)
    engine_name, origin = TEXT_LAYER_ENGINE, "text"
    if layer.uncovered:
        found = _read_pictures(shown, layer.uncovered, engine, languages)
        if found:
            # Interleave by position, so a picture's text sits where the picture does.
            lines = sorted([*lines, *found], key=_top)
            engine_name, origin = f"{TEXT_LAYER_ENGINE}+{engine.name}", "mixed"
    result = PageResult.from_lines(
        lines=[line.text for line in lines],
        words=tuple(word for line in lines for word in line.words),
        engine=engine_name,
        languages=tuple(languages or ()),
        seconds=time.perf_counter() - started,
        size=shown.size,
        origin=origin,
    )
    return shown, result


def ocr_page(
    image: Image.Image,
    *,
    engine: Engine,
    languages: Sequence[str] | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
) -> tuple[Image.Image, PageResult]:
    """Prepare one page image (``ocr.prepare``) and OCR it: ``(prepared image, result)``.

    The result's lines and words are in reading order (``ocr.layout``), its boxes in the
    prepared image's pixels. ``image`` itself is not modified.
    """
    prepared = prepare(image, max_side=max_side)
    return prepared, _recognize(prepared, engine, languages)


def _recognize(image: Image.Image, engine: Engine, languages: Sequence[str] | None) -> PageResult:
    if languages is None:
        result = engine.recognize(image)
    else:
        result = engine.recognize(image, languages=languages)
    return calibrated(reading_order(result), languages)


def _read_pictures(
    image: Image.Image, pictures: Sequence[Box], engine: Engine, languages: Sequence[str] | None
) -> list[TextLine]:
    """Lines OCR reads inside ``pictures`` (boxes in ``image``'s pixels), words outside cut."""
    result = _recognize(image, engine, languages)
    lines = []
    for text, words in result_lines(result):
        inside = tuple(word for word in words if any(_centred_in(word.box, p) for p in pictures))
        if not inside:
            continue
        kept = text if len(inside) == len(words) else join_words([w.text for w in inside])
        lines.append(TextLine(kept, inside))
    return lines


def _centred_in(box: Box, area: Box) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return area[0] <= x <= area[2] and area[1] <= y <= area[3]


def _top(line: TextLine) -> int:
    return min((word.box[1] for word in line.words), default=0)
