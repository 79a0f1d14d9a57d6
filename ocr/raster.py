"""Pages of raster images (PNG, JPEG, TIFF, WebP, BMP, GIF, HEIC), decoded with Pillow.

HEIC comes through pillow-heif, whose Pillow plugin (format name "HEIF") is registered when this
module is imported. Like Pillow's own plugins it reads the declared size from the header when a
file is opened and decodes only on ``load()``, so the pixel limit is checked before decoding.
"""

from __future__ import annotations

import re
import struct
import zlib
from typing import IO

import pillow_heif
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from ocr.errors import CorruptFile, ImageTooLarge
from ocr.pagesource import PageSource, check_pixels

# The only Pillow decoder allowed for each sniffed type. Without this list Pillow tries every
# plugin it has (EPS would even start Ghostscript), so a file could reach a decoder other than
# the one its magic bytes name.
PIL_FORMATS: dict[str, tuple[str, ...]] = {
    "image/png": ("PNG",),
    "image/jpeg": ("JPEG",),
    "image/tiff": ("TIFF",),
    "image/webp": ("WEBP",),
    "image/bmp": ("BMP",),
    "image/gif": ("GIF",),
    "image/heic": ("HEIF",),
}

# Registering is idempotent. pillow-heif applies the file's rotation and mirroring itself while
# decoding and resets the EXIF orientation to 1, so ``exif_transpose`` below does not turn the
# page a second time.
pillow_heif.register_heif_opener()

# Types whose frames are pages. PNG (APNG animation), JPEG (MPO: camera previews and stereo
# pairs) and HEIC (bursts, edited and original versions) can have several frames too, but those
# are not pages of a document.
MULTI_PAGE_TYPES = frozenset({"image/tiff", "image/gif", "image/webp"})

# What Pillow raises for damaged data. MemoryError is left out on purpose: it is not the file's
# fault and must not be reported as one.
DECODE_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    EOFError,
    SyntaxError,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    struct.error,
    zlib.error,
)

_TIFF_NEW_SUBFILE_TYPE = 254
_REDUCED_RESOLUTION = 0x1


