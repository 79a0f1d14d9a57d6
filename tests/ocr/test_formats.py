from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from ocr.formats import EXTENSIONS, HEAD_SIZE, SUPPORTED_TYPES, describe, sniff


def head(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(HEAD_SIZE)


@pytest.mark.parametrize(
    ("relative", "mime"),
    [
        ("tesseract_test/phototest.tif", "image/tiff"),
        ("tesseract_test/phototest-rotated-180.png", "image/png"),
        ("extras_no_gt/page_dewarp_boston_cooking_a.jpg", "image/jpeg"),
        ("pdfs/paperless/multi-page-images.pdf", "application/pdf"),
        ("pdfs/paperless/multi-page-images-alpha-rgb.tiff", "image/tiff"),
        ("pdfs/paperless/simple.heic", "image/heic"),
    ],
)
def test_sniff_real_files(testdata: Path, relative: str, mime: str | None) -> None:
    assert sniff(head(testdata / relative)) == mime


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [
        ("PNG", "image/png"),
        ("JPEG", "image/jpeg"),
        ("TIFF", "image/tiff"),
        ("WEBP", "image/webp"),
        ("BMP", "image/bmp"),
        ("GIF", "image/gif"),
    ],
)
def test_sniff_every_image_type_pillow_writes(
    encode: Callable[..., bytes], fmt: str, mime: str
) -> None:
    data = encode(Image.new("RGB", (8, 8), "white"), fmt)
    assert sniff(data[:32]) == mime


def test_content_decides_not_the_name(tmp_path: Path, encode: Callable[..., bytes]) -> None:
    fake_pdf = tmp_path / "invoice.pdf"
    fake_pdf.write_bytes(encode(Image.new("RGB", (8, 8)), "PNG"))
    assert sniff(head(fake_pdf)) == "image/png"


@pytest.mark.parametrize(
    ("data", "looks_like"),
    [
        (b"", "empty file"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(24), "ZIP archive"),
        (b"\x1f\x8b\x08\x00" + bytes(12), "gzip"),
        (b"Dear archive,\nplease keep this letter.\n", "text file"),
        (b"BMW service record, 2019\n", "text file"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "HTML page"),
        (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf", "AVIF image"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", "video or audio file"),
        (bytes(range(256)), "unknown binary data"),
    ],
)
def test_unsupported_content_is_none_and_described(data: bytes, looks_like: str) -> None:
    assert sniff(data) is None
    assert looks_like in describe(data)


def test_text_cut_inside_a_character_is_still_text() -> None:
    data = "Müller übergibt die Akten".encode()[:2]  # "M" and half of "ü"
    assert describe(data) == "text file"


def test_pdf_with_leading_junk_within_the_head() -> None:
    assert sniff(b"\r\n" * 100 + b"%PDF-1.7\n") == "application/pdf"


def test_describe_names_supported_types() -> None:
    assert describe(b"%PDF-1.4\n") == "PDF file"


def test_type_tables_agree() -> None:
    assert EXTENSIONS.keys() == SUPPORTED_TYPES.keys()
    assert list(SUPPORTED_TYPES.values()) == [
        "PNG",
        "JPEG",
        "TIFF",
        "WebP",
        "BMP",
        "GIF",
        "HEIC",
        "PDF",
    ]


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    """An ISO base media ``ftyp`` box: what a HEIF, AVIF or MP4 file starts with."""
    body = b"ftyp" + major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (len(body) + 4).to_bytes(4, "big") + body + b"\x00\x00\x00\x08free"


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (ftyp(b"heic", b"mif1", b"heic"), "image/heic"),  # iPhone
        (ftyp(b"mif1", b"heic"), "image/heic"),  # codec brand among the compatible ones
        (ftyp(b"heix", b"mif1"), "image/heic"),
        (ftyp(b"msf1", b"hevc"), "image/heic"),  # an image sequence (burst)
        (ftyp(b"heim"), "image/heic"),
        (ftyp(b"heis"), "image/heic"),
        (ftyp(b"hevx"), "image/heic"),
        (ftyp(b"mif1"), "image/heic"),  # generic HEIF, no codec named
        (ftyp(b"avif", b"mif1", b"miaf"), None),
        (ftyp(b"mif1", b"avif"), None),  # AVIF with the generic brand first
        (ftyp(b"isom", b"iso2", b"mp41"), None),  # an MP4 video
        (b"\x00\x00\x00\x18ftyp", None),  # cut inside the box
    ],
)
def test_sniff_heic_by_ftyp_brands(head: bytes, mime: str | None) -> None:
    assert sniff(head) == mime
