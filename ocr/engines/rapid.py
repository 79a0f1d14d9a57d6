"""RapidOCR (PaddleOCR's PP-OCR models on onnxruntime): the default, pip-only engine."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from rapidocr import RapidOCR
from rapidocr.cal_rec_boxes.main import CalRecBoxes
from rapidocr.ch_ppocr_rec.typings import TextRecOutput
from rapidocr.utils.output import RapidOCROutput

from ocr.engines.base import check_languages
from ocr.engines.rapid_languages import RAPIDOCR_LANGUAGES
from ocr.engines.wordboxes import Piece, line_words, squashed, tokens
from ocr.textline import is_text_line
from ocr.types import PageResult, Word


class RapidOcrEngine:
    """RapidOCR with the PP-OCR models shipped inside the ``rapidocr`` wheel (no download).

    Languages: the recognition model in the wheel (PP-OCRv6 small, 18,708 characters) has the
    Latin letters with their accents (é ñ å ø æ ß ä ö ü ç õ ã ...) and Japanese kana and kanji
    besides Chinese, so it is declared for Chinese, English and the languages the upload form
    offers that it was measured on (rendered, degraded pages in
    ``tests/ocr/test_engines_rapid_languages.py``): es, it, pt, nl, sv, da, no, fi, ja. French
    and German it reads too (``auto_table.json`` routes them here) but they stay undeclared,
    so that asking RapidOCR itself for them keeps its old answer until that is decided. Not
    Russian or any Cyrillic script: the model has no Cyrillic letters (Tesseract's ``rus``
    data, Debian's ``tesseract-ocr-rus``, reads it).

    Reading order is RapidOCR's: text lines top to bottom, left to right on the same height,
    which interleaves the lines of side-by-side columns. Word confidences are the confidence
    of their line (see ``wordboxes.line_words``).

    An image that is a single text line (``ocr.textline.is_text_line``) skips detection and
    is recognised whole, as one line: detection cuts a lone line into fragments and loses
    letters at their edges, and costs ~20x the recognition. There each word's confidence is
    the lowest of its characters' (the recogniser reports one per character), so a word with
    one doubtful letter stands out for review.

    Thread safety: one ``recognize`` runs at a time per instance (a lock). ``RapidOCR`` keeps
    per-call options on the shared instance, so concurrent calls are not safe; onnxruntime
    already spreads each call over all cores (``threads``), so parallel calls would only
    compete for them. Run more processes to use more machines.
    """

    name = "rapidocr"
    languages: tuple[str, ...] = RAPIDOCR_LANGUAGES
    #: One model reads every language it has: the languages asked for change nothing
    #: (``ocr.engines.plan.same_reading``).
    language_independent = True

    def __init__(self, *, threads: int | None = None) -> None:
        """Load the models (a few seconds, once). ``threads``: onnxruntime threads per call;
        default ``OCR_THREADS`` from the environment, else one per core. Set it when several
        worker processes share a machine: each would otherwise spread over every core and
        they would slow each other down (2 processes on 2 cores measured 0.89x of one)."""
        params: dict[str, Any] = {
            # Its INFO logs say nothing a caller needs; WARNING fires on every blank page.
            "Global.log_level": "error",
            "Global.return_word_box": True,
            # Detect on the page scaled to fit 1600 px (PaddleOCR's own default is 960), not
            # scaled until its short side is 736 px, RapidOCR's default, which keeps a 300 dpi
            # page at full size: there the detector merged or dropped lines of tightly set
            # text (a whole line of kant_aufklaerung_1784_0017 was lost). Measured through
            # the pipeline, mean CER / F1, before -> after: ocrd_de 0.099 / 0.734 -> 0.060 /
            # 0.754, tapuscorpus_fr 0.172 / 0.867 -> 0.162 / 0.874, tesseract_test 0.012 /
            # 0.983 -> 0.010 / 0.984. Other settings that found the line (a lower binarisation
            # threshold, no dilation) broke the reading order of the magazine page 8087_054.3B.
            "Det.limit_type": "max",
            "Det.limit_side_len": 1600,
        }
        if threads is None and os.environ.get("OCR_THREADS", "").strip().isdigit():
            threads = max(1, int(os.environ["OCR_THREADS"]))
        if threads is not None:
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
        self._ocr = RapidOCR(params=params)
        self._lock = threading.Lock()
        self._warm_up()

    def recognize(self, image: Image.Image, *, languages: Sequence[str] = ("en",)) -> PageResult:
        """Read one prepared page; see ``ocr.engines.base.Engine`` for the contract."""
        codes = check_languages(self, languages)
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        line = is_text_line(rgb)
        with self._lock:
            started = time.perf_counter()
            # Always every switch: RapidOCR keeps a call's options for the next call.
            output = self._ocr(
                rgb if line else _padded(rgb),
                use_det=not line,
                use_cls=not line,
                use_rec=True,
                return_word_box=True,
            )
            seconds = time.perf_counter() - started
        if line:
            lines, words = _read_line(output, rgb.width, rgb.height)
        else:
            lines, words = _read(output, rgb.width, rgb.height)
        return PageResult.from_lines(
            lines=lines,
            words=words,
            engine=self.name,
            languages=codes,
            seconds=seconds,
            size=rgb.size,
        )

    def _warm_up(self) -> None:
        # RapidOCR loads its three models (detection, direction, recognition) on first use.
        # One small call with real text loads them all now, so construction is the only slow
        # step and the first page's timing is honest.
        image = Image.new("RGB", (360, 64), "white")
        font = ImageFont.load_default(size=36)
        ImageDraw.Draw(image).text((12, 10), "Warm up 42", fill="black", font=font)
        with self._lock:
            self._ocr(image, use_det=True, use_cls=True, use_rec=True, return_word_box=True)


#: RapidOCR's detector scales a page to a side limit and then to multiples of 32 px: a page
#: much longer than wide comes out 0 px across and fails (``ResizeImgError``). Such a page
#: is padded with white to at most this ratio; the words keep their coordinates.
_MAX_DETECT_ASPECT = 32


def _padded(image: Image.Image) -> Image.Image:
    """``image`` with white added below (or to the right) so that its longest side is at most
    ``_MAX_DETECT_ASPECT`` times its shortest; ``image`` itself when it already is."""
    width, height = image.size
    least = -(-max(width, height) // _MAX_DETECT_ASPECT)
    if min(width, height) >= least:
        return image
    canvas = Image.new("RGB", (max(width, least), max(height, least)), "white")
    canvas.paste(image, (0, 0))
    return canvas


def _read(output: object, width: int, height: int) -> tuple[list[str], tuple[Word, ...]]:
    """Lines and words from a RapidOCR result; an empty page gives no lines."""
    if not isinstance(output, RapidOCROutput) or not output.txts or output.boxes is None:
        return [], ()
    pieces_by_line = list(output.word_results or ())
    scores = output.scores or ()
    lines: list[str] = []
    words: list[Word] = []
    next_pieces = 0
    for text, score, polygon in zip(output.txts, scores, output.boxes, strict=True):
        line = text.strip()
        if not line:
            continue
        # word_results is not always aligned with txts in RapidOCR 3.x (a line without word
        # boxes is dropped from it), so pieces are only taken when they spell this line.
        pieces = _pieces(pieces_by_line[next_pieces]) if next_pieces < len(pieces_by_line) else None
        if pieces is not None and squashed("".join(p[0] for p in pieces)) == squashed(line):
            next_pieces += 1
        else:
            pieces = None
        lines.append(line)
        words.extend(
            line_words(line, float(score), polygon.tolist(), pieces, width=width, height=height)
        )
    return lines, tuple(words)


def _read_line(output: object, width: int, height: int) -> tuple[list[str], tuple[Word, ...]]:
    """The line and its words from a recognition-only RapidOCR result for a whole image."""
    if not isinstance(output, TextRecOutput) or not output.txts or not output.txts[0].strip():
        return [], ()
    raw = output.txts[0]
    line, score = raw.strip(), float((output.scores or (0.0,))[0])
    whole = [[0, 0], [width, 0], [width, height], [0, height]]
    pieces: list[Piece] | None = None
    confidences: list[float] = []
    if output.word_results and output.imgs is not None and len(output.imgs):
        # One per character of the text, spaces included (a WordInfo until CalRecBoxes runs,
        # though RapidOCR's types say otherwise).
        confidences = [float(c) for c in getattr(output.word_results[0], "confs", None) or ()]
        # Word boxes come from the recogniser's character columns (RapidOCR computes them only
        # after detection, so it is asked here with the whole image as the line's box).
        span = np.array([whole], dtype=np.float32)
        located = CalRecBoxes()([np.asarray(output.imgs[0])], span, output)
        pieces = _pieces(located.word_results[0]) if located.word_results else None
    words = line_words(line, score, whole, pieces, width=width, height=height)
    spans = tokens(line)
    if len(confidences) == len(raw) and len(spans) == len(words):
        lead = len(raw) - len(raw.lstrip())
        words = [
            dataclasses.replace(word, confidence=min(confidences[lead + start : lead + end]))
            for word, (_text, start, end) in zip(words, spans, strict=True)
        ]
    return [line], tuple(words)


def _pieces(candidate: object) -> list[Piece] | None:
    """``candidate`` as a list of ``(text, score, polygon)`` pieces, or None if it is not one."""
    if not isinstance(candidate, tuple | list):
        return None
    pieces: list[Piece] = []
    for item in candidate:
        if not (isinstance(item, tuple | list) and len(item) == 3 and isinstance(item[0], str)):
            return None
        if item[2] is None:
            return None
        pieces.append((item[0], float(item[1]), item[2]))
    return pieces
