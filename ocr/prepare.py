"""Turn a decoded page into the image an OCR engine reads (and the web app displays).

Word boxes are coordinates in the prepared image, so whoever shows the boxes must show this
image (or scale by ``PageResult.width``/``height``).
"""

from __future__ import annotations

import struct

import cv2
import numpy as np
from PIL import ExifTags, Image, ImageOps

from ocr.deskew import MAX_ANGLE, MIN_ANGLE, MIN_CONTRAST, ink_mask, line_angle, rotate_pixels
from ocr.orientation import page_geometry
from ocr.textline import is_text_line

#: Longest side of a prepared page, in pixels. A4 or Letter scanned at 300 dpi (3508 / 3300 px)
#: passes untouched; 400-600 dpi scans come down to about 300-350 dpi for a page, where body
#: text is still 30+ pixels high: plenty for any engine (RapidOCR itself detects text at up to
#: 2000 px), while an RGB page stays under 48 MB however large the scan.
DEFAULT_MAX_SIDE = 4000

# Counterclockwise quarter turns as Pillow's lossless transposes.
_TURNS = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}
# The same turns in OpenCV, for pages that are also downscaled or deskewed.
_CV_TURNS = {
    90: cv2.ROTATE_90_COUNTERCLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_CLOCKWISE,
}
# Modes with an alpha band, flattened onto white (paper) rather than black.
_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
# Modes with more than 8 bits per sample.
_WIDE_MODES = frozenset({"I", "F", "I;16", "I;16L", "I;16B", "I;16N"})
# What reading a damaged EXIF block can raise; such a block is ignored, not fatal.
_EXIF_ERRORS = (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, struct.error)


def prepare(
    image: Image.Image,
    *,
    max_side: int = DEFAULT_MAX_SIDE,
    orient: bool = True,
    deskew: bool = True,
) -> Image.Image:
    """Return ``image`` upright, in RGB on a white background, longest side <= ``max_side``.

    Steps, in order: EXIF orientation, alpha flattened onto white, any mode (1, L, P, CMYK,
    16-bit, ...) to 8-bit RGB, downscale, then (each can be turned off) a quarter or half turn
    for a page lying sideways or upside down (``ocr.orientation``) and straightening of
    tilted text lines (``ocr.deskew``). Both leave a page alone when in doubt. ``image`` is
    never modified; the result is ``image`` itself when nothing had to change. Raises
    ValueError for a non-positive ``max_side``.
    """
    if max_side <= 0:
        raise ValueError(f"max_side must be positive, not {max_side}")
    image = upright(image)
    # A grey page stays one band until it is downscaled: a third of the memory of RGB at full
    # size (169 MB instead of 507 MB for 13000 x 13000 px) and the same pixels in the end
    # (grey to RGB copies the value into each band; the downscale treats bands alike).
    image = to_working(image)
    if not (orient or deskew):
        return to_rgb(limit_size(image, max_side))
    # The geometry is measured first, on the ink mask (a copy reduced to ``WORK_SIDE``
    # whatever the page's size), so that the downscale, the turn and the deskew then run as
    # one pass over the pixels: moving a full RGB page between Pillow and NumPy costs about
    # as much as rotating it, so it is done once.
    rotation, skew = straighten_plan(image, orient=orient, deskew=deskew)
    return to_rgb(transform(image, max_side=max_side, rotation=rotation, skew=skew))


def straighten(image: Image.Image, *, orient: bool = True, deskew: bool = True) -> Image.Image:
    """Turn ``image`` upright (0/90/180/270, if ``orient``) and undo a small tilt of its text
    lines (if ``deskew``, only between ``MIN_ANGLE`` and ``MAX_ANGLE`` degrees)."""
    rotation, skew = straighten_plan(image, orient=orient, deskew=deskew)
    return transform(image, max_side=max(image.size), rotation=rotation, skew=skew)


def transform(
    image: Image.Image, *, max_side: int, rotation: int = 0, skew: float = 0.0
) -> Image.Image:
    """``image`` downscaled to ``max_side``, turned counterclockwise by ``rotation`` (0, 90,
    180 or 270 degrees), then turned back by ``skew`` degrees: one round trip through NumPy.

    Returns ``image`` itself when nothing changes; a quarter turn alone is Pillow's lossless
    transpose. Modes other than L and RGB come out as RGB. The dpi in ``info`` follows the
    downscale.
    """
    if rotation not in (0, *_TURNS):
        raise ValueError(f"rotation must be 0, 90, 180 or 270, not {rotation}")
    width, height = image.size
    scale = min(1.0, max_side / max(width, height))
    size = limited_size(image.size, max_side)
    if scale == 1.0 and not skew:
        if not rotation:
            return image
        # Exact quarter turns: lossless, and the dpi stays true (Pillow drops info here).
        turned = image.transpose(_TURNS[rotation])
        turned.info = dict(image.info)
        return turned
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    pixels = np.asarray(image)
    if scale < 1.0:
        # Area averaging: the filter for shrinking (thin strokes are averaged, not aliased),
        # and in OpenCV several times faster than Pillow's Lanczos on a large page.
        pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
    if rotation:
        pixels = cv2.rotate(pixels, _CV_TURNS[rotation])
    if skew:
        pixels = rotate_pixels(pixels, -skew)
    result = Image.fromarray(pixels)  # uint8 (h, w, 3) is RGB, (h, w) is L
    result.info = _scaled_info(image.info, scale)
    return result


