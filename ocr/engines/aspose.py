"""Aspose.OCR for Python via .NET (``aspose-ocr-python-net``, the optional extra ``aspose``).

Settings (environment variables, read when the engine loads):

- ``ASPOSE_OCR_LICENSE``: path of the Aspose licence file. Unset: evaluation mode (below). Set
  to a missing or rejected file: the engine is unavailable (it never falls back silently).
- ``ASPOSE_OPENSSL11_DIR``: folder with ``libssl.so.1.1`` and ``libcrypto.so.1.1``, which its
  bundled .NET Core 3.1 needs on Linux (Debian 12 has only OpenSSL 3); see
  ``ocr.engines.aspose_runtime`` for why and how to get them.
- ``ASPOSE_OCR_RESOURCES``: Aspose's model folder (default ``~/.cache/aspose-ocr``).

Evaluation mode: without a licence Aspose returns only the start of a page's text (about 80
characters measured on ``phototest.tif``) followed by a ``***** Trial Licenses *****`` banner
line. Nothing is removed: the text is Aspose's, banner included, every such result has
``evaluation=True``, and each call warns with ``EvaluationModeWarning`` saying what was cut.

Do not touch ``aspose.ocr``'s classes before this engine is loaded: the first use of any of
them starts .NET, and a start without the set-up in ``aspose_runtime.start`` aborts the process.
"""

from __future__ import annotations

import importlib.util
import io
import re
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from ocr.engines import aspose_runtime
from ocr.engines.aspose_runtime import RuntimeUnavailable, Settings
from ocr.engines.base import check_languages
from ocr.engines.wordboxes import line_words, squashed
from ocr.errors import EngineUnavailable
from ocr.types import PageResult, Word

__all__ = ["LANGUAGES", "AsposeEngine", "EvaluationModeWarning", "unusable_reason"]


class EvaluationModeWarning(UserWarning):
    """Aspose.OCR ran without a licence: the page's text is truncated and carries a banner."""


#: ISO 639-1 code -> ``aspose.ocr.Language`` member. Only languages whose models ship inside
#: the wheel (the Latin-script ones; each checked to run offline with downloads turned off).
#: Chinese, Japanese, Korean, Cyrillic, Arabic and Indic scripts need models Aspose fetches from
#: the internet at run time, which this project does not do.
LANGUAGES: dict[str, str] = {
    "af": "AFR",
    "bs": "BOS",
    "ca": "CAT",
    "cs": "CES",
    "da": "DAN",
    "de": "DEU",
    "en": "ENG",
    "es": "SPA",
    "et": "EST",
    "fi": "FIN",
    "fr": "FRA",
    "gl": "GLG",
    "ha": "HAU",
    "hr": "HRV",
    "hu": "HUN",
    "id": "IND",
    "it": "ITA",
    "ku": "KMR",
    "lt": "LIT",
    "lv": "LAV",
    "ms": "MLY",
    "nl": "NLD",
    "no": "NOR",
    "nr": "NBL",
    "ny": "NYA",
    "pl": "POL",
    "pt": "POR",
    "ro": "RON",
    "rw": "KIN",
    "sk": "SLK",
    "sl": "SLV",
    "sn": "SNA",
    "so": "SOM",
    "ss": "SSW",
    "st": "SOT",
    "sv": "SWE",
    "sw": "SWH",
    "tk": "TUK",
    "tl": "TGL",
    "tn": "TSN",
    "tr": "TUR",
    "ts": "TSO",
    "vi": "VIE",
    "xh": "XHO",
    "yo": "YOR",
    "zu": "ZUL",
}
#: Used for no language or several: Aspose takes one language per call, and its LATIN model
#: reads all of the languages above.
_ANY_LATIN = "LATIN"

#: The line evaluation mode appends, e.g. " ************* Trial Licenses ************* ".
_BANNER = re.compile(r"^\s*\*+\s*trial\s+licen[cs]es?\s*\*+\s*$", re.IGNORECASE)


