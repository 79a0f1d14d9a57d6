"""A page's WebP images (display image and thumbnail), encoded on a thread of their own.

The images are encoded while the engine reads the page (Pillow encodes outside the GIL): for a
single-threaded engine like Tesseract that moves 0.25 s an A4 page off the critical path onto
an idle core.
"""

from __future__ import annotations

import functools
import io
import os
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

_PAGE_IMAGE_QUALITY = 85
_THUMBNAIL_QUALITY = 75
#: Longest side of a page thumbnail: sharp in a results grid on a 2x (retina) screen.
THUMBNAIL_SIDE = 400


@functools.cache
def _encoder_for(pid: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="page-images")


def image_encoder() -> ThreadPoolExecutor:
    """This process's image-encoding thread (one per process: a forked worker gets its own)."""
    return _encoder_for(os.getpid())


def encode_images(image: Image.Image) -> tuple[bytes, bytes]:
    """(display image, thumbnail) of a page, both WebP."""
    return _webp(image, _PAGE_IMAGE_QUALITY), _thumbnail(image)


def _webp(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # method 1 (of 0-6) encodes an A4 page at 300 dpi in 0.25 s instead of 0.58 s (method 4)
    # for files ~15 % larger; at 4 it was the largest cost of a page after OCR (bench/ingest).
    image.save(buffer, format="WEBP", quality=quality, method=1)
    return buffer.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    small = image.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return _webp(small, _THUMBNAIL_QUALITY)
