"""2-D affine maps between the coordinate systems a searchable PDF page involves.

- PDF *user space*: points, y up, origin wherever the page's boxes put it; the page is shown
  turned clockwise by ``/Rotate`` and cut to its ``/CropBox``.
- The *viewed page*: what PDFium renders (and the worker read): the crop box, turned, in pixels
  of that rendering, origin top-left, y down.
- The *prepared image*: the viewed page after ``ocr.prepare.straighten`` (a quarter turn, a
  deskew); word boxes are in its pixels.

Maps use the PDF matrix convention ``(a, b, c, d, e, f)``: ``x' = a*x + c*y + e``,
``y' = b*x + d*y + f``; ``then(m, n)`` is "m, then n", which is the matrix product ``m × n``
a PDF ``cm`` operator expects.
"""

from __future__ import annotations

import math

import cv2

Affine = tuple[float, float, float, float, float, float]

IDENTITY: Affine = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def then(first: Affine, second: Affine) -> Affine:
    """The map applying ``first``, then ``second``."""
    a1, b1, c1, d1, e1, f1 = first
    a2, b2, c2, d2, e2, f2 = second
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def chain(*maps: Affine) -> Affine:
    """``maps`` applied in order, left to right."""
    result = IDENTITY
    for step in maps:
        result = then(result, step)
    return result


def inverse(m: Affine) -> Affine:
    """The inverse map; ``ValueError`` for a singular one."""
    a, b, c, d, e, f = m
    det = a * d - b * c
    if abs(det) < 1e-12:
        raise ValueError("singular page transformation")
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


def apply(m: Affine, x: float, y: float) -> tuple[float, float]:
    """Where ``m`` sends the point ``(x, y)``."""
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def scale(sx: float, sy: float) -> Affine:
    return (sx, 0.0, 0.0, sy, 0.0, 0.0)


def flip_y(height: float) -> Affine:
    """y down <-> y up within a box ``height`` tall (its own inverse)."""
    return (1.0, 0.0, 0.0, -1.0, 0.0, height)


def user_to_view(crop: tuple[float, float, float, float], rotate: int) -> Affine:
    """PDF user space -> the viewed page in points, origin top-left, y down.

    ``crop`` is the visible box ``(x0, y0, x1, y1)``, ``rotate`` the page's ``/Rotate``
    (clockwise degrees, a multiple of 90).
    """
    x0, y0, x1, y1 = crop
    w, h = x1 - x0, y1 - y0
    # From the crop box's bottom-left corner, y up, to the viewed page, y down.
    shifted = (1.0, 0.0, 0.0, 1.0, -x0, -y0)
    turn = rotate % 360
    if turn == 0:
        view: Affine = (1.0, 0.0, 0.0, -1.0, 0.0, h)
    elif turn == 90:
        view = (0.0, 1.0, 1.0, 0.0, 0.0, 0.0)
    elif turn == 180:
        view = (-1.0, 0.0, 0.0, 1.0, w, 0.0)
    elif turn == 270:
        view = (0.0, -1.0, -1.0, 0.0, h, w)
    else:
        raise ValueError(f"/Rotate must be a multiple of 90, not {rotate}")
    return then(shifted, view)


def view_size(crop: tuple[float, float, float, float], rotate: int) -> tuple[float, float]:
    """(width, height) in points of the page as viewed."""
    w, h = crop[2] - crop[0], crop[3] - crop[1]
    return (h, w) if rotate % 180 else (w, h)


def straighten_map(size: tuple[int, int], rotation: int, skew: float) -> Affine:
    """Pixels of an image of ``size`` -> pixels of it after ``ocr.prepare.straighten`` did
    ``rotation`` (counterclockwise quarter turn, as ``Image.Transpose``) and then
    ``rotate_page(-skew)`` (OpenCV's rotation about the centre, same size)."""
    w, h = size
    if rotation == 0:
        turn: Affine = IDENTITY
        turned = (w, h)
    elif rotation == 90:  # (x, y) -> (y, w - x)
        turn, turned = (0.0, -1.0, 1.0, 0.0, 0.0, float(w)), (h, w)
    elif rotation == 180:
        turn, turned = (-1.0, 0.0, 0.0, -1.0, float(w), float(h)), (w, h)
    elif rotation == 270:  # (x, y) -> (h - y, x)
        turn, turned = (0.0, 1.0, -1.0, 0.0, float(h), 0.0), (h, w)
    else:
        raise ValueError(f"rotation must be 0, 90, 180 or 270, not {rotation}")
    if not skew:
        return turn
    # Exactly the matrix rotate_page gives cv2.warpAffine (a forward map, source -> result).
    matrix = cv2.getRotationMatrix2D((turned[0] / 2, turned[1] / 2), -skew, 1.0)
    (a, c, e), (b, d, f) = matrix.tolist()
    return then(turn, (a, b, c, d, e, f))


def is_upright(m: Affine, tolerance: float = 1e-6) -> bool:
    """Whether ``m`` only scales and moves (no turn, tilt or mirror)."""
    return abs(m[1]) < tolerance and abs(m[2]) < tolerance and m[0] > 0 and m[3] > 0


def angle(m: Affine) -> float:
    """The direction, in degrees counterclockwise, that ``m`` gives the x axis."""
    return math.degrees(math.atan2(m[1], m[0]))