def unusable_reason() -> str | None:
    """Registry probe: why the engine cannot run here (with the fix), or None.

    Checks the settings, then starts the .NET runtime once in a child process (about a
    second, remembered for the process) because a failed start would kill this one.
    """
    try:
        if importlib.util.find_spec("aspose.ocr") is None:
            return "install the optional extra aspose (the Python package aspose-ocr-python-net)"
    except ImportError:  # "aspose" is another Aspose product's namespace without ocr
        return "install the optional extra aspose (the Python package aspose-ocr-python-net)"
    try:
        aspose_runtime.trial_start(Settings.from_env())
    except RuntimeUnavailable as exc:
        return str(exc)
    return None


@dataclass(frozen=True, slots=True)
class _Line:
    """One line as Aspose located it: its full text, box and confidence."""

    text: str
    box: tuple[int, int, int, int]  # x, y, width, height, as Aspose gives it
    confidence: float


class AsposeEngine:
    """Aspose.OCR through its bundled .NET runtime (see the module docstring for settings).

    Words: Aspose gives boxes per line only (its per-character boxes from
    ``recognize_characters`` cost a second full recognition and came out of order and
    misplaced in evaluation mode), so each word gets the slice of its line box proportional
    to its position in the line, as ``wordboxes.line_words`` does. Confidence is the line's
    (Aspose reports 0.0 for every line in evaluation mode).

    Thread safety: one ``recognize`` runs at a time per process (a lock); the .NET objects
    are shared and Aspose spreads one call over the cores itself. The runtime is started
    once per process and cannot be restarted with other settings.
    """

    name = "aspose"
    languages: tuple[str, ...] = tuple(sorted(LANGUAGES))

    def __init__(self, *, threads: int | None = None) -> None:
        """Start the runtime (after a trial start in a child process), apply the licence,
        and warm up. Raises ``EngineUnavailable`` with the reason and the fix.
        ``threads``: Aspose's threads per call, default its own choice."""
        try:
            settings = Settings.from_env()
            aspose_runtime.trial_start(settings)
        except RuntimeUnavailable as exc:
            raise _unavailable(str(exc)) from exc
        self._ocr_module: ModuleType = aspose_runtime.start(settings)
        self.licensed = self._apply_license(settings)
        self.license_file = settings.license
        self._threads = threads
        self._api: Any = self._ocr_module.AsposeOcr()
        self._lock = threading.Lock()
        self._warm_up()

    def recognize(self, image: Image.Image, *, languages: Sequence[str] = ("en",)) -> PageResult:
        """Read one prepared page; see ``ocr.engines.base.Engine`` for the contract.

        In evaluation mode the result has ``evaluation=True``, its text is what Aspose
        returned (truncated, banner line last), and an ``EvaluationModeWarning`` is issued.
        The banner line has no words, so there ``words`` spell the text less its banner.
        """
        codes = check_languages(self, languages)
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        png = io.BytesIO()
        rgb.save(png, format="PNG", compress_level=1)  # fast: it is decoded again at once
        language = LANGUAGES[codes[0]] if len(codes) == 1 else _ANY_LATIN
        with self._lock:
            started = time.perf_counter()
            text, lines, notes = self._read(png.getvalue(), language)
            seconds = time.perf_counter() - started
        page_lines = [line.strip() for line in text.splitlines() if line.strip()]
        words = _words(page_lines, lines, rgb.width, rgb.height)
        signs = evaluation_signs(page_lines, lines, notes)
        evaluation = not self.licensed or bool(signs)
        if evaluation:
            warnings.warn(
                "Aspose.OCR ran in evaluation mode (no licence in ASPOSE_OCR_LICENSE): "
                + ("; ".join(signs) or "its output may be truncated")
                + ". The result is marked evaluation=True.",
                EvaluationModeWarning,
                stacklevel=2,
            )
        return PageResult.from_lines(
            lines=page_lines,
            words=words,
            engine=self.name,
            languages=codes,
            seconds=seconds,
            size=rgb.size,
            evaluation=evaluation,
        )

    def _read(self, png: bytes, language: str) -> tuple[str, list[_Line], list[str]]:
        """Aspose's text, located lines and warnings for one PNG (call with the lock held).

        Everything is copied into Python values here, so no .NET object outlives the lock.
        """
        ocr = self._ocr_module
        source = ocr.OcrInput(ocr.InputType.SINGLE_IMAGE)
        source.add(io.BytesIO(png))
        settings = ocr.RecognitionSettings()
        settings.language = getattr(ocr.Language, language)
        if self._threads is not None:
            settings.threads_count = self._threads
        results = list(self._api.recognize(source, settings))
        if not results:
            return "", [], []
        result = results[0]
        lines = [
            _Line(
                text=str(line.text_in_line or ""),
                box=(
                    int(line.line.x),
                    int(line.line.y),
                    int(line.line.width),
                    int(line.line.height),
                ),
                confidence=_unit(float(line.confidence or 0.0)),
            )
            for line in (result.recognition_lines_result or ())
        ]
        notes = [str(note) for note in (result.warnings or ())]
        return str(result.recognition_text or ""), lines, notes

    def _apply_license(self, settings: Settings) -> bool:
        if settings.license is None:
            return False
        holder = self._ocr_module.License()
        try:
            holder.set_license(str(settings.license))
        except Exception as exc:  # the trial start accepted it; report rather than crash
            raise _unavailable(f"Aspose.OCR rejected the licence file ({exc})") from exc
        return bool(holder.is_licensed)

    def _warm_up(self) -> None:
        # The first recognition loads Aspose's models (about 2 s); do it now, so that loading
        # is the only slow step and the first page's timing is honest.
        image = Image.new("RGB", (360, 64), "white")
        font = ImageFont.load_default(size=36)
        ImageDraw.Draw(image).text((12, 10), "Warm up 42", fill="black", font=font)
        png = io.BytesIO()
        image.save(png, format="PNG")
        with self._lock:
            self._read(png.getvalue(), "ENG")


