from __future__ import annotations

import io
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

from ocr.errors import (
    CorruptFile,
    ImageTooLarge,
    PasswordRequired,
    UnsupportedFormat,
    WrongPassword,
)
from ocr.files import open_document, validate
from tests.ocr.pdfmaker import blank_pdf

Encode = Callable[..., bytes]


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` RGB pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + png_chunk(b"IEND", b"")
    )


def test_multipage_tiff_frames_in_order(three_page_tiff: Path) -> None:
    with open_document(three_page_tiff) as document:
        assert document.mime == "image/tiff"
        assert document.page_count == len(document) == 3
        sizes = [page.size for page in document]
    assert sizes == [(480, 480), (500, 490), (520, 500)]
    assert validate(three_page_tiff) == ("image/tiff", 3)


def test_pages_are_random_access_and_detached(three_page_tiff: Path) -> None:
    with open_document(three_page_tiff) as document:
        last = document.page(2)
        first = document.page(0)  # seeking back must not change the page already returned
        with pytest.raises(IndexError):
            document.page(3)
    assert (first.size, last.size) == ((480, 480), (520, 500))


def test_reduced_resolution_tiff_frames_are_not_pages(tmp_path: Path) -> None:
    path = tmp_path / "with-thumbnail.tif"
    with TiffImagePlugin.AppendingTiffWriter(str(path), new=True) as tiff:
        Image.new("L", (400, 300), 255).save(tiff, "TIFF")
        tiff.newFrame()
        Image.new("L", (40, 30), 255).save(tiff, "TIFF", tiffinfo={254: 1})  # thumbnail
    with Image.open(path) as written:
        assert isinstance(written, TiffImagePlugin.TiffImageFile)
        assert written.n_frames == 2
    assert validate(path) == ("image/tiff", 1)


def test_animated_png_is_one_page(encode: Encode) -> None:
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "blue")]
    data = encode(frames[0], "PNG", save_all=True, append_images=frames[1:])
    assert validate(io.BytesIO(data)) == ("image/png", 1)


def test_multi_frame_gif_pages(encode: Encode) -> None:
    frames = [Image.new("L", (30, 20), shade) for shade in (0, 128, 255)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    with open_document(io.BytesIO(data)) as document:
        shades = [page.convert("L").getpixel((0, 0)) for page in document]
    assert shades == [0, 128, 255]


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_truncated_image_is_corrupt(tmp_path: Path, encode: Encode, fmt: str) -> None:
    noise = Image.effect_noise((400, 400), 60).convert("RGB")  # does not compress away
    data = encode(noise, fmt)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFile) as raised, open_document(path) as document:
        list(document)
    assert "damaged or incomplete" in str(raised.value)


def test_decode_error_while_iterating_names_the_page(encode: Encode) -> None:
    data = encode(Image.effect_noise((300, 300), 60), "PNG")
    document = open_document(io.BytesIO(data[: len(data) // 2]))  # the header is intact
    with pytest.raises(CorruptFile) as raised:
        document.page(0)
    document.close()
    assert raised.value.page == 1
    assert str(raised.value).startswith("Page 1 of the file")


def test_garbage_after_magic_bytes_is_corrupt() -> None:
    with pytest.raises(CorruptFile):
        validate(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 4))


def test_empty_file_is_corrupt(tmp_path: Path) -> None:
    empty = tmp_path / "scan.png"
    empty.write_bytes(b"")
    with pytest.raises(CorruptFile, match="empty"):
        validate(empty)


def test_unsupported_content_names_what_it_looks_like(tmp_path: Path) -> None:
    archive = tmp_path / "scan.pdf"
    archive.write_bytes(b"PK\x03\x04" + bytes(60))
    with pytest.raises(UnsupportedFormat) as raised:
        open_document(archive)
    assert "PNG, JPEG, TIFF, WebP, BMP, GIF, HEIC, PDF" in str(raised.value)
    assert "ZIP archive" in str(raised.value)


def test_png_named_pdf_opens_as_png(tmp_path: Path, encode: Encode) -> None:
    fake = tmp_path / "report.pdf"
    fake.write_bytes(encode(Image.new("RGB", (30, 20), "white"), "PNG"))
    assert validate(fake) == ("image/png", 1)


def test_declared_huge_png_is_refused_before_decoding() -> None:
    data = png_declaring(50_000, 50_000)  # 7.5 GB of RGB if it were ever allocated
    started = time.perf_counter()
    with pytest.raises(ImageTooLarge) as raised:
        open_document(io.BytesIO(data))
    assert time.perf_counter() - started < 1.0
    assert raised.value.width == raised.value.height == 50_000
    assert "50000\u00d750000 pixels (2,500 megapixels)" in str(raised.value)
    assert "limit of 178 megapixels" in str(raised.value)
    with pytest.raises(ImageTooLarge):
        validate(io.BytesIO(data))


def test_own_pixel_limit_checks_every_frame(tmp_path: Path) -> None:
    path = tmp_path / "second-page-huge.tif"
    small, big = Image.new("L", (100, 100)), Image.new("L", (300, 300))
    small.save(path, save_all=True, append_images=[big])
    assert validate(path, max_pixels=90_000) == ("image/tiff", 2)
    with pytest.raises(ImageTooLarge) as raised:
        validate(path, max_pixels=50_000)
    assert raised.value.page == 2
    assert str(raised.value).startswith("Page 2 of the file is 300\u00d7300 pixels")


def test_pdf_pages_render_lazily_at_dpi() -> None:
    data = blank_pdf((612, 792), (792, 612))  # Letter, portrait then landscape
    assert validate(io.BytesIO(data)) == ("application/pdf", 2)
    with open_document(io.BytesIO(data), pdf_dpi=100) as document:
        assert document.mime == "application/pdf"
        assert document.page_count == 2
        pages = list(document)
    assert [page.size for page in pages] == [(850, 1100), (1100, 850)]
    assert pages[0].mode == "RGB"
    assert pages[0].getpixel((10, 10)) == (255, 255, 255)
    assert pages[0].info["dpi"] == (100, 100)


def test_pdf_page_over_the_pixel_limit_renders_smaller() -> None:
    data = blank_pdf((3600, 3600))  # 50 x 50 inches
    with open_document(io.BytesIO(data), max_pixels=4_000_000) as document:
        page = document.page(0)
    assert page.width * page.height <= 4_000_000
    assert page.width > 1900


def test_real_scanned_pdf(testdata: Path) -> None:
    path = testdata / "pdfs" / "paperless" / "multi-page-images.pdf"
    with open_document(path) as document:
        assert document.page_count == 3
        first = document.page(0)
    assert first.mode == "RGB"
    assert first.width > 2000  # 8.5 in at 300 dpi


def test_pdf_from_a_stream_and_the_stream_is_left_as_found(testdata: Path) -> None:
    stream = io.BytesIO((testdata / "pdfs" / "paperless" / "multi-page-images.pdf").read_bytes())
    stream.seek(7)
    assert validate(stream) == ("application/pdf", 3)
    assert not stream.closed
    assert stream.tell() == 7


def test_non_seekable_stream(encode: Encode) -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    pipe = io.BufferedReader(Pipe(encode(Image.new("RGB", (30, 20)), "BMP")))
    assert not pipe.seekable()
    assert validate(pipe) == ("image/bmp", 1)


def test_password_pdf(testdata: Path) -> None:
    path = testdata / "pdfs" / "paperless" / "password-is-test.pdf"
    with pytest.raises(PasswordRequired, match="password") as raised:
        validate(path)
    assert not isinstance(raised.value, WrongPassword)
    with pytest.raises(PasswordRequired):
        open_document(io.BytesIO(path.read_bytes()))
    with pytest.raises(PasswordRequired):
        validate(path, password="")  # "" is no password, not a wrong one


@pytest.mark.parametrize("as_stream", [False, True], ids=["path", "stream"])
def test_password_opens_a_protected_pdf(testdata: Path, as_stream: bool) -> None:
    path = testdata / "pdfs" / "paperless" / "password-is-test.pdf"
    source = io.BytesIO(path.read_bytes()) if as_stream else path
    with open_document(source, password="test", pdf_dpi=72) as document:
        assert document.page_count == 1
        assert document.page(0).width > 0
    assert validate(source, password="test") == ("application/pdf", 1)


def test_wrong_password_is_told_apart(testdata: Path) -> None:
    path = testdata / "pdfs" / "paperless" / "password-is-test.pdf"
    with pytest.raises(WrongPassword, match="The password given does not open this PDF"):
        validate(path, password="not-it")
    with pytest.raises(WrongPassword):
        open_document(io.BytesIO(path.read_bytes()), password="not-it")


def test_encrypted_pdf_needs_its_own_password(testdata: Path) -> None:
    # encrypted.pdf has a user password that is not "test" (and not known to these tests).
    path = testdata / "pdfs" / "paperless" / "encrypted.pdf"
    with pytest.raises(PasswordRequired):
        validate(path)
    with pytest.raises(WrongPassword):
        validate(path, password="test")


def test_encrypted_pdf_without_user_password_opens(testdata: Path) -> None:
    # AES-encrypted with permissions only: it opens with no password. PDFium does not fall back
    # to "no password" when one is given, so callers must give one only when it is needed.
    path = testdata / "pdfs" / "paperless" / "signed.pdf"
    assert validate(path) == ("application/pdf", 1)
    assert validate(path, password="") == ("application/pdf", 1)
    with pytest.raises(WrongPassword):
        validate(path, password="test")


def test_password_is_ignored_for_images(encode: Encode) -> None:
    data = encode(Image.new("RGB", (30, 20)), "PNG")
    assert validate(io.BytesIO(data), password="anything") == ("image/png", 1)


def test_broken_pdf_is_corrupt() -> None:
    with pytest.raises(CorruptFile):
        validate(io.BytesIO(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"))


def heic_declaring(testdata: Path, width: int, height: int) -> bytes:
    """The real HEIC photo with its declared size (the ``ispe`` property) changed."""
    data = (testdata / "pdfs" / "paperless" / "simple.heic").read_bytes()
    # The photo is a grid of 512x512 tiles (their ispe comes first), then the 1345x447 image.
    declared = struct.pack(">II", 1345, 447)
    at = data.index(b"ispe" + bytes(4) + declared)
    return data[: at + 8] + struct.pack(">II", width, height) + data[at + 16 :]


def test_heic_photo_opens(testdata: Path) -> None:
    path = testdata / "pdfs" / "paperless" / "simple.heic"
    assert validate(path) == ("image/heic", 1)
    with open_document(io.BytesIO(path.read_bytes())) as document:
        assert document.mime == "image/heic"
        assert document.page_count == 1
        page = document.page(0)
    assert (page.mode, page.size) == ("RGB", (1345, 447))


def test_heic_declared_too_large_is_refused_before_decoding(testdata: Path) -> None:
    started = time.perf_counter()
    with pytest.raises(ImageTooLarge) as raised:
        validate(io.BytesIO(heic_declaring(testdata, 20000, 20000)))
    assert time.perf_counter() - started < 1, "refused from the header, nothing decoded"
    assert (raised.value.width, raised.value.height) == (20000, 20000)
    # Below Pillow's own limit, the library's pixel limit applies as to any image.
    with pytest.raises(ImageTooLarge, match="1345×447"):
        validate(testdata / "pdfs" / "paperless" / "simple.heic", max_pixels=500_000)


def test_truncated_heic_is_corrupt_when_decoded(testdata: Path) -> None:
    data = (testdata / "pdfs" / "paperless" / "simple.heic").read_bytes()
    cut = io.BytesIO(data[: len(data) // 10])  # the header is whole, most tiles are missing
    assert validate(cut) == ("image/heic", 1)
    with pytest.raises(CorruptFile) as raised, open_document(cut) as document:
        document.page(0)
    assert raised.value.page == 1


def test_exif_orientation_applied_to_pages(encode: Encode) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees clockwise to view
    data = encode(Image.new("RGB", (40, 20), "white"), "JPEG", exif=exif)
    with open_document(io.BytesIO(data)) as document:
        assert document.page(0).size == (20, 40)


def test_a_single_page_is_handed_out_without_a_copy_and_outlives_the_file(
    testdata: Path,
) -> None:
    path = testdata / "tapuscorpus_fr" / "AN_96AP_FRAN_0150_0159.jpg"
    with open_document(path) as document:
        page = document.page(0)
        again = document.page(0)  # asked twice: the second one is a copy
    # A plain image (no ``format``: engines such as tesserocr re-encode in it), still usable
    # after the document is closed, and the same pixels as the file's.
    assert page.format is None
    assert again is not page
    with Image.open(path) as original:
        assert np.array_equal(np.asarray(page), np.asarray(original))
    assert np.array_equal(np.asarray(again), np.asarray(page))


@pytest.mark.parametrize(
    "name",
    [
        "pdfs/paperless/rotated.pdf",
        "pdfs/paperless/multi-page-images.pdf",
        "pdfs/paperless/multi-page-images-alpha-rgb.tiff",
        "pdfs/paperless/simple.heic",
        "tesseract_test/phototest.tif",
    ],
)
def test_page_size_is_the_decoded_pages_size(testdata: Path, name: str) -> None:
    """``page_size`` (headers, page boxes: nothing decoded) is the size ``page`` returns."""
    with open_document(testdata / name) as source:
        for index in range(source.page_count):
            assert source.page_size(index) == source.page(index).size, index


def test_page_size_turns_with_the_exif_orientation(encode: Encode) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways
    data = encode(Image.new("RGB", (40, 20), "white"), "JPEG", exif=exif)
    with open_document(io.BytesIO(data)) as source:
        assert source.page_size(0) == source.page(0).size == (20, 40)
