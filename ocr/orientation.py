"""Orientation: find whether a page lies sideways or upside down (0, 90, 180 or 270 degrees).

Engine-independent and cheap (milliseconds on a downscaled copy), in two steps:

1. Sideways or not: text lines give sharp projection profiles along them. The sharpest profile
   across rows versus across columns (each over a ±15° sweep, so skewed pages count too) says
   whether the lines run horizontally or vertically.
2. Up or down: in Latin, Greek and Cyrillic text more letters rise above the x-height
   (b d f h k l t, capitals, digits) than hang below the baseline (g j p q y). Within each text
   line the ink above the line's dense core therefore outweighs the ink below it when the page
   is upright, and the reverse when it is upside down.

Scripts without that asymmetry (Chinese, Japanese) give no verdict, and the page is left as it
is: a wrong turn costs far more than a missed one, so every doubt means "do not rotate".
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from ocr.deskew import MIN_CONTRAST, ink_mask, line_angle

#: Ink above the line cores must outweigh ink below by this ratio (or the reverse) for a
#: verdict. Upright Latin text measures 1.5-3 here; text-free noise measures about 1.
MIN_RATIO = 1.25
#: A verdict needs this many text lines: a few words are too easily dominated by one capital...
MIN_LINES = 4
#: ...unless the ratio is this clear (sparse pages: a letter with a few lines of text).
STRONG_RATIO = 2.0
MIN_LINES_IF_STRONG = 2
#: An image more than this many times wider than high is a single text line: no up/down verdict.
MAX_ASPECT = 10
#: Lines must run this much more sharply one way than the other for the page to be sideways.
SIDEWAYS_MARGIN = 1.25
# Columns of the page are measured separately, so lines of side-by-side columns that do not
# share a baseline still give clean profiles.
_STRIPS = 4


def detect_orientation(image: Image.Image) -> int:
    """The counterclockwise rotation, in degrees (0, 90, 180 or 270), that makes ``image``
    upright: pass it to ``image.rotate(angle, expand=True)``. ``0`` when in doubt."""
    return page_geometry(ink_mask(image))[0]


def page_geometry(mask: np.ndarray) -> tuple[int, float]:
    """``(rotation, skew)`` of the page whose ink mask (``ocr.deskew.ink_mask``) is ``mask``.

    ``rotation`` is as for ``detect_orientation``. ``skew`` is the tilt of the text lines in
    degrees (counterclockwise positive, see ``ocr.deskew``) once the page is turned by
    ``rotation``; ``0.0`` when there are no clear lines. One analysis serves both, so
    preparing a page measures its lines once.
    """
    across, across_contrast = line_angle(mask)
    along_contrast = line_angle(mask.T)[1]
    sideways = along_contrast >= MIN_CONTRAST and along_contrast > SIDEWAYS_MARGIN * max(
        across_contrast, 1.0
    )
    if sideways:
        # Turning by 90 makes a page that was turned by 270 upright, or one turned by 90
        # upside down: the up/down test on the turned copy tells which. Either way the
        # lines' tilt is the turned copy's (a half turn keeps it).
        turned = np.rot90(mask)
        skew = line_angle(turned)[0]
        verdict = _up_or_down(_straighten(turned, skew))
        rotation = {1: 90, -1: 270}.get(verdict, 0)
        return rotation, (skew if rotation else 0.0)
    if across_contrast < MIN_CONTRAST:
        return 0, 0.0
    verdict = _up_or_down(_straighten(mask, across))
    return (180 if verdict == -1 else 0), across


def ascender_ratio(mask: np.ndarray) -> tuple[float, int]:
    """``(ink above line cores / ink below, text lines)`` for a mask of horizontal, straight
    text lines; lines are counted in the vertical strip that has most. The ratio is above 1
    for upright Latin-like text, below 1 upside down."""
    above = below = 0.0
    lines = 0
    width = mask.shape[1]
    for index in range(_STRIPS):
        strip = mask[:, index * width // _STRIPS : (index + 1) * width // _STRIPS]
        profile = strip.sum(axis=1).astype(np.float64)
        strip_lines = 0
        for top, bottom in _runs(profile > max(1.0, 0.05 * profile.max(initial=0.0))):
            line = profile[top:bottom]
            if bottom - top < 4:
                continue  # a rule, a speck, or text too small to have a core
            # The core (x-height band) is where the line is densest; ascenders and
            # descenders are thinner strokes above and below it.
            core = np.nonzero(line >= 0.5 * line.max())[0]
            core_top, core_bottom = int(core[0]), int(core[-1]) + 1
            above += float(line[:core_top].sum())
            below += float(line[core_bottom:].sum())
            strip_lines += 1
        # The busiest strip's count, not the sum: one text line crosses every strip and must
        # count once (summing let single-line images through MIN_LINES, and they were turned).
        lines = max(lines, strip_lines)
    return (above + 1.0) / (below + 1.0), lines


def _up_or_down(mask: np.ndarray) -> int:
    """1 upright, -1 upside down, 0 no verdict."""
    height, width = mask.shape
    if width > MAX_ASPECT * height:
        # A strip this wide holds one line of text at most; broken letters (Fraktur) can still
        # split it into several "lines", whose ascender ratio says nothing about direction.
        return 0
    ratio, lines = ascender_ratio(mask)
    strong = max(ratio, 1 / ratio) >= STRONG_RATIO
    if lines < MIN_LINES and not (strong and lines >= MIN_LINES_IF_STRONG):
        return 0
    if ratio >= MIN_RATIO:
        return 1
    if ratio <= 1 / MIN_RATIO:
        return -1
    return 0


def _straighten(mask: np.ndarray, angle: float) -> np.ndarray:
    """``mask`` turned back by ``angle`` so its text lines lie level for the line profiles."""
    if abs(angle) < 0.3:
        return mask
    image = Image.fromarray(mask.astype(np.uint8) * 255)
    return np.asarray(image.rotate(-angle, resample=Image.Resampling.NEAREST)) > 0


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """``(start, end)`` of each run of True in a 1-D boolean array."""
    padded = np.concatenate(([False], flags, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
