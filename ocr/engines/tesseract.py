"""Tesseract 5 through the ``tesserocr`` wheel, with language data from ``tesseract-ocr-*``.

The wheel bundles libtesseract but no language data: that comes from Debian's
``tesseract-ocr-<lang>`` packages (``/usr/share/tesseract-ocr/5/tessdata``), or from the folder
named by ``TESSDATA_PREFIX`` when it is set.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import tesserocr
from PIL import Image

from ocr.engines.base import check_languages
from ocr.engines.tesseract_languages import ISO_TO_TESSERACT, TESSERACT_TO_ISO, debian_package
from ocr.engines.wordboxes import Box, is_cjk, tokens
from ocr.errors import EngineUnavailable
from ocr.types import PageResult, Word

__all__ = [
    "ISO_TO_TESSERACT",
    "TESSERACT_TO_ISO",
    "TesseractEngine",
    "debian_package",
    "installed_languages",
    "tessdata_dir",
    "unusable_reason",
]


#: Where Debian (and other distributions) put the language data, newest layout first.
SYSTEM_TESSDATA = (
    Path("/usr/share/tesseract-ocr/5/tessdata"),
    Path("/usr/share/tesseract-ocr/4.00/tessdata"),
    Path("/usr/share/tessdata"),
    Path("/usr/local/share/tessdata"),
)

# Resolutions outside this range are placeholders (text-line crops often say 1 dpi): left
# unset, Tesseract estimates the resolution from the text's x-height, which works far better.
_CREDIBLE_DPI = range(70, 2401)


def tessdata_dir() -> Path | None:
    """The folder holding ``*.traineddata``: ``TESSDATA_PREFIX`` (the folder itself, or its
    parent as Tesseract 3 had it) when set, else the first system folder that has any."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    candidates = [Path(prefix), Path(prefix) / "tessdata"] if prefix else list(SYSTEM_TESSDATA)
    for folder in candidates:
        if folder.is_dir() and any(folder.glob("*.traineddata")):
            return folder
    return None


def installed_languages(folder: Path | None = None) -> tuple[str, ...]:
    """ISO codes of the languages whose data is installed (and that the map knows), sorted."""
    folder = folder if folder is not None else tessdata_dir()
    if folder is None:
        return ()
    names = {path.stem for path in folder.glob("*.traineddata")}
    return tuple(sorted(iso for iso, tess in ISO_TO_TESSERACT.items() if tess in names))


def unusable_reason() -> str | None:
    """Why the engine cannot run here (and the fix), or None when it can: the registry's probe."""
    if tessdata_dir() is None:
        where = os.environ.get("TESSDATA_PREFIX") or ", ".join(map(str, SYSTEM_TESSDATA))
        return (
            f"no Tesseract language data found in {where}; install it (apt-get install "
            "tesseract-ocr-eng, plus tesseract-ocr-<lang> per language) or set TESSDATA_PREFIX "
            "to the folder holding the .traineddata files"
        )
    if not installed_languages():
        return "the Tesseract language data folder has no language this library maps"
    return None


