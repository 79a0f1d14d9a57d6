"""Is an image one line of text? Line crops (line-level ground truth, a field cut out of a
form, a capture tool's selection) read best as one piece, not as a page to lay out.

RapidOCR's detector splits a lone line into fragments and loses words at their edges (on the
German Fraktur line crops of ``ocrd_dta_lines_de``, mean character error rate 0.161 through
detection against 0.032 recognising the whole crop as one line), and it first enlarges the
small image to its working size, which makes a line cost about a second instead of 0.06 s.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from ocr.deskew import otsu_threshold

#: A line crop is at most this high (a 300 dpi line with generous margins is ~60-120 px)...
LINE_MAX_HEIGHT = 200
#: ...and at least this many times as wide as high (a short word is about 2-3).
LINE_MIN_ASPECT = 2
#: A band of ink rows counts as a second line when it is at least this share of the main
#: band's height and holds at least ``_SECOND_LINE_INK`` of its ink: descenders of the line
#: above and ascenders of the line below, which line crops often catch, stay under both.
_SECOND_LINE_HEIGHT = 0.5
_SECOND_LINE_INK = 0.25
#: Rows with less ink than this share of the fullest row are blank (specks, a stray stroke).
_BLANK_ROW = 0.02


def is_text_line(image: Image.Image) -> bool:
    """True when ``image`` holds a single line of text: small and wide enough (see the
    constants) and its ink forms one band of rows. An image without ink is not a line."""
    if image.height > LINE_MAX_HEIGHT or image.width < LINE_MIN_ASPECT * image.height:
        return False
    grey = np.asarray(image.convert("L"))
    # Not ``deskew.ink_mask``: its letter filter is sized for pages and drops a line's letters.
    mask = grey < otsu_threshold(grey)
    if mask.mean() > 0.5:  # light print on dark: measure the other way round
        mask = ~mask
    return ink_bands(mask) == 1


def ink_bands(mask: np.ndarray) -> int:
    """How many text lines ``mask`` (True = ink) holds, counted as separate bands of inked rows
    that are tall and inky enough next to the main band to be lines of their own."""
    rows = mask.sum(axis=1)
    if not rows.any():
        return 0
    inked = rows > _BLANK_ROW * rows.max()
    padded = np.concatenate(([False], inked, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    bands = [(int(end - start), int(rows[start:end].sum())) for start, end in edges.reshape(-1, 2)]
    main_height, main_ink = max(bands, key=lambda band: band[1])
    return sum(
        1
        for height, ink in bands
        if height >= _SECOND_LINE_HEIGHT * main_height and ink >= _SECOND_LINE_INK * main_ink
    )
