"""Open a document file (an image or a PDF, given as a path or a binary stream) by its content.

The pages come back as a ``PageSource``, decoded one at a time. ``ocr.inputs`` builds on this for
every other input the library accepts (bytes, an in-memory PIL image).

Memory: a path is read in place. A file-like source (for example a file from Django's storage
API, which may live on S3) is first copied into a spooled temporary file: up to
``SPOOL_MAX_MEMORY`` bytes stay in memory, anything larger goes to a file in the system temp
directory. Decoded pages are held one at a time; a page costs ``width * height * 3`` bytes as
RGB (about 26 MB for an A4 page at 300 dpi, 537 MB at the default pixel limit).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import IO

from ocr.errors import CorruptFile, PasswordRequired, UnsupportedFormat, WrongPassword
from ocr.formats import HEAD_SIZE, describe, sniff
from ocr.pagesource import PageSource
from ocr.pdf import PdfPages
from ocr.raster import RasterPages

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_PDF_DPI",
    "SPOOL_MAX_MEMORY",
    "FileInput",
    "open_document",
    "validate",
]

#: Largest page accepted, in pixels. Equal to Pillow's own decompression-bomb limit
#: (2 x ``PIL.Image.MAX_IMAGE_PIXELS``), so both guards agree. It admits an A0 sheet scanned at
#: 300 dpi (9933 x 14043 = 139 megapixels) while capping one decoded RGB page at 537 MB.
DEFAULT_MAX_PIXELS = 178_956_970

#: PDF pages are rendered at this resolution: the usual scanning resolution for text, and what
#: OCR engines are tuned for.
DEFAULT_PDF_DPI = 300

#: A file-like source is copied to memory up to this size, beyond it to a temporary file.
SPOOL_MAX_MEMORY = 64 * 1024 * 1024

#: What ``open_document`` accepts: a filesystem path or a readable binary stream (a subset of
#: ``ocr.inputs.Source``, which adds bytes and in-memory images).
FileInput = str | os.PathLike[str] | IO[bytes]


def open_document(
    source: FileInput,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    pdf_dpi: int = DEFAULT_PDF_DPI,
    password: str | None = None,
) -> PageSource:
    """Open ``source`` and return its pages; the type is decided by content, not by name.

    ``source`` is a path or a readable binary stream. A seekable stream is read from its start
    and its position is restored; a non-seekable one is read from where it is. The stream is
    not closed (the returned source works on a private copy, see the module docstring).

    ``password`` opens a password-protected PDF (its user or owner password); it is ignored for
    images, and ``None`` or ``""`` means none. Give it only to a PDF that needs it: PDFium does
    not fall back to "no password", so a wrong one fails even on a PDF that would open without.

    Raises ``UnsupportedFormat`` (not a supported type), ``CorruptFile`` (empty, truncated or
    otherwise undecodable), ``PasswordRequired`` (encrypted PDF and no password given),
    ``WrongPassword`` (a ``PasswordRequired``: the password given does not open it),
    ``ImageTooLarge`` (a page's declared size exceeds ``max_pixels``; checked before any pixel
    is decoded), and ``FileNotFoundError``/``PermissionError`` for paths that cannot be opened.
    Errors found while iterating are ``CorruptFile``/``ImageTooLarge`` naming the page.
    """
    if max_pixels <= 0:
        raise ValueError(f"max_pixels must be positive, not {max_pixels}")
    if pdf_dpi <= 0:
        raise ValueError(f"pdf_dpi must be positive, not {pdf_dpi}")
    fp, path = _open_input(source)
    try:
        head = fp.read(HEAD_SIZE)
        fp.seek(0)
        if not head:
            raise CorruptFile("it is empty: 0 bytes")
        mime = sniff(head)
        if mime is None:
            raise UnsupportedFormat(describe(head))
        if mime == "application/pdf" and path is not None:
            # PDFium reads a path itself, faster than through Python stream callbacks.
            fp.close()
            return _open_pdf(path, max_pixels=max_pixels, dpi=pdf_dpi, password=password)
    except BaseException:
        fp.close()
        raise
    if mime == "application/pdf":
        return _open_pdf(fp, max_pixels=max_pixels, dpi=pdf_dpi, password=password, owned=fp)
    return RasterPages(fp, mime, max_pixels=max_pixels, owns_fp=True)


def validate(
    source: FileInput,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    pdf_dpi: int = DEFAULT_PDF_DPI,
    password: str | None = None,
) -> tuple[str, int]:
    """Cheap upload-time check: return ``(mime, page_count)`` without decoding any pixels.

    Reads headers only (every frame's declared size for images; the page tree for PDFs) and
    raises exactly what ``open_document`` raises; ``password`` as there. A file that passes can
    still turn out to have damaged pixel data on a page; that is reported when the page is
    decoded.
    """
    with open_document(
        source, max_pixels=max_pixels, pdf_dpi=pdf_dpi, password=password
    ) as document:
        return document.mime, document.page_count


def _open_pdf(
    source: Path | IO[bytes],
    *,
    max_pixels: int,
    dpi: int,
    password: str | None,
    owned: IO[bytes] | None = None,
) -> PdfPages:
    """``PdfPages``, telling "no password given" from "the password given is wrong"."""
    try:
        return PdfPages(
            source, max_pixels=max_pixels, dpi=dpi, owned=owned, password=password or None
        )
    except PasswordRequired as exc:
        if password:
            raise WrongPassword() from exc
        raise


def _open_input(source: FileInput) -> tuple[IO[bytes], Path | None]:
    """A binary file positioned at the start of the content, owned by the caller."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return path.open("rb"), path
    return _spool(source), None


def _spool(stream: IO[bytes]) -> IO[bytes]:
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_MEMORY)  # noqa: SIM115
    position = stream.tell() if _seekable(stream) else None
    try:
        if position is not None:
            stream.seek(0)
        shutil.copyfileobj(stream, spool, 1024 * 1024)
    except BaseException:
        spool.close()
        raise
    finally:
        if position is not None:
            stream.seek(position)
    spool.seek(0)
    return spool


def _seekable(stream: IO[bytes]) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False
