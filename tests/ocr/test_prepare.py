from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocr.prepare import DEFAULT_MAX_SIDE, prepare, straighten_plan

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)


def rgb_at(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    pixel = image.getpixel(xy)
    assert isinstance(pixel, tuple)
    return pixel


def transparent_page_with_black_mark(mode: str) -> Image.Image:
    """Fully transparent except an opaque black square at (10..20, 10..20)."""
    image = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    image.paste((0, 0, 0, 255), (10, 10, 20, 20))
    if mode == "La":  # Pillow makes La only from LA
        return image.convert("LA").convert("La")
    return image.convert(mode)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "PA", "RGBa", "La"])
def test_alpha_is_flattened_onto_white(mode: str) -> None:
    prepared = prepare(transparent_page_with_black_mark(mode))
    assert prepared.mode == "RGB"
    assert prepared.getpixel((2, 2)) == WHITE  # transparent black becomes paper, not ink
    assert prepared.getpixel((15, 15)) == BLACK


def test_palette_with_transparency_index() -> None:
    image = Image.new("P", (10, 10), 0)
    image.putpalette([0, 0, 0, 255, 0, 0])
    image.paste(1, (0, 0, 5, 10))
    image.info["transparency"] = 0
    prepared = prepare(image)
    assert prepared.mode == "RGB"
    assert prepared.getpixel((1, 1)) == (255, 0, 0)
    assert prepared.getpixel((8, 8)) == WHITE


@pytest.mark.parametrize(
    ("mode", "ink"),
    [("1", 0), ("L", 0), ("P", 0), ("CMYK", (0, 0, 0, 255)), ("YCbCr", (0, 128, 128))],
)
def test_plain_modes_become_rgb(mode: str, ink: int | tuple[int, ...]) -> None:
    image = Image.new("RGB", (20, 10), "white").convert(mode)
    image.putpixel((3, 3), ink)
    prepared = prepare(image)
    assert prepared.mode == "RGB"
    assert prepared.size == (20, 10)
    assert prepared.getpixel((15, 5)) == WHITE
    assert sum(rgb_at(prepared, (3, 3))) < 40


@pytest.mark.parametrize(
    ("mode", "top"), [("I;16", 4095), ("I;16", 65535), ("I", 4095), ("F", 1.0)]
)
def test_wide_modes_are_stretched_not_clipped(mode: str, top: float) -> None:
    values = np.zeros((10, 20), dtype=np.float64)
    values[:, 10:] = top
    values[0, 0] = top / 2
    dtype = {"I;16": np.uint16, "I": np.int32, "F": np.float32}[mode]
    image = Image.fromarray(values.astype(dtype))
    assert image.mode == mode
    prepared = prepare(image)
    assert prepared.mode == "RGB"
    assert prepared.getpixel((5, 5)) == BLACK
    assert prepared.getpixel((15, 5)) == WHITE
    assert rgb_at(prepared, (0, 0))[0] in (127, 128)


def test_exif_orientation_6_is_applied(encode: Callable[..., bytes]) -> None:
    # Stored landscape with a red block at the top left; orientation 6 means "rotate 90
    # degrees clockwise to view", which moves that block to the top right.
    stored = Image.new("RGB", (80, 40), "white")
    stored.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = Image.open(io.BytesIO(encode(stored, "JPEG", exif=exif, quality=95)))
    prepared = prepare(photo)
    assert prepared.size == (40, 80)
    red, green, _blue = rgb_at(prepared, (30, 10))
    assert red > 200 > green
    assert prepared.getpixel((5, 70)) == pytest.approx(WHITE, abs=8)
    assert prepare(prepared).size == (40, 80)  # the tag is gone: not turned twice


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_damaged_exif_is_ignored() -> None:
    image = Image.new("RGB", (30, 10), "white")
    image.info["exif"] = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff"
    assert prepare(image).size == (30, 10)


def test_downscale_keeps_aspect_ratio_and_scales_dpi() -> None:
    image = Image.new("RGB", (8000, 2000), "white")
    image.info["dpi"] = (600, 600)
    prepared = prepare(image)
    assert prepared.size == (DEFAULT_MAX_SIDE, 1000)
    assert prepared.info["dpi"] == (300, 300)
    assert prepare(image, max_side=1000).size == (1000, 250)


