"""Turn an engine's line and word polygons into ``Word`` values with axis-aligned boxes.

Engines report a line's text plus pieces of it with polygons: whole words, single characters
(CJK, or any character of a line that mixes scripts), or a word cut in two where a gap in the
print fooled the recogniser. ``line_words`` rebuilds the line's words from those pieces, so every
engine yields the same unit: a whitespace-separated word, or a single CJK character (CJK is
written without spaces and is searched by characters).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ocr.types import Word

#: A polygon as engines give it: corner points ``[x, y]``, in image pixels.
Polygon = Sequence[Sequence[float]]
#: One piece of a line: its text, a score (ignored, see ``line_words``) and its polygon.
Piece = tuple[str, float, Polygon]
Box = tuple[int, int, int, int]


def is_cjk(char: str) -> bool:
    """True for characters written without spaces between words: Han, CJK punctuation,
    full-width forms. Each becomes a word of its own."""
    return (
        "\u4e00" <= char <= "\u9fff"
        or "\u3400" <= char <= "\u4dbf"
        or "\uf900" <= char <= "\ufaff"
        or "\u3000" <= char <= "\u303f"
        or "\uff00" <= char <= "\uffef"
    )


def tokens(line: str) -> list[tuple[str, int, int]]:
    """The words of ``line`` as ``(text, start, end)`` character offsets."""
    found: list[tuple[str, int, int]] = []
    start: int | None = None
    for index, char in enumerate(line):
        if char.isspace() or is_cjk(char):
            if start is not None:
                found.append((line[start:index], start, index))
                start = None
            if not char.isspace():
                found.append((char, index, index + 1))
        elif start is None:
            start = index
    if start is not None:
        found.append((line[start:], start, len(line)))
    return found


def polygon_box(polygon: Polygon, width: int, height: int) -> Box:
    """The smallest integer box around ``polygon``, clipped to the image."""
    xs = [float(point[0]) for point in polygon]
    ys = [float(point[1]) for point in polygon]
    x0 = min(max(math.floor(min(xs)), 0), width)
    y0 = min(max(math.floor(min(ys)), 0), height)
    x1 = min(max(math.ceil(max(xs)), x0), width)
    y1 = min(max(math.ceil(max(ys)), y0), height)
    return (x0, y0, x1, y1)


def union(boxes: Sequence[Box]) -> Box:
    """The box around all ``boxes`` (at least one)."""
    return (
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )


def squashed(text: str) -> str:
    """``text`` without white space: how pieces and lines are compared."""
    return "".join(text.split())


def line_words(
    line: str,
    confidence: float,
    line_polygon: Polygon,
    pieces: Sequence[Piece] | None,
    *,
    width: int,
    height: int,
) -> list[Word]:
    """The words of one recognised line, in order, each with ``confidence``.

    ``pieces`` are used for the boxes when they spell out exactly the line's words; otherwise
    (missing or not matching) each word gets a slice of the line box proportional to its
    position in the text. The piece scores are not used: RapidOCR 3.x pairs the i-th piece with
    the i-th *character's* score, so they do not describe the words.
    """
    words = tokens(line)
    if pieces:
        merged = _merge(words, pieces, confidence, width, height)
        if merged is not None:
            return merged
    return _split_line(words, len(line), confidence, polygon_box(line_polygon, width, height))


def _merge(
    words: list[tuple[str, int, int]],
    pieces: Sequence[Piece],
    confidence: float,
    width: int,
    height: int,
) -> list[Word] | None:
    """Group consecutive pieces into ``words``; None as soon as they do not spell them."""
    remaining = iter(pieces)
    result: list[Word] = []
    for word, _start, _end in words:
        spelled = ""
        boxes: list[Box] = []
        while spelled != word:
            piece = next(remaining, None)
            if piece is None:
                return None
            spelled += squashed(piece[0])
            boxes.append(polygon_box(piece[2], width, height))
            if not word.startswith(spelled):
                return None
        result.append(Word(word, union(boxes), confidence))
    if next(remaining, None) is not None:
        return None
    return result


def _split_line(
    words: list[tuple[str, int, int]], length: int, confidence: float, box: Box
) -> list[Word]:
    x0, y0, x1, y1 = box
    # A line much taller than wide is vertical CJK text: its words run top to bottom.
    vertical = (y1 - y0) >= 1.5 * (x1 - x0) and length > 1
    low, high = (y0, y1) if vertical else (x0, x1)
    span = (high - low) / max(length, 1)
    result: list[Word] = []
    for word, start, end in words:
        a, b = low + math.floor(start * span), low + math.ceil(end * span)
        b = min(b, high)
        result.append(Word(word, (x0, a, x1, b) if vertical else (a, y0, b, y1), confidence))
    return result
