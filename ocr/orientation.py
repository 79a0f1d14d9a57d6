"""Orientation: find whether a page lies sideways or upside down (0, 90, 180 or 270 degrees).

Engine-independent and cheap (milliseconds on a downscaled copy), in two steps:

1. Sideways or not: text lines give sharp projection profiles along them. The sharpest profile
   across rows versus across columns (each over a ±15° sweep, so skewed pages count too) says
   whether the lines run horizontally or vertically.
2. Up or down: in Latin, Greek and Cyrillic text more letters rise above the x-height
   (b d f h k l t, capitals, digits) than hang below the baseline (g j p q y). Within each text
   line the ink above the line's dense core therefore outweighs the ink below it when the page
   is upright, and the reverse when it is upside down.

The ink profile is cheap but can be fooled: specks, a fax's streaks, a stamp or pen strokes
add ink above or below the lines, and a number printed sideways in the margin sharpens the
wrong profile (2 of 93 upright real pages were turned upside down by it alone). So when the
page image is at hand, a turn needs a second, independent witness that looks at the glyphs
themselves: PP-OCR's text-line direction classifier (``ocr.direction``), run on pieces of the
page's own text lines cut from the candidate orientation. The page is turned only when the
classifier clearly says so, and the more clearly the less the ink profile agrees
(``REQUIRED_LOG_ODDS``). The classifier also decides alone where the ink profile has no verdict
(Chinese and Japanese pages, which have no ascenders).

A wrong turn costs far more than a missed one (the page is read backwards), so every doubt
means "do not rotate".
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from ocr.deskew import MIN_CONTRAST, ink_mask, line_angle
from ocr.direction import get_classifier
from ocr.linepieces import JOIN, line_pieces

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
#: A classifier vote counts as confident when its probability is at least this far from even.
CONFIDENT = 0.9
#: A turn needs pieces of at least this many lines and this many confident votes for it...
MIN_VOTES = 3
#: ...and the pieces' mean log-odds of "upside down" at least this, by what the ink profile
#: says: little where it agrees (upside down), more where it has no verdict (CJK, noise),
#: much more where it says "upright" (measured on the test pages and degraded copies of
#: them: upright pages reached 0.06, 0.40 and 1.76 for the three verdicts, pages turned by
#: 180 degrees 0.6-6.9, Chinese ones 6.7-6.9).
REQUIRED_LOG_ODDS = {-1: 0.6, 0: 2.0, 1: 4.0}
#: Lines are joined across gaps of this many letter heights when word spaces gave no
#: confident vote (see ``ocr.linepieces.JOIN``).
LOOSE_JOIN = 2.0
# Columns of the page are measured separately, so lines of side-by-side columns that do not
# share a baseline still give clean profiles.
_STRIPS = 4


def detect_orientation(image: Image.Image) -> int:
    """The counterclockwise rotation, in degrees (0, 90, 180 or 270), that makes ``image``
    upright: pass it to ``image.rotate(angle, expand=True)``. ``0`` when in doubt."""
    return page_geometry(ink_mask(image), image)[0]


def page_geometry(mask: np.ndarray, image: Image.Image | None = None) -> tuple[int, float]:
    """``(rotation, skew)`` of the page whose ink mask (``ocr.deskew.ink_mask``) is ``mask``.

    ``rotation`` is as for ``detect_orientation``. With the page ``image`` (of which ``mask``
    is the reduced ink) the line classifier confirms or vetoes every turn and decides where
    the ink profile cannot (see the module docstring); without it, or without the classifier
    installed, the ink profile decides alone. ``skew`` is the tilt of the text lines in
    degrees (counterclockwise positive, see ``ocr.deskew``) once the page is turned by
    ``rotation``; ``0.0`` when there are no clear lines. One analysis serves both, so
    preparing a page measures its lines once.
    """
    across, across_contrast = line_angle(mask)
    along_contrast = line_angle(mask.T)[1]
    sideways = along_contrast >= MIN_CONTRAST and along_contrast > SIDEWAYS_MARGIN * max(
        across_contrast, 1.0
    )
    if sideways and image is not None and get_classifier() is not None:
        # Numbers printed sideways in the margin can sharpen the sideways profile of an
        # upright page. The classifier is sure of real text lines in either direction, and
        # unsure of pieces cut across them: sideways needs more sure votes that way.
        upright_votes = _votes(image, quarter_turns=0, skew=across)
        sideways_votes = _votes(image, quarter_turns=1, skew=line_angle(np.rot90(mask))[0])
        sideways = sum(sideways_votes[1:]) > sum(upright_votes[1:])
    if sideways:
        # Turning by 90 makes a page that was turned by 270 upright, or one turned by 90
        # upside down: the up/down test on the turned copy tells which. Either way the
        # lines' tilt is the turned copy's (a half turn keeps it).
        turned = np.rot90(mask)
        skew = line_angle(turned)[0]
        straight = _straighten(turned, skew)
        verdict = _up_or_down(straight)
        if image is not None:
            votes = _classifier_votes(
                straight,
                image,
                quarter_turns=1,
                skew=skew,
                profile=verdict,
                strong=_strong(straight),
            )
            if votes is not None:
                # The classifier decides between the two sideways turns; an unclear vote
                # means no turn, unless a strong profile and the classifier lean the same way
                # (margin numbers printed sideways make an upright page look sideways to the
                # profile, not to the classifier: that was settled above).
                verdict = votes
        rotation = {1: 90, -1: 270}.get(verdict, 0)
        return rotation, (skew if rotation else 0.0)
    if across_contrast < MIN_CONTRAST:
        return 0, 0.0
    straight = _straighten(mask, across)
    verdict = _up_or_down(straight)
    if image is not None and not (verdict == 1 and ascender_ratio(straight)[0] >= STRONG_RATIO):
        # (Clearly upright by the profile is left alone at once: most pages, at no cost.)
        votes = _classifier_votes(straight, image, quarter_turns=0, skew=across, profile=verdict)
        if votes is not None:
            # Turned only when the classifier says so, with the more evidence the less the
            # ink profile agrees; otherwise the page stays as it is.
            verdict = votes
    return (180 if verdict == -1 else 0), across


def _classifier_votes(
    straight: np.ndarray,
    image: Image.Image,
    *,
    quarter_turns: int,
    skew: float,
    profile: int,
    strong: bool = False,
) -> int | None:
    """The line classifier's verdict on the text lines of ``image`` turned by
    ``quarter_turns`` counterclockwise and straightened by ``skew`` (``straight`` is its ink
    mask so turned), given the ink profile's verdict ``profile``: 1 upright, -1 upside down,
    0 unclear (only for a sideways page, ``quarter_turns`` odd: an upright page stays
    upright unless clearly upside down); None when the classifier is not installed."""
    if get_classifier() is None:
        return None
    log_odds, votes_down, votes_up = _votes(image, quarter_turns=quarter_turns, skew=skew)
    down = _clear(log_odds, votes_down, votes_up, profile=profile)
    if quarter_turns % 2:
        # Sideways either way: the classifier decides which, by the same rule both ways.
        up = _clear(-log_odds, votes_up, votes_down, profile=-profile)
        if not (down or up) and strong and profile:
            # Split votes on a page already found sideways (a typescript whose letters the
            # classifier half knows): a ``strong`` profile decides when the classifier leans
            # its way, by mean and by confident votes (lost 90/270 turns on tapuscorpus).
            lean = -log_odds * profile > 0 and (votes_down - votes_up) * -profile > 0
            return profile if lean else 0
        return -1 if down else 1 if up else 0
    return -1 if down else 1


def _clear(log_odds: float, votes_for: int, votes_against: int, *, profile: int) -> bool:
    """Whether the classifier clearly says "upside down" (``log_odds`` of it, confident votes
    for and against), needing the more the less the ink profile (``profile``: 1 upright, -1
    upside down, 0 no verdict) agrees. Where it agrees, a sparse page's few lines may carry
    the vote."""
    least = 1 if profile == -1 else MIN_VOTES
    return log_odds >= REQUIRED_LOG_ODDS[profile] and votes_for >= max(least, 2 * votes_against)


def _votes(image: Image.Image, *, quarter_turns: int, skew: float) -> tuple[float, int, int]:
    """``(mean log-odds of upside down, confident votes down, confident votes up)`` of the
    classifier over the line pieces of ``image`` turned and straightened so; ``(0.0, 0, 0)``
    without pieces or classifier.

    Lines are joined across word spaces first; only when that gives no confident vote at all
    (a title page of letter-spaced capitals) across wider gaps (``LOOSE_JOIN``)."""
    classifier = get_classifier()
    if classifier is None:
        return 0.0, 0, 0
    result = 0.0, 0, 0
    for join in (JOIN, LOOSE_JOIN):
        pieces = line_pieces(image, quarter_turns=quarter_turns, skew=skew, join=join)
        if not pieces:
            continue
        down = np.clip(classifier.upside_down(pieces), 1e-3, 1 - 1e-3)
        log_odds = float(np.mean(np.log(down / (1 - down))))
        result = log_odds, int((down >= CONFIDENT).sum()), int((down <= 1 - CONFIDENT).sum())
        if result[1] or result[2]:
            break
    return result


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


def _strong(mask: np.ndarray) -> bool:
    """Whether the ink profile of ``mask`` (level text lines) is clear beyond doubt: an
    ascender ratio of ``STRONG_RATIO`` either way over at least ``MIN_LINES`` lines."""
    ratio, lines = ascender_ratio(mask)
    return lines >= MIN_LINES and max(ratio, 1 / ratio) >= STRONG_RATIO


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