def evaluation_signs(
    page_lines: Sequence[str], lines: Sequence[_Line], notes: Sequence[str]
) -> list[str]:
    """What in one result shows evaluation mode, in words for the warning; empty if nothing.

    Looks for the trial banner line, Aspose's "Trial" warnings, and truncation: returned text
    shorter than the lines Aspose located (it locates more than it returns).
    """
    signs: list[str] = []
    if any(_BANNER.match(line) for line in page_lines):
        signs.append('the text ends with Aspose\'s "Trial Licenses" banner line')
    elif any("trial" in note.lower() for note in notes):
        signs.append("Aspose reported a trial licence")
    returned = sum(len(squashed(line)) for line in page_lines if not _BANNER.match(line))
    located = sum(len(squashed(line.text)) for line in lines)
    if located > returned:
        signs.append(
            f"the text is truncated: {returned} of at least {located} characters it read "
            "were returned"
        )
    return signs


def _words(
    page_lines: Sequence[str], lines: Sequence[_Line], width: int, height: int
) -> tuple[Word, ...]:
    """Words of the returned lines, each boxed within the located line it is (a prefix of).

    Returned lines are matched in order to Aspose's located lines; a truncated last line
    gets the matching fraction of its line's box. A line with no match (the banner) gets
    no words.
    """
    words: list[Word] = []
    next_line = 0
    for text in page_lines:
        wanted = squashed(text)
        match = next(
            (
                index
                for index in range(next_line, len(lines))
                if wanted and squashed(lines[index].text).startswith(wanted)
            ),
            None,
        )
        if match is None:
            continue
        next_line = match + 1
        line = lines[match]
        x, y, w, h = line.box
        # A truncated line covers the part of the box its characters take.
        w = round(w * min(1.0, len(text) / max(len(line.text.strip()), 1)))
        polygon = [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]
        words.extend(line_words(text, line.confidence, polygon, None, width=width, height=height))
    return tuple(words)


def _unit(confidence: float) -> float:
    """Aspose's confidence in 0..1 (percentages are scaled down)."""
    if confidence > 1.0:
        confidence /= 100.0
    return min(max(confidence, 0.0), 1.0)


def _unavailable(reason: str) -> EngineUnavailable:
    from ocr.engines import available_engines  # the registry imports this module lazily

    return EngineUnavailable("aspose", available_engines(), reason=reason)
