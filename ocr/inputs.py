"""What the library accepts as a document, and how each kind becomes pages.

A ``Source`` is a filesystem path, the file's bytes, a readable binary stream, or a
``PIL.Image.Image`` already in memory. Paths, bytes and streams are typed by their content
(``ocr.files.open_document``); an image's frames are its pages.

For a process pool, ``portable`` turns a source into something that can be pickled cheaply: a
path stays a path (made absolute, since a worker may have another working directory), while
streams and images become bytes in the calling process, because neither an open file nor a
lazily-decoded image survives the trip to another process.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from typing import IO

from PIL import Image

from ocr.errors import CorruptFile
from ocr.files import DEFAULT_MAX_PIXELS, open_document
from ocr.pagesource import PageSource, check_pixels
from ocr.raster import DECODE_ERRORS

__all__ = ["ImagePages", "Portable", "Source", "open_source", "portable"]

#: Everything ``open_source`` (and so ``ocr.recognize`` and friends) accepts.
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes] | Image.Image

#: What ``portable`` returns: picklable, and itself a ``Source``.
Portable = str | bytes


def open_source(source: Source, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> PageSource:
    """Open any ``Source`` and return its pages (use it as a context manager).

    Raises what ``ocr.files.open_document`` raises, ``ImageTooLarge`` for an in-memory image
    above ``max_pixels``, and ``TypeError`` for anything that is not a ``Source``.
    """
    if isinstance(source, Image.Image):
        return ImagePages(source, max_pixels=max_pixels)
    if isinstance(source, bytes | bytearray | memoryview):
        return open_document(io.BytesIO(source), max_pixels=max_pixels)
    if isinstance(source, str | os.PathLike) or _readable(source):
        return open_document(source, max_pixels=max_pixels)
    raise TypeError(
        f"expected a path, bytes, a binary file object or a PIL image, not {type(source).__name__}"
    )


def portable(source: Source) -> Portable:
    """``source`` in a form another process can receive: an absolute path, or bytes.

    Blocking: a stream is read to its end (from its start when it is seekable, restoring its
    position) and an image is encoded, both into memory. Call it off the event loop.
    """
    if isinstance(source, Image.Image):
        return _image_bytes(source)
    if isinstance(source, bytes):
        return source
    if isinstance(source, bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        return os.path.abspath(os.fspath(source))
    if _readable(source):
        return _read_all(source)
    raise TypeError(
        f"expected a path, bytes, a binary file object or a PIL image, not {type(source).__name__}"
    )


class ImagePages(PageSource):
    """The frames of an in-memory ``PIL.Image.Image`` as pages (one, unless multi-frame).

    Each page is a copy: the caller's image is not modified, and its current frame is restored
    on ``close``. Frame sizes are checked against ``max_pixels`` before any pixel is decoded
    (an image from ``Image.open`` is lazy), so the guard holds here too.
    """

    mime = "image/x-pil"

    def __init__(self, image: Image.Image, *, max_pixels: int) -> None:
        self._image = image
        self._max_pixels = max_pixels
        self._start = image.tell()
        try:
            self.page_count = int(getattr(image, "n_frames", 1))
        except DECODE_ERRORS as exc:
            raise CorruptFile(_reason(exc)) from exc
        if self.page_count == 1:
            check_pixels(*image.size, max_pixels=max_pixels, page=None)

    def page(self, index: int) -> Image.Image:
        self._check_index(index)
        number = index + 1 if self.page_count > 1 else None
        try:
            if self.page_count > 1:
                self._image.seek(index)
            check_pixels(*self._image.size, max_pixels=self._max_pixels, page=number)
            return self._image.copy()
        except DECODE_ERRORS as exc:
            raise CorruptFile(_reason(exc), page=number) from exc

    def close(self) -> None:
        if self.page_count > 1:
            # If the image's file is gone there is nothing left to restore.
            with contextlib.suppress(*DECODE_ERRORS):
                self._image.seek(self._start)


def _image_bytes(image: Image.Image) -> bytes:
    """Encode ``image`` losslessly, every frame, with its EXIF orientation.

    Uncompressed TIFF: it stores every Pillow mode a page can have (1, L, P, RGB, RGBA, CMYK,
    16-bit, float) exactly and is the fastest to write; the bytes are about the decoded size.
    """
    frames = int(getattr(image, "n_frames", 1))
    if frames == 1 and "transparency" in image.info:
        # TIFF has no palette/colour-key transparency: flatten it the way ``prepare`` would
        # see it, as alpha.
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    start = image.tell()
    try:
        image.save(buffer, "TIFF", save_all=frames > 1, exif=image.getexif())
    except DECODE_ERRORS as exc:
        raise CorruptFile(_reason(exc)) from exc
    finally:
        if frames > 1:
            image.seek(start)
    return buffer.getvalue()


def _read_all(stream: IO[bytes]) -> bytes:
    try:
        position: int | None = stream.tell() if stream.seekable() else None
    except (AttributeError, OSError, ValueError):
        position = None
    buffer = io.BytesIO()
    try:
        if position is not None:
            stream.seek(0)
        shutil.copyfileobj(stream, buffer, 1024 * 1024)
    finally:
        if position is not None:
            stream.seek(position)
    return buffer.getvalue()


def _readable(source: object) -> bool:
    return callable(getattr(source, "read", None))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().rstrip(".")
    return text or type(exc).__name__
