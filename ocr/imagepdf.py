"""Raster files (JPEG, PNG, TIFF, WebP, BMP, GIF, HEIC) as an image-only PDF, one page a frame.

The page images are embedded with ``img2pdf``, which writes JPEG data as it is (``DCTDecode``,
no re-encoding, EXIF orientation applied with ``/Rotate``), PNG data as it is where PDF's
``FlateDecode`` with PNG predictors can hold it, and CCITT Group 4 TIFF data as it is. What is
chosen per page:

- JPEG: the file's own bytes (the very same JPEG, lossless);
- PNG without alpha (8-bit or bilevel): the file's own image data;
- bilevel pages (TIFF G4 fax, 1-bit PNG/TIFF/BMP): CCITT Group 4, lossless, a few KB a page;
- other lossless pages (PNG with alpha, TIFF LZW/Deflate, BMP, GIF, lossless WebP): Flate
  (lossless), alpha flattened onto white;
- lossy pages other than JPEG files (JPEG inside TIFF, lossy WebP, HEIC): JPEG at
  ``REENCODE_QUALITY``.

Every page comes out in the orientation ``ocr.raster.RasterPages`` reads it in (EXIF applied),
at the file's dpi (img2pdf's 96 when it names none), so the worker's page images and their word
boxes line up with the PDF pages.
"""

from __future__ import annotations

import io
from typing import IO

import img2pdf
from PIL import Image

from ocr.prepare import to_rgb
from ocr.raster import RasterPages

#: JPEG quality for pages whose source was already lossy in a form PDF cannot hold (HEIC,
#: WebP, JPEG inside TIFF): high enough not to add visible artefacts to the first generation.
REENCODE_QUALITY = 90

_LOSSY_TIFF = frozenset({"jpeg", "tiff_jpeg"})


def raster_pdf(data: IO[bytes], pages: RasterPages) -> bytes:
    """An image-only PDF of the file ``data`` (opened as ``pages``): one page per page."""
    data.seek(0)
    raw = data.read()
    if pages.mime == "image/jpeg":
        try:
            return bytes(img2pdf.convert(raw, rotation=img2pdf.Rotation.ifvalid))
        except (img2pdf.ImageOpenError, img2pdf.ExifOrientationError, img2pdf.JpegColorspaceError):
            pass  # mirrored EXIF orientation, an odd colour space: encode the decoded page
    if pages.mime == "image/png" and _png_as_is(raw):
        return bytes(img2pdf.convert(raw))
    return bytes(img2pdf.convert([_page_bytes(pages, index) for index in range(len(pages))]))


def _png_as_is(raw: bytes) -> bool:
    """Whether img2pdf takes this PNG without refusing it (alpha) or guessing (16-bit)."""
    with Image.open(io.BytesIO(raw)) as image:
        transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        return not transparent and image.mode in ("1", "L", "RGB", "P")


def _page_bytes(pages: RasterPages, index: int) -> bytes:
    """One page encoded as img2pdf embeds it best (see the module's table)."""
    image = pages.page(index)
    dpi = image.info.get("dpi")
    compression = str(image.info.get("compression", "")).lower()
    buffer = io.BytesIO()
    extra: dict[str, object] = {}
    if isinstance(dpi, tuple) and len(dpi) == 2 and dpi[0] and dpi[1]:
        extra["dpi"] = (round(float(dpi[0])), round(float(dpi[1])))
    if image.mode == "1":
        image.save(buffer, format="TIFF", compression="group4", **extra)
    elif compression in _LOSSY_TIFF or pages.mime == "image/heic" or _lossy_webp(pages, image):
        _flat(image).save(buffer, format="JPEG", quality=REENCODE_QUALITY, **extra)
    else:
        _flat(image).save(buffer, format="PNG", compress_level=6, **extra)
    return buffer.getvalue()


def _lossy_webp(pages: RasterPages, image: Image.Image) -> bool:
    return pages.mime == "image/webp" and not image.info.get("lossless", False)


def _flat(image: Image.Image) -> Image.Image:
    """Grey and RGB pages as they are, anything else (alpha, palette, CMYK, 16-bit) as RGB."""
    return image if image.mode in ("L", "RGB") else to_rgb(image)
