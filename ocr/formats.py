"""File types by content: which ones the library reads, and what other files look like.

The type of an upload is decided by its first bytes ("magic bytes"), never by its name or the
type a browser claims, because both are under the uploader's control and often simply wrong.
"""

from __future__ import annotations

#: MIME type -> short label shown to people. Dict order is the order used in messages.
SUPPORTED_TYPES: dict[str, str] = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/tiff": "TIFF",
    "image/webp": "WebP",
    "image/bmp": "BMP",
    "image/gif": "GIF",
    "image/heic": "HEIC",
    "application/pdf": "PDF",
}

#: MIME type -> usual file extension, for naming stored copies.
EXTENSIONS: dict[str, str] = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/tiff": ".tif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/gif": ".gif",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
}

#: How many leading bytes to pass to ``sniff``/``describe``. 32 decide every image type; the
#: rest lets ``sniff`` accept PDFs with junk before ``%PDF-`` (some mailers and scanners add it,
#: and PDF readers, PDFium included, tolerate up to 1024 bytes of it).
HEAD_SIZE = 1024

# Sizes of the BMP info header that follows the 14-byte file header (BITMAPCOREHEADER ..
# BITMAPV5HEADER). "BM" alone is too weak a signal: plenty of text files start with it.
_BMP_INFO_HEADER_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})

# ISO base media file brands of HEIF files coded with HEVC: still images (heic, heix, heim,
# heis) and image sequences (hevc, hevx), as iPhones and many Android phones write them.
_HEVC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})
# Generic HEIF brands: they say "HEIF container" but not which codec is inside.
_HEIF_BRANDS = frozenset({b"mif1", b"msf1"})
# AVIF (AV1 in the same container) also lists mif1; the HEVC decoder cannot read it.
_AVIF_BRANDS = frozenset({b"avif", b"avis"})


def sniff(head: bytes) -> str | None:
    """Return the supported MIME type that ``head`` (a file's first bytes) starts with, or None.

    Decided by magic bytes only. Pass at least 32 bytes; pass ``HEAD_SIZE`` bytes to also accept
    a PDF whose ``%PDF-`` marker comes after some leading junk.
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    # Classic TIFF (42) and BigTIFF (43), little- and big-endian.
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "image/tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if (
        head[:2] == b"BM"
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in _BMP_INFO_HEADER_SIZES
    ):
        return "image/bmp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if _is_heic(head):
        return "image/heic"
    if b"%PDF-" in head[:HEAD_SIZE]:
        return "application/pdf"
    return None


def _is_heic(head: bytes) -> bool:
    """True for a HEIF file whose ``ftyp`` box names an HEVC brand (or only generic HEIF ones).

    The box is ``size, "ftyp", major brand, minor version, compatible brands...``; the major
    brand alone is not enough, since files often carry ``mif1`` there and the codec's brand
    among the compatible ones.
    """
    if head[4:8] != b"ftyp" or len(head) < 16:
        return False
    size = int.from_bytes(head[:4], "big")
    end = min(size, len(head)) if size >= 16 else 16
    brands = {head[8:12]} | {head[at : at + 4] for at in range(16, end - 3, 4)}
    if brands & _HEVC_BRANDS:
        return True
    return bool(brands & _HEIF_BRANDS) and not brands & _AVIF_BRANDS


# (prefix, offset, description) for common files people upload by mistake.
_OTHER_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"PK\x03\x04", 0, "ZIP archive (or an Office document such as .docx or .xlsx)"),
    (b"PK\x05\x06", 0, "empty ZIP archive"),
    (b"\x1f\x8b", 0, "gzip-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7-Zip archive"),
    (b"Rar!\x1a\x07", 0, "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "old Microsoft Office document (.doc, .xls)"),
    # HEIC is supported (``sniff`` answers first); what reaches here with these brands is AVIF.
    (b"ftypavif", 4, "AVIF image (convert it to PNG or JPEG first)"),
    (b"ftypmif1", 4, "AVIF image (convert it to PNG or JPEG first)"),
    (b"ftyp", 4, "video or audio file"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", 0, "JPEG 2000 image (convert it to PNG or JPEG first)"),
    (b"\xff\x4f\xff\x51", 0, "JPEG 2000 image (convert it to PNG or JPEG first)"),
    (b"\xff\x0a", 0, "JPEG XL image (convert it to PNG or JPEG first)"),
    (b"8BPS", 0, "Photoshop document"),
    (b"%!PS", 0, "PostScript file"),
    (b"{\\rtf", 0, "RTF document"),
)


def describe(head: bytes) -> str:
    """A short, friendly guess at what a file is, from its first bytes, for error messages.

    Knows the supported types, common archives and documents, other image formats, text
    ("text file", "HTML page", "SVG drawing"...), and says "empty file" or "unknown binary data".
    """
    if not head:
        return "empty file"
    mime = sniff(head)
    if mime is not None:
        return f"{SUPPORTED_TYPES[mime]} file"
    for prefix, offset, description in _OTHER_SIGNATURES:
        if head[offset : offset + len(prefix)] == prefix:
            return description
    return _describe_text(head) or "unknown binary data"


def _describe_text(head: bytes) -> str | None:
    """Name a text file, or None if ``head`` is not text."""
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            text = head[: exc.start].decode("utf-8")  # the head ends inside a character
        else:
            text = head.decode("latin-1")  # legacy 8-bit text; binary fails the test below
    if any((ord(ch) < 32 and ch not in "\t\n\r\f") or 0x7F <= ord(ch) < 0xA0 for ch in text):
        return None
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith(("<!doctype html", "<html")):
        return "HTML page"
    if start.startswith("<svg") or "<svg" in start[:300]:
        return "SVG drawing"
    if start.startswith("<?xml"):
        return "XML file"
    if start.startswith(("{", "[")):
        return "JSON or other text file"
    return "text file"