def test_nothing_to_do_returns_the_same_image_and_input_is_untouched() -> None:
    small = Image.new("RGB", (100, 50), "white")
    assert prepare(small) is small
    grey = Image.new("L", (100, 50), 255)
    assert prepare(grey).mode == "RGB"
    assert grey.mode == "L"


def test_max_side_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_side"):
        prepare(Image.new("RGB", (10, 10)), max_side=0)


def test_upside_down_page_is_turned_unless_disabled(phototest: Path) -> None:
    with Image.open(phototest) as scan:
        upright = scan.convert("RGB")
    upside_down = upright.transpose(Image.Transpose.ROTATE_180)
    turned = prepare(upside_down)
    assert np.array_equal(np.asarray(turned), np.asarray(upright))  # exact: a lossless turn
    assert prepare(upside_down, orient=False, deskew=False) is upside_down
    assert prepare(upright) is upright  # straight and upright: nothing to do


def test_sideways_page_is_turned_upright(phototest: Path) -> None:
    with Image.open(phototest) as scan:
        upright = scan.convert("RGB")
    assert prepare(upright.transpose(Image.Transpose.ROTATE_90)).size == upright.size


def test_transform_downscales_turns_and_deskews_in_one_pass(phototest: Path) -> None:
    with Image.open(phototest) as scan:
        upright = scan.convert("RGB")
    upright.info["dpi"] = (200, 200)
    # Upside down, tilted by 2 degrees and twice too large: what a careless scan looks like.
    page = upright.resize((1280, 960), Image.Resampling.LANCZOS)
    page = page.rotate(2.0, Image.Resampling.BICUBIC, fillcolor="white")
    page = page.transpose(Image.Transpose.ROTATE_180)
    page.info["dpi"] = (400, 400)

    prepared = prepare(page, max_side=640)

    assert prepared.size == (640, 480)
    assert prepared.info["dpi"] == (200, 200)
    # Straight and upright again: close to the original scan, pixel for pixel.
    difference = np.abs(np.asarray(prepared, np.int16) - np.asarray(upright, np.int16))
    assert difference.mean() < 12
    # The input is not modified.
    assert page.size == (1280, 960)


def test_opaque_alpha_is_dropped_without_blending() -> None:
    rgba = Image.new("RGBA", (20, 10), (10, 20, 30, 255))
    assert rgb_at(prepare(rgba), (5, 5)) == (10, 20, 30)


@pytest.mark.parametrize(
    "crop", ["uw3_lines_en/train_010025.png", "ocrd_dta_lines_de/heine_lieder_1827_0149_013.tif"]
)
def test_a_single_text_line_is_not_deskewed(testdata: Path, crop: str) -> None:
    # The line profile measured 7.8 and 8.9 degrees on these straight crops; rotating them
    # cut off the line's ends (uw3 CER 0.000 -> 0.419 for the first).
    with Image.open(testdata / crop) as image:
        rgb = image.convert("RGB")
    assert straighten_plan(rgb) == (0, 0.0)
    assert prepare(rgb) is rgb


def test_a_grey_page_is_prepared_as_its_rgb_copy_is_pixel_for_pixel(phototest: Path) -> None:
    # Grey pages are worked on as one band until downscaled (a third of the memory of a
    # huge scan, issue 15 item 5): the result must not differ from the RGB route in any way.
    with Image.open(phototest) as scan:
        grey = scan.convert("L")
    page = grey.resize((1280, 960), Image.Resampling.LANCZOS)
    page = page.rotate(2.0, Image.Resampling.BICUBIC, fillcolor=255)
    page = page.transpose(Image.Transpose.ROTATE_180)
    from_grey = prepare(page, max_side=640)
    from_rgb = prepare(page.convert("RGB"), max_side=640)
    assert from_grey.mode == from_rgb.mode == "RGB"
    assert np.array_equal(np.asarray(from_grey), np.asarray(from_rgb))
    assert straighten_plan(page) == straighten_plan(page.convert("RGB")) != (0, 0.0)