class TesseractEngine:
    """Tesseract 5 (LSTM), one ``PyTessBaseAPI`` per language combination, kept for reuse.

    ``languages`` are the ISO codes whose data is installed. Several languages are read
    together (``eng+fra``). An empty ``languages`` reads English when installed, else the
    first installed language, and the result names what was used.

    Lines and words are in Tesseract's own reading order (blocks, then lines); each word
    carries its own confidence. A Tesseract word made of several CJK characters is split into
    one ``Word`` per character, with the box divided evenly (the ``Word`` contract).

    Thread safety: tesserocr API objects are not thread-safe, so each has a lock and calls for
    the same languages run one at a time. The bundled libtesseract is built without OpenMP,
    so one call uses one core: run more processes to use more cores.
    """

    name = "tesseract"

    def __init__(self) -> None:
        """Find the language data and load the default language (fast: well under a second).
        Raises ``EngineUnavailable`` with the fix when there is no usable language data."""
        reason = unusable_reason()
        folder = tessdata_dir()
        if reason is not None or folder is None:
            from ocr.engines import available_engines  # the registry imports this module

            raise EngineUnavailable(self.name, available_engines(), reason=reason)
        self._path = str(folder)
        self.languages: tuple[str, ...] = installed_languages(folder)
        self._default = ("en",) if "en" in self.languages else self.languages[:1]
        self._apis: dict[tuple[str, ...], tuple[tesserocr.PyTessBaseAPI, threading.Lock]] = {}
        self._apis_lock = threading.Lock()
        self._api(self._default)

    def recognize(self, image: Image.Image, *, languages: Sequence[str] = ("en",)) -> PageResult:
        """Read one prepared page; see ``ocr.engines.base.Engine`` for the contract."""
        codes = check_languages(self, languages) or self._default
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        if rgb.format is not None:
            # tesserocr hands Tesseract the image saved in its ``format``: a JPEG file's image
            # would be re-encoded lossily. A plain image sharing the pixels is saved as BMP.
            rgb.load()
            rgb = rgb._new(rgb.im)
        api, lock = self._api(codes)
        with lock:
            started = time.perf_counter()
            api.SetImage(rgb)
            dpi = _dpi(rgb)
            if dpi is not None:
                api.SetSourceResolution(dpi)
            api.Recognize()
            # Reading the results back calls into Tesseract too: part of the engine's time.
            lines = _read(api, rgb.width, rgb.height)
            seconds = time.perf_counter() - started
            api.Clear()  # frees the page image and results; the models stay loaded
        words = tuple(word for line in lines for word in line)
        return PageResult.from_lines(
            lines=[_line_text(line) for line in lines],
            words=words,
            engine=self.name,
            languages=codes,
            seconds=seconds,
            size=rgb.size,
        )

    def _api(self, codes: tuple[str, ...]) -> tuple[tesserocr.PyTessBaseAPI, threading.Lock]:
        """The API object for ``codes`` (order matters to Tesseract: the first is primary)."""
        with self._apis_lock:
            found = self._apis.get(codes)
            if found is None:
                lang = "+".join(ISO_TO_TESSERACT[code] for code in codes)
                api = tesserocr.PyTessBaseAPI(path=self._path, lang=lang)
                found = self._apis[codes] = (api, threading.Lock())
            return found


def _dpi(image: Image.Image) -> int | None:
    dpi: object = image.info.get("dpi")
    if isinstance(dpi, tuple) and dpi:
        dpi = dpi[-1]  # (x, y): Tesseract wants one figure; the vertical one sizes the lines
    try:
        value = round(float(dpi))  # type: ignore[arg-type]  # anything odd is caught below
    except (TypeError, ValueError, IndexError):
        return None
    return value if value in _CREDIBLE_DPI else None


def _read(api: tesserocr.PyTessBaseAPI, width: int, height: int) -> list[list[Word]]:
    """The recognised words, grouped by text line, in Tesseract's reading order."""
    level, line_level = tesserocr.RIL.WORD, tesserocr.RIL.TEXTLINE
    lines: list[list[Word]] = []
    iterator = api.GetIterator()
    if iterator is None:
        return lines
    for item in tesserocr.iterate_level(iterator, level):
        try:
            text = (item.GetUTF8Text(level) or "").strip()
        except RuntimeError:  # "No text returned": a page without text still has one item
            continue
        box = item.BoundingBox(level)
        if not text or box is None:
            continue
        if not lines or item.IsAtBeginningOf(line_level):
            lines.append([])
        confidence = min(max(item.Confidence(level) / 100.0, 0.0), 1.0)
        lines[-1].extend(_words(text, _clip(box, width, height), confidence))
    return [line for line in lines if line]


def _words(text: str, box: Box, confidence: float) -> list[Word]:
    """One Tesseract word as ``Word`` values: itself, or one per CJK character."""
    parts = tokens(text)
    if len(parts) == 1:
        return [Word(parts[0][0], box, confidence)]
    x0, y0, x1, y1 = box
    step = (x1 - x0) / max(len(text), 1)
    return [
        Word(part, (x0 + int(start * step), y0, min(x0 + round(end * step), x1), y1), confidence)
        for part, start, end in parts
    ]


def _clip(box: tuple[int, int, int, int], width: int, height: int) -> Box:
    x0, y0, x1, y1 = box
    x0, y0 = min(max(x0, 0), width), min(max(y0, 0), height)
    return (x0, y0, min(max(x1, x0), width), min(max(y1, y0), height))


def _line_text(line: list[Word]) -> str:
    """Words joined by spaces, except between two CJK characters (written without them)."""
    text = line[0].text
    for previous, word in itertools.pairwise(line):
        cjk_pair = is_cjk(previous.text[-1]) and is_cjk(word.text[0])
        text += word.text if cjk_pair else " " + word.text
    return text
