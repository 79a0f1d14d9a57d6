"""Deskew: measure how far a page's text lines are tilted and straighten it.

The angle comes from projection profiles: ink pixels of a downscaled, binarised copy are
projected onto a rotated y axis, and the angle whose projection has the sharpest peaks (largest
sum of squared row counts) is the one that lines the text up. This needs no engine, costs a few
milliseconds, and ignores pictures and noise better than fitting rectangles around blobs.

Angles are in degrees, counterclockwise positive, as ``PIL.Image.rotate`` takes them: a page
whose lines climb to the right has a positive skew, and ``image.rotate(-skew)`` straightens it.
"""

from __future__ import annotations

import statistics

import cv2
import numpy as np
from PIL import Image

#: Longest side of the copy the angle is measured on. At 1600 px a 300 dpi page's body text
#: is ~8 px high: enough for line profiles, and the sweep stays a few milliseconds.
WORK_SIDE = 1600
#: Skew beyond this is not corrected: scanners and phones rarely tilt a page more, while a
#: page set at an angle on purpose (a diagonal stamp, a photo) often does.
MAX_ANGLE = 15.0
#: Below this the text lines are straight enough for every engine; rotating would only blur.
MIN_ANGLE = 0.3
#: The best angle's profile must be this much sharper than a typical wrong angle's, else the
#: page has no clear text lines (a photo, a blank page) and is left alone.
MIN_CONTRAST = 1.3
# Bicubic, not bilinear: bilinear halves the rotation's cost but read worse with Tesseract on
# the straightened English lines (uw3_lines_en mean CER 0.060 against 0.055).
_INTERPOLATION = cv2.INTER_CUBIC
# Connected blobs taller or wider than this share of the page's short side are not letters.
_MAX_GLYPH = 0.04
# Sweep: whole degrees first, then tenths around the best whole degree.
_COARSE_STEP = 1.0
_FINE_STEP = 0.1
# More ink points than this are subsampled: the profile keeps its shape, the sweep its speed.
_MAX_POINTS = 40_000