class RasterPages(PageSource):
    """The frames of one image file as pages; see ``PageSource`` for the contract.

    The declared size of every page is checked against ``max_pixels`` when the file is opened
    (reading headers only), and again before each page is decoded.
    """

    def __init__(self, fp: IO[bytes], mime: str, *, max_pixels: int, owns_fp: bool) -> None:
        self.mime = mime
        self._fp = fp
        self._owns_fp = owns_fp
        self._max_pixels = max_pixels
        self._handed_out = False
        try:
            self._image = _open(fp, mime, max_pixels)
        except BaseException:
            self._close_fp()
            raise
        try:
            self._frames = self._page_frames()
        except BaseException:
            self.close()
            raise
        self.page_count = len(self._frames)

    def page(self, index: int) -> Image.Image:
        self._check_index(index)
        number = index + 1
        try:
            self._image.seek(self._frames[index])
        except DECODE_ERRORS as exc:
            raise CorruptFile(_reason(exc), page=number) from exc
        check_pixels(*self._image.size, max_pixels=self._max_pixels, page=number)
        try:
            self._image.load()
        except DECODE_ERRORS as exc:
            raise CorruptFile(_reason(exc), page=number) from exc
        try:
            orientation = self._image.getexif().get(ExifTags.Base.Orientation, 1)
            if orientation in range(2, 9):
                # Turned upright by its EXIF or TIFF orientation here because older Pillow
                # drops the TIFF tag on copying; the result is a new, detached image.
                return ImageOps.exif_transpose(self._image)
        except DECODE_ERRORS:
            pass  # damaged EXIF: keep the pixels as stored
        if self.page_count == 1 and not self._handed_out:
            # The only page: a plain image sharing the decoded pixels instead of a copy of
            # them (a whole page of memory and time). ``close`` drops only the file's own
            # reference. Plain, not the file's ``JpegImageFile``: tesserocr re-encodes an
            # image in its ``format`` (JPEG: lossy) and a plain one losslessly.
            self._handed_out = True
            return self._image._new(self._image.im)
        return self._image.copy()  # detached: later seeks must not change it

    def page_size(self, index: int) -> tuple[int, int]:
        """The page's size from its frame's header, turned as ``page`` turns it (EXIF or TIFF
        orientations 5 to 8 swap width and height); no pixels are decoded."""
        self._check_index(index)
        try:
            self._image.seek(self._frames[index])
            width, height = self._image.size
            orientation = self._image.getexif().get(ExifTags.Base.Orientation, 1)
        except DECODE_ERRORS as exc:
            raise CorruptFile(_reason(exc), page=index + 1) from exc
        return (height, width) if orientation in range(5, 9) else (width, height)

    def close(self) -> None:
        self._image.close()
        self._close_fp()

    def _close_fp(self) -> None:
        if self._owns_fp:
            self._fp.close()

    def _page_frames(self) -> list[int]:
        """Frame numbers that are pages, checking each one's declared size on the way."""
        image = self._image
        try:
            count = getattr(image, "n_frames", 1) if self.mime in MULTI_PAGE_TYPES else 1
        except DECODE_ERRORS as exc:
            raise CorruptFile(_reason(exc)) from exc
        frames: list[int] = []
        for frame in range(count):
            try:
                image.seek(frame)
            except DECODE_ERRORS as exc:
                raise CorruptFile(_reason(exc), page=frame + 1) from exc
            check_pixels(*image.size, max_pixels=self._max_pixels, page=frame + 1)
            # Scanners may store a thumbnail as an extra TIFF image ("reduced resolution").
            if self.mime == "image/tiff" and _is_reduced_resolution(image):
                continue
            frames.append(frame)
        image.seek(0)
        return frames or list(range(count))


def _open(fp: IO[bytes], mime: str, max_pixels: int) -> Image.Image:
    try:
        return Image.open(fp, formats=PIL_FORMATS[mime])
    except Image.DecompressionBombError as exc:
        # Pillow's own guard fired first (its limit may be lower than ``max_pixels``).
        limit = min(max_pixels, 2 * (Image.MAX_IMAGE_PIXELS or max_pixels))
        size = _declared_size(fp, mime)
        if size is not None:
            raise ImageTooLarge(
                pixels=size[0] * size[1], limit=limit, width=size[0], height=size[1]
            ) from exc
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise ImageTooLarge(pixels=int(found.group(1)) if found else limit, limit=limit) from exc
    except UnidentifiedImageError as exc:
        raise CorruptFile("the image data could not be decoded") from exc
    except DECODE_ERRORS as exc:
        raise CorruptFile(_reason(exc)) from exc


def _declared_size(fp: IO[bytes], mime: str) -> tuple[int, int] | None:
    """The size a header declares, read again with the format's plugin alone.

    Only used after Pillow refused the image, to name its dimensions: calling the plugin
    directly skips Pillow's guard, and reads the header, never the pixels.
    """
    try:
        fp.seek(0)
        factory, _accept = Image.OPEN[PIL_FORMATS[mime][0]]
        return factory(fp, "").size
    except Exception:
        return None


def _is_reduced_resolution(image: Image.Image) -> bool:
    tags = getattr(image, "tag_v2", None)
    if tags is None:
        return False
    return bool(int(tags.get(_TIFF_NEW_SUBFILE_TYPE, 0)) & _REDUCED_RESOLUTION)


def _reason(exc: BaseException) -> str:
    """Pillow's own words, cleaned up, for the technical tail of a CorruptFile message."""
    text = str(exc).strip().rstrip(".")
    if isinstance(exc, EOFError) or "truncated" in text:
        return "the data ends too early"
    return text or type(exc).__name__
