"""Pieces of a page's text lines, cut from the page image, for the line direction classifier.

Lines are found on a grey copy of the page turned and straightened as ``ocr.orientation``
measured, reduced to ``WORK_SIDE``, binarised locally: letters smeared together along the
line make long flat blobs of a height typical of the page's lines, while specks, rules,
stamps, pen strokes and pictures make short, thin or tall ones. Each line is cut into pieces
about four times as wide as high: the classifier's input is 48 x 192, and a whole line
squeezed into it loses its letters' shapes.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

#: Longest side of the grey copy lines are found and cut in: twice the orientation mask's
#: (``ocr.deskew.WORK_SIDE``), so a 300 dpi page's body text is ~16 px high, a third of the
#: classifier's input height.
WORK_SIDE = 3200

#: At most this many pieces per page: enough votes, a few milliseconds of classification.
MAX_PIECES = 12
#: Pieces are this many times as wide as high (the classifier's 192 / 48).
PIECE_ASPECT = 4
# A band is a line when its height is within these factors of the median band height.
_LINE_HEIGHT_RANGE = (0.6, 1.6)
# A piece holds text when this share of its pixels is ink (a blank stretch or a solid blot
# is not a line).
_INK_RANGE = (0.06, 0.6)
# Rows are cleared between lines per vertical strip of the page (columns, slight tilt).
_STRIPS = 8
#: Gaps up to this many letter heights are closed along a line: word spaces. Wider (2)
#: also joins letter-spaced titles, but then joins neighbouring lines of a page lying
#: sideways into blobs the classifier reads as upright text (Chinese most of all).
JOIN = 1.0
_GAP_ROW = 0.15
# How much darker than its neighbourhood's mean a pixel must be to count as ink.
_LOCAL_CONTRAST = 25
# Bands thinner than this many mask pixels are rules or specks, not text.
_MIN_BAND = 3


def line_pieces(
    image: Image.Image, *, quarter_turns: int, skew: float, join: float = JOIN
) -> list[np.ndarray]:
    """Grey pieces (dark text on light) of the text lines of ``image`` once turned
    counterclockwise by ``quarter_turns`` and straightened by ``skew`` degrees (what
    ``ocr.orientation`` measured); ``join``: gaps up to this many letter heights join
    letters into a line. Empty when nothing looks like a text line."""
    grey = _turned_grey(image, quarter_turns, skew)
    ink = _half_ink(grey)
    if ink.mean() > 0.5:
        return []  # a dark page or a photo: no lines of dark text to classify
    pieces: list[np.ndarray] = []
    for box in _line_boxes(ink, join):
        top, bottom, left, right = (2 * value for value in box)
        pad = (bottom - top) // 4
        y0, y1 = max(0, top - pad), min(grey.shape[0], bottom + pad)
        width = PIECE_ASPECT * (y1 - y0)
        x = left
        while x + width // 2 < right and len(pieces) < 4 * MAX_PIECES:
            end = min(x + width, right)
            share = float(ink[top // 2 : bottom // 2, x // 2 : max(x // 2 + 1, end // 2)].mean())
            if _INK_RANGE[0] <= share <= _INK_RANGE[1]:
                pieces.append(grey[y0:y1, x:end])
            x += width
    if len(pieces) > MAX_PIECES:
        # Spread over the page rather than the first lines only.
        picks = np.linspace(0, len(pieces) - 1, MAX_PIECES).round().astype(int)
        pieces = [pieces[index] for index in picks]
    return pieces


def _line_boxes(mask: np.ndarray, join: float) -> list[tuple[int, int, int, int]]:
    """``(top, bottom, left, right)`` in mask pixels of each stretch of text line: letters
    smeared together along the line (gaps up to about a letter's height closed) form long
    flat blobs, while specks, pen strokes and stamps stay short or tall."""
    ink = _cut_between_lines(mask)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    letters = heights[(heights >= 3) & (stats[1:, cv2.CC_STAT_AREA] >= 6)]
    if count < 2 or not len(letters):
        return []
    letter = float(np.median(letters))
    closed = cv2.dilate(ink, np.ones((1, max(3, round(join * letter))), dtype=np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    left, top = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_TOP]
    width, height = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    rows, columns = mask.shape
    # Blobs touching the image's edge are the page's edge, a scanner's border or a binding.
    inside = (left > 0) & (top > 0) & (left + width < columns) & (top + height < rows)
    flat = inside & (height >= _MIN_BAND) & (width >= PIECE_ASPECT * height)
    if not flat.any():
        return []
    # The typical line height, weighted by length: many short flat bits (fragments of pen
    # strokes, dashes) must not outvote a page's long text lines.
    order = np.argsort(height[flat])
    lengths = np.cumsum(width[flat][order])
    median = float(height[flat][order][np.searchsorted(lengths, lengths[-1] / 2)])
    low, high = _LINE_HEIGHT_RANGE
    keep = flat & (height >= low * median) & (height <= high * median)
    return [
        (int(y), int(y + h), int(x), int(x + w))
        for x, y, w, h in zip(left[keep], top[keep], width[keep], height[keep], strict=True)
    ]


def _cut_between_lines(mask: np.ndarray) -> np.ndarray:
    """``mask`` as uint8 with the rows between text lines cleared, strip by strip: a pen
    stroke or a stamp's ring crossing several lines would otherwise join them into one blob.
    A row is between lines where it holds less than ``_GAP_ROW`` of its strip's fullest
    row's ink (strokes and specks add little to a row; letters a lot)."""
    ink = mask.astype(np.uint8)
    width = ink.shape[1]
    for index in range(_STRIPS):
        left, right = index * width // _STRIPS, (index + 1) * width // _STRIPS
        profile = ink[:, left:right].sum(axis=1)
        gaps = profile < _GAP_ROW * max(1, int(profile.max(initial=0)))
        ink[gaps, left:right] = 0
    return ink


def _half_ink(grey: np.ndarray) -> np.ndarray:
    """The ink of ``grey`` at half its resolution: lines are found there, a quarter of the
    pixels to label, and they stay several pixels high. A local threshold (darker than the
    neighbourhood's mean by ``_LOCAL_CONTRAST``), not Otsu's global one: faint typescript
    beside a bold stamp or number would fall under a global threshold."""
    half = cv2.resize(grey, (max(1, grey.shape[1] // 2), max(1, grey.shape[0] // 2)),
                      interpolation=cv2.INTER_AREA)  # fmt: skip
    block = 2 * max(7, max(half.shape) // 60) + 1
    ink: np.ndarray = (
        cv2.adaptiveThreshold(
            half, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, _LOCAL_CONTRAST
        )
        > 0
    )
    return ink


def _turned_grey(image: Image.Image, quarter_turns: int, skew: float) -> np.ndarray:
    """``image`` in grey, reduced to about ``WORK_SIDE`` on its longest side, turned and
    straightened."""
    factor = max(1, -(-max(image.size) // WORK_SIDE))
    small = image.reduce(factor) if factor > 1 and image.mode in ("L", "RGB") else image
    grey = np.rot90(np.asarray(small.convert("L")), quarter_turns)
    if abs(skew) >= 0.3:
        rows, columns = grey.shape
        matrix = cv2.getRotationMatrix2D((columns / 2, rows / 2), -skew, 1.0)
        grey = cv2.warpAffine(
            np.ascontiguousarray(grey),
            matrix,
            (columns, rows),
            flags=cv2.INTER_LINEAR,
            borderValue=255,
        )
    return np.ascontiguousarray(grey)