def ink_mask(image: Image.Image, *, max_side: int = WORK_SIDE) -> np.ndarray:
    """A boolean array of the dark (ink) pixels of ``image``, downscaled to ``max_side``.

    The threshold is Otsu's on the grey histogram. A page that is mostly "ink" (dark
    background, photo) gives an empty mask: nothing there to measure.
    """
    factor = max(1, -(-max(image.size) // max_side))  # ceil: the result fits in max_side
    # Reduce first (box filter: fast, keeps thin strokes as grey), then convert: fewer pixels.
    small = image.reduce(factor) if factor > 1 and image.mode in ("L", "RGB") else image
    grey = small.convert("L")
    if max(grey.size) > max_side:
        grey = grey.reduce(factor)
    pixels = np.asarray(grey)
    threshold = otsu_threshold(pixels)
    mask = pixels < threshold
    if mask.mean() > 0.5:
        return np.zeros_like(mask)
    return _glyphs_only(mask)


def line_angle(mask: np.ndarray, *, limit: float = MAX_ANGLE) -> tuple[float, float]:
    """``(angle, contrast)`` of the horizontal text lines in ``mask``, within ``±limit``.

    ``contrast`` is the best angle's profile sharpness over the median of the coarse sweep:
    about 1 when there are no lines, well above ``MIN_CONTRAST`` for a page of text.
    """
    ys, xs = np.nonzero(mask)
    if len(ys) < 100:
        return 0.0, 1.0
    if len(ys) > _MAX_POINTS:
        pick = np.random.default_rng(0).choice(len(ys), _MAX_POINTS, replace=False)
        ys, xs = ys[pick], xs[pick]
    ys = ys.astype(np.float64)
    xs = xs.astype(np.float64) - mask.shape[1] / 2  # about the centre: smaller offsets
    coarse = np.arange(-limit, limit + _COARSE_STEP / 2, _COARSE_STEP)
    scores = np.array([_sharpness(xs, ys, angle) for angle in coarse])
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - _COARSE_STEP, best + _COARSE_STEP + _FINE_STEP / 2, _FINE_STEP)
    fine_scores = np.array([_sharpness(xs, ys, angle) for angle in fine])
    angle = float(fine[int(np.argmax(fine_scores))])
    # statistics.median: np.median imports numpy.ma on first use, a quarter of a second.
    contrast = float(fine_scores.max() / max(statistics.median(scores.tolist()), 1e-9))
    return round(angle, 2), contrast


def estimate_skew(image: Image.Image, *, limit: float = MAX_ANGLE) -> float:
    """The skew of ``image``'s text lines in degrees (counterclockwise positive), or ``0.0``
    when it has no clear text lines. Assumes the page is upright or upside down."""
    angle, contrast = line_angle(ink_mask(image), limit=limit)
    return angle if contrast >= MIN_CONTRAST else 0.0


def deskew(
    image: Image.Image, *, min_angle: float = MIN_ANGLE, max_angle: float = MAX_ANGLE
) -> tuple[Image.Image, float]:
    """``(straightened image, angle it was rotated back by)``.

    Returns ``(image, 0.0)`` untouched when the skew is under ``min_angle`` or cannot be
    measured. The page keeps its size (corners turned out of it are cut, new corners are
    white), so a deskewed page fits the same pixel cap as before.
    """
    angle = estimate_skew(image, limit=max_angle)
    if abs(angle) < min_angle:
        return image, 0.0
    return rotate_page(image, -angle), angle


def rotate_page(image: Image.Image, angle: float) -> Image.Image:
    """``image`` rotated counterclockwise by ``angle`` degrees about its centre, same size,
    white corners. OpenCV rather than Pillow: about ten times faster on a 300 dpi page."""
    if image.mode not in ("L", "RGB"):
        raise ValueError(f"rotate_page takes L or RGB images, not {image.mode}")
    result = Image.fromarray(rotate_pixels(np.asarray(image), angle))
    result.info = dict(image.info)  # keep the dpi
    return result


def rotate_pixels(pixels: np.ndarray, angle: float) -> np.ndarray:
    """``rotate_page`` for a uint8 array of shape (h, w) or (h, w, 3)."""
    height, width = pixels.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    white = (255,) * (pixels.shape[2] if pixels.ndim == 3 else 1)
    return cv2.warpAffine(pixels, matrix, (width, height), flags=_INTERPOLATION, borderValue=white)


def _sharpness(xs: np.ndarray, ys: np.ndarray, angle: float) -> float:
    """Sum of squared row counts after turning the points by ``angle`` (clockwise, undoing a
    counterclockwise skew): highest when rows of ink coincide with text lines."""
    radians = np.deg2rad(angle)
    rows = ys * np.cos(radians) + xs * np.sin(radians)
    counts = np.bincount((rows - rows.min()).astype(np.int64))
    return float(np.dot(counts, counts))


def _glyphs_only(mask: np.ndarray) -> np.ndarray:
    """``mask`` without blobs too large or too small to be letters: page borders, rules,
    pictures and specks would otherwise dominate the profiles that text lines should shape."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.view(np.uint8), connectivity=8)
    limit = max(12, int(_MAX_GLYPH * min(mask.shape)))
    widths, heights = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    keep = (widths <= limit) & (heights <= limit) & (stats[:, cv2.CC_STAT_AREA] >= 3)
    keep[0] = False  # the background
    return keep[labels] if count > 1 else mask


def otsu_threshold(pixels: np.ndarray) -> int:
    """Otsu's threshold of an 8-bit image: the grey level best splitting ink from paper."""
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    weight = np.cumsum(histogram)
    mean = np.cumsum(histogram * np.arange(256))
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean[-1] * weight / total - mean) ** 2 / (weight * (total - weight))
    between = np.nan_to_num(between)
    return int(np.argmax(between)) + 1