def line_skew(mask: np.ndarray) -> float:
    """The skew of a mask's horizontal text lines, ``0.0`` when they are not clear."""
    angle, contrast = line_angle(mask)
    return angle if contrast >= MIN_CONTRAST else 0.0


def upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation tag (phones store photos sideways and set it)."""
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        if orientation in range(2, 9):
            return ImageOps.exif_transpose(image)
    except _EXIF_ERRORS:
        pass  # a damaged EXIF block: keep the image as stored
    return image


def to_working(image: Image.Image) -> Image.Image:
    """``image`` as one grey band (modes 1 and L, opaque) or else as RGB (``to_rgb``): what
    the geometry and the downscale work on before the page is made RGB."""
    if image.mode in ("1", "L") and "transparency" not in image.info:
        return image if image.mode == "L" else image.convert("L")
    return to_rgb(image)


def limited_size(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """The size ``limit_size`` and ``transform`` give an image of ``size``: the longest side
    at most ``max_side``, the aspect ratio kept (computed without any pixels)."""
    width, height = size
    scale = min(1.0, max_side / max(width, height))
    if scale == 1.0:
        return width, height
    return max(1, round(width * scale)), max(1, round(height * scale))


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB; transparent areas become white."""
    if image.mode == "RGB" and "transparency" not in image.info:
        return image
    if image.mode in _WIDE_MODES:
        return _stretch_to_8bit(image).convert("RGB")
    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        return _flatten_on_white(image)
    # 1, L, P, CMYK, YCbCr, LAB, HSV, RGBX. CMYK is converted without its ICC profile:
    # colours shift a little, text contrast does not.
    return image.convert("RGB")


def limit_size(image: Image.Image, max_side: int) -> Image.Image:
    """Downscale so the longest side is at most ``max_side``, keeping the aspect ratio and
    the mode (L and RGB through ``transform``; other modes with Pillow's Lanczos)."""
    width, height = image.size
    longest = max(width, height)
    if longest <= max_side:
        return image
    if image.mode in ("L", "RGB"):
        return transform(image, max_side=max_side)
    scale = max_side / longest
    size = limited_size(image.size, max_side)
    # Lanczos keeps thin strokes crisp; reducing_gap first shrinks by an integer factor
    # (fast, box filter) so large reductions cost little more than small ones.
    resized = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    resized.info = _scaled_info(image.info, scale)
    return resized


def straighten_plan(
    image: Image.Image, *, orient: bool = True, deskew: bool = True
) -> tuple[int, float]:
    """What ``straighten`` (and ``prepare``) do to ``image``: ``(rotation, skew)``, a
    counterclockwise quarter turn (0, 90, 180 or 270, as ``Image.Transpose``) and then a
    rotation by ``-skew`` degrees about the centre, ``0.0`` unless ``deskew`` and the tilt lies
    between ``MIN_ANGLE`` and ``MAX_ANGLE``; ``(0, 0.0)`` for a single text line
    (``ocr.textline``). Measured on the ink mask, reduced to a fixed working size whatever the
    image's size.

    Deterministic, so a word box in the prepared image can be mapped back to the page as given
    (``ocr.searchable_pdf`` does, to keep a PDF's original page content)."""
    if is_text_line(image):
        # One line is too little text for an up/down verdict (``ocr.orientation`` gives none
        # for it either) and gives the tilt measurement nothing to line up: it measured 5 to 9
        # degrees on straight line crops, whose rotation then cut off the line's ends. Line
        # crops are cut along their line anyway. Skipping the measurement also saves most of
        # the preparation time of a line.
        return 0, 0.0
    mask = ink_mask(image)
    rotation, skew = page_geometry(mask, image) if orient else (0, line_skew(mask))
    if not (deskew and MIN_ANGLE <= abs(skew) <= MAX_ANGLE):
        skew = 0.0
    return rotation, skew


def _scaled_info(
    info: dict[str | tuple[int, int], object], scale: float
) -> dict[str | tuple[int, int], object]:
    """A copy of an image's ``info`` with its dpi multiplied by ``scale``."""
    scaled = dict(info)
    dpi = info.get("dpi")
    if scale != 1.0 and isinstance(dpi, tuple) and len(dpi) == 2:
        scaled["dpi"] = (dpi[0] * scale, dpi[1] * scale)
    return scaled


def _flatten_on_white(image: Image.Image) -> Image.Image:
    if image.mode == "La":  # premultiplied; Pillow converts it to RGBA only via LA
        image = image.convert("LA")
    rgba = image.convert("RGBA")
    if rgba.getchannel("A").getextrema() == (255, 255):
        return rgba.convert("RGB")  # opaque throughout (common in PNG scans): nothing to blend
    page = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    page.alpha_composite(rgba)
    return page.convert("RGB")


def _stretch_to_8bit(image: Image.Image) -> Image.Image:
    """Map the values actually used to 0..255.

    Pillow's own conversion of 16/32-bit images to 8 bits clips at 255 instead of scaling,
    turning most pages white; and dividing by 257 would leave 12-bit scanner data (0..4095 in
    16-bit containers) almost black. Stretching the used range works for both.
    """
    values = np.array(image, dtype=np.float32)  # a writable copy
    low, high = float(values.min()), float(values.max())
    if high <= low:
        return Image.new("L", image.size, 255)
    values -= low
    values *= 255.0 / (high - low)
    return Image.fromarray(np.rint(values).astype(np.uint8))
