"""Every kind of source (path, bytes, file object, PIL image) gives the same pages and text."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

import ocr
from ocr.engines import Engine
from ocr.errors import ImageTooLarge
from ocr.inputs import ImagePages, open_source, portable
from ocr.prepare import prepare

DrawPage = Callable[..., Image.Image]


def _all_kinds(path: Path) -> list[ocr.Source]:
    data = path.read_bytes()
    return [path, str(path), data, bytearray(data), io.BytesIO(data), Image.open(path)]


def test_every_kind_of_source_reads_the_same(phototest: Path, engine: Engine) -> None:
    expected = ocr.extract_text(phototest, engine=engine)
    assert "The quick brown dog jumped over the" in expected
    for source in _all_kinds(phototest):
        assert ocr.extract_text(source, engine=engine) == expected, type(source).__name__


@pytest.mark.slow
def test_every_kind_of_source_reads_the_same_in_the_pool(phototest: Path, engine: Engine) -> None:
    expected = ocr.extract_text(phototest, engine=engine)
    sources = _all_kinds(phototest)
    # By name: the documents go to the process pool, streams and images as bytes.
    outcomes = asyncio.run(ocr.aextract_many(sources, engine=engine.name))
    assert [o.text if isinstance(o, ocr.DocumentResult) else o for o in outcomes] == [
        expected
    ] * len(sources)


def test_a_multi_frame_image_gives_one_page_per_frame(three_page_tiff: Path) -> None:
    with Image.open(three_page_tiff) as image:
        image.seek(1)
        with open_source(image) as pages:
            assert isinstance(pages, ImagePages)
            assert [page.size for page in pages] == [(480, 480), (500, 490), (520, 500)]
        assert image.tell() == 1  # the caller's frame is put back
        with open_source(portable(image)) as shipped:
            assert [page.size for page in shipped] == [(480, 480), (500, 490), (520, 500)]
        assert image.tell() == 1


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGBA", "CMYK", "I;16"])
def test_portable_images_keep_their_pixels(mode: str, draw_page: DrawPage) -> None:
    image = draw_page("page one", mode=mode)
    with open_source(portable(image)) as pages:
        (shipped,) = list(pages)
    assert shipped.mode == image.mode
    assert shipped.tobytes() == image.tobytes()


def test_portable_images_keep_their_exif_orientation(draw_page: DrawPage) -> None:
    image = draw_page("page one", size=(400, 300))
    exif = image.getexif()
    exif[0x0112] = 6  # stored sideways: turn 90 degrees clockwise to view
    image = Image.open(io.BytesIO(_jpeg(image, exif.tobytes())))
    with open_source(image) as here, open_source(portable(image)) as there:
        assert prepare(here.page(0)).size == prepare(there.page(0)).size == (300, 400)


def test_portable_paths_are_absolute_and_streams_keep_their_position(tmp_path: Path) -> None:
    assert portable(Path("scan.png")) == str(Path.cwd() / "scan.png")
    stream = io.BytesIO(b"0123456789")
    stream.seek(4)
    assert portable(stream) == b"0123456789"  # the whole file, from its start
    assert stream.tell() == 4
    assert portable(memoryview(b"abc")) == b"abc"


def test_a_large_image_is_refused_before_it_is_decoded(draw_page: DrawPage) -> None:
    with pytest.raises(ImageTooLarge, match=r"480×480 pixels"):
        open_source(draw_page("x"), max_pixels=1000)


def test_something_else_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="expected a path, bytes, a binary file object"):
        open_source(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not int"):
        portable(42)  # type: ignore[arg-type]


def _jpeg(image: Image.Image, exif: bytes) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, exif=exif)
    return buffer.getvalue()
