"""Bad files through the real upload view: never a 500, always a message, nothing half-made.

Each case records what actually happens. A file is either refused at upload (no row, no stored
file, the reason on the page) or accepted and stored byte for byte. Truncated images whose
header is whole are accepted: validation reads headers only, and the damage shows when the
worker decodes the page (the document then fails with a message naming the page; see
tests/ocr/test_files.py). That is on purpose: decoding every page at upload would make the
upload as slow as OCR.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from archive.models import Document
from tests.archive.conftest import encode, render_page
from tests.ocr.pdfmaker import LETTER, blank_pdf

pytestmark = pytest.mark.django_db


def _page(fmt: str, **options: Any) -> bytes:
    # Noise does not compress away, so half of the file is half of the pixels.
    image = Image.effect_noise((600, 400), 60).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("scan.png", encode([render_page(["inside a zip"])], "PNG"))
    return buffer.getvalue()


def _pdf_page() -> bytes:
    buffer = io.BytesIO()
    render_page(["A letter"]).save(buffer, format="PDF")
    return buffer.getvalue()


@dataclass(frozen=True)
class Case:
    name: str
    data: Callable[[], bytes]
    accepted: bool
    message: str  # shown on the page the user ends on
    status: int = 200  # of that page
    stored_name: str = ""  # original_name when accepted, if not ``name``


CASES = {
    "zero-byte": Case("empty.png", lambda: b"", False, "empty.png: The file is empty."),
    "truncated-png": Case(
        "cut.png", lambda: _half(_page("PNG")), True, "cut.png: uploaded, OCR queued."
    ),
    "truncated-jpeg": Case(
        "cut.jpg", lambda: _half(_page("JPEG")), True, "cut.jpg: uploaded, OCR queued."
    ),
    # Pillow writes an uncompressed TIFF's directory first: the header survives the cut.
    "truncated-tiff": Case(
        "cut.tif", lambda: _half(_page("TIFF")), True, "cut.tif: uploaded, OCR queued."
    ),
    # A compressed TIFF's directory comes after the strips: cut off, nothing can be read.
    "truncated-tiff-lzw": Case(
        "cut-lzw.tif",
        lambda: _half(_page("TIFF", compression="tiff_lzw")),
        False,
        "cut-lzw.tif: The file is damaged or incomplete and cannot be read",
    ),
    "truncated-pdf": Case(
        "cut.pdf",
        lambda: _half(_pdf_page()),
        False,
        "cut.pdf: The file is damaged or incomplete and cannot be read",
    ),
    "html-named-pdf": Case(
        "invoice.pdf",
        lambda: b"<!DOCTYPE html><html><body><h1>Invoice</h1></body></html>",
        False,
        "invoice.pdf: This is not a supported scan (BMP, GIF, HEIC, JPEG, PDF, PNG, TIFF, WebP)."
        " The file looks like: HTML page.",
    ),
    "text-named-pdf": Case(
        "notes.pdf",
        lambda: b"Meeting notes\nBring the scans.\n",
        False,
        "notes.pdf: This is not a supported scan (BMP, GIF, HEIC, JPEG, PDF, PNG, TIFF, WebP)."
        " The file looks like: text file.",
    ),
    "zip": Case(
        "scans.zip",
        _zip,
        False,
        "The file looks like: ZIP archive (or an Office document such as .docx or .xlsx).",
    ),
    "decompression-bomb": Case(
        "bomb.png",
        lambda: _png_declaring(50_000, 50_000),
        False,
        "bomb.png: The image is 50000\u00d750000 pixels (2,500 megapixels), above the limit of "
        "178 megapixels.",
    ),
    # Issue 15, item 9: this once failed in the worker with "internal error (ResizeImgError)".
    "170000x1": Case(
        "thin.png",
        lambda: encode([Image.new("L", (170_000, 1), 255)], "PNG"),
        False,
        "thin.png: Page 1 of the file is 170000\u00d71 pixels: too long and thin to be a page "
        "(more than 500 times as long as it is wide). Crop it to the part with text, or scan it "
        "again.",
    ),
    "5000-pages": Case(
        "long.pdf",
        lambda: blank_pdf(*[LETTER] * 5000),
        False,
        "long.pdf: The file has 5,000 pages, above the limit of 2,000 pages. "
        "Split it into smaller files.",
    ),
    "over-max-upload-mb": Case(
        "big.png",
        lambda: encode([render_page(["big"])], "PNG") + b"\x00" * (1024 * 1024),
        False,
        "big.png: The file is 1.1 MB, above the limit of 1 MB.",
        status=413,
    ),
}


def _files(settings: Any) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_through_the_upload_view(client: Client, alice, settings, case: Case) -> None:
    settings.MAX_UPLOAD_MB = 1
    client.force_login(alice)
    data = case.data()
    upload = io.BytesIO(data)
    upload.name = case.name
    response = client.post(reverse("upload"), {"scans": [upload]}, follow=True)
    text = response.content.decode()
    assert response.status_code == case.status
    assert case.message in text.replace("&#x27;", "'")
    if case.accepted:
        document = Document.objects.get()
        assert document.status == Document.Status.QUEUED
        assert document.original_name == (case.stored_name or case.name)
        assert [path.read_bytes() for path in _files(settings)] == [data]
    else:
        assert not Document.objects.exists()
        assert _files(settings) == []


def _multipart(name: str | bytes, data: bytes, boundary: str = "b0undary") -> bytes:
    """A form post with a file name sent exactly as given (the test client would clean it);
    a name given as bytes is sent as those bytes (not necessarily UTF-8)."""
    raw = name if isinstance(name, bytes) else name.encode()
    return (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="scans"; filename="'
        + raw
        + b'"\r\n'
        + b"Content-Type: application/octet-stream\r\n\r\n"
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )


@pytest.mark.parametrize(
    ("sent", "original_name", "title"),
    [
        ("../../etc/passwd.png", "passwd.png", "passwd"),
        ("C:\\scans\\2024\\x.png", "x.png", "x"),
        ("  My\u00a0  Scan \x01\x7f.png", "My Scan.png", "My Scan"),
        ("   .png", "upload.png", "Untitled scan"),
        ("..\\..\\\u202egnp.exe", "gnp.exe", "gnp"),
    ],
    ids=["dot-dot-slash", "windows-path", "control-and-spaces", "only-an-extension", "bidi"],
)
def test_file_names_are_cleaned_through_the_view(
    client: Client, alice, settings, sent: str, original_name: str, title: str
) -> None:
    client.force_login(alice)
    data = encode([render_page(["A named scan"])], "PNG")
    posted = client.generic(
        "POST",
        reverse("upload"),
        _multipart(sent, data),
        content_type="multipart/form-data; boundary=b0undary",
    )
    assert posted.status_code == 302
    response = client.get(posted["Location"])
    assert f"{original_name}: uploaded, OCR queued." in response.content.decode()
    document = Document.objects.get()
    assert (document.original_name, document.title) == (original_name, title)
    assert [path.read_bytes() for path in _files(settings)] == [data]


@pytest.mark.parametrize(
    ("sent", "original_name"),
    [
        (b"Rechnung M\xe4rz.png", "Rechnung M\u00e4rz.png"),
        (b"scan-\xff\xfe.png", "scan-\u00ff\u00fe.png"),
    ],
    ids=["latin-1", "invalid-utf-8"],
)
def test_a_file_name_that_is_not_utf8_is_kept_not_dropped(
    client: Client, alice, settings, sent: bytes, original_name: str
) -> None:
    # Issue 15, item 9: such a file once vanished ("This field is required.").
    client.force_login(alice)
    data = encode([render_page(["A named scan"])], "PNG")
    posted = client.generic(
        "POST",
        reverse("upload"),
        _multipart(sent, data),
        content_type="multipart/form-data; boundary=b0undary",
    )
    assert posted.status_code == 302, posted.content.decode()[:500]
    document = Document.objects.get()
    assert document.original_name == original_name
    assert [path.read_bytes() for path in _files(settings)] == [data]


def test_one_empty_file_does_not_sink_the_others(client: Client, alice, make_upload) -> None:
    client.force_login(alice)
    empty = make_upload("empty.png", data=b"")
    response = client.post(reverse("upload"), {"scans": [empty, make_upload()]}, follow=True)
    text = response.content.decode()
    assert "empty.png: The file is empty." in text
    assert "scan.png: uploaded, OCR queued." in text
    assert Document.objects.count() == 1


def test_413_only_when_every_file_is_too_large(
    client: Client, alice, make_upload, settings
) -> None:
    settings.MAX_UPLOAD_MB = 1
    client.force_login(alice)
    big = make_upload("big.png", data=b"\x89PNG\r\n\x1a\n" + bytes(1024 * 1024 + 1))
    both_big = [big, make_upload("big2.png", data=b"\x89PNG\r\n\x1a\n" + bytes(1024 * 1024 + 2))]
    assert client.post(reverse("upload"), {"scans": both_big}).status_code == 413
    big.seek(0)
    mixed = client.post(reverse("upload"), {"scans": [big, make_upload("ok.png")]}, follow=True)
    assert mixed.redirect_chain[0][1] == 302
    text = mixed.content.decode()
    assert "big.png: The file is 1.1 MB, above the limit of 1 MB." in text
    assert "ok.png: uploaded, OCR queued." in text
