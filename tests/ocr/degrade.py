"""Upright pages made worse the way real scans are: speckle, fax noise, stamps, numbers
printed sideways in the margin, handwritten strokes. Deterministic (seeded), so a page that
fooled the orientation step once fools it every run.

Each function takes an RGB page and returns a new RGB page of the same size; ``DEGRADATIONS``
names them all, ``degrade(page, name)`` applies one, and ``all_degradations`` applies all of
them together (the worst case: a fax of a stamped, annotated receipt).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def speckle(page: Image.Image, *, seed: int = 1) -> Image.Image:
    """Dark specks and dust over the whole page (thermal paper, a dirty scanner glass)."""
    rng = np.random.default_rng(seed)
    pixels = np.array(page.convert("RGB"))
    height, width = pixels.shape[:2]
    unit = max(1, min(width, height) // 800)
    for _ in range(int(width * height / 3000)):
        y, x = int(rng.integers(0, height)), int(rng.integers(0, width))
        size = int(rng.integers(1, 3 * unit + 1))
        pixels[y : y + size, x : x + size] = int(rng.integers(0, 90))
    return Image.fromarray(pixels)


def fax_noise(page: Image.Image, *, seed: int = 2) -> Image.Image:
    """A fax copy: bitonal at a coarse threshold, horizontal streaks, dropped pixel runs,
    a dark band along one edge."""
    rng = np.random.default_rng(seed)
    grey = np.asarray(page.convert("L").filter(ImageFilter.GaussianBlur(1.2)), dtype=np.int16)
    grey = grey + rng.normal(0, 28, grey.shape).astype(np.int16)
    pixels = np.where(grey < 150, 0, 255).astype(np.uint8)
    height, width = pixels.shape
    for _ in range(max(3, height // 120)):
        y = int(rng.integers(0, height - 3))
        x0 = int(rng.integers(0, width // 2))
        x1 = min(width, x0 + int(rng.integers(width // 4, width)))
        pixels[y : y + int(rng.integers(1, 4)), x0:x1] = 0
    for _ in range(height // 6):  # white dropouts across the text
        y = int(rng.integers(0, height))
        x0 = int(rng.integers(0, width))
        pixels[y, x0 : x0 + int(rng.integers(5, 60))] = 255
    edge = max(4, width // 60)
    pixels[:, width - edge :] = np.where(rng.random((height, edge)) < 0.7, 0, 255)
    return Image.fromarray(pixels).convert("RGB")


def stamps(page: Image.Image, *, seed: int = 3) -> Image.Image:
    """Two rubber stamps: a ring with capitals round it and a turned box with a date."""
    rng = np.random.default_rng(seed)
    result = page.convert("RGB").copy()
    width, height = result.size
    size = min(width, height) // 4
    for index, (text, angle) in enumerate((("RECEIVED 12 MAR", 160.0), ("PAID COPY 2024", 205.0))):
        stamp = Image.new("L", (size, size), 0)
        draw = ImageDraw.Draw(stamp)
        draw.ellipse((4, 4, size - 4, size - 4), outline=255, width=max(3, size // 40))
        font = ImageFont.truetype(FONT, max(10, size // 7))
        draw.text((size // 2, size // 2), text.split()[0], fill=255, font=font, anchor="mm")
        draw.text((size // 2, size // 2 + size // 6), text.split()[-1], fill=255, font=font,
                  anchor="mm")  # fmt: skip
        stamp = stamp.rotate(angle, resample=Image.Resampling.BICUBIC)
        x = int(rng.integers(0, max(1, width - size)))
        y = int(height * (0.15 + 0.5 * index))
        ink = Image.new("RGB", (size, size), (150, 20, 40) if index else (20, 40, 150))
        result.paste(ink, (x, y), stamp.point(lambda v: int(v * 0.85)))
    return result


def margin_numbers(page: Image.Image, *, seed: int = 4) -> Image.Image:
    """Numbers printed along the margins, turned sideways and upside down (file numbers of a
    form, a ledger's page stamp)."""
    rng = np.random.default_rng(seed)
    result = page.convert("RGB").copy()
    width, height = result.size
    font = ImageFont.truetype(FONT, max(12, min(width, height) // 28))
    for index, angle in enumerate((90, 270, 180, 90)):
        text = f"{int(rng.integers(10**5, 10**7))}-{int(rng.integers(10, 99))}"
        box = font.getbbox(text)
        strip = Image.new("L", (int(box[2]) + 8, int(box[3]) + 8), 0)
        ImageDraw.Draw(strip).text((4, 4), text, fill=255, font=font)
        strip = strip.rotate(angle, expand=True)
        x = 2 if index % 2 == 0 else width - strip.width - 2
        y = int(height * (0.1 + 0.2 * index))
        result.paste((0, 0, 0), (x, min(y, height - strip.height)), strip)
    return result


def handwriting(page: Image.Image, *, seed: int = 5) -> Image.Image:
    """Pen strokes: loops, underlines, ticks and a signature-like scrawl in blue ink."""
    rng = np.random.default_rng(seed)
    result = page.convert("RGB").copy()
    draw = ImageDraw.Draw(result)
    width, height = result.size
    pen = max(2, min(width, height) // 300)
    for _ in range(14):
        x, y = float(rng.uniform(0, width)), float(rng.uniform(0, height))
        heading = float(rng.uniform(0, 2 * math.pi))
        points = [(x, y)]
        step = min(width, height) / 60
        for _ in range(int(rng.integers(20, 60))):
            heading += float(rng.normal(0, 0.6))
            x += step * math.cos(heading)
            y += step * math.sin(heading) + float(rng.normal(0, step / 2))
            points.append((x, y))
        draw.line(points, fill=(20, 30, 120), width=pen, joint="curve")
    return result


DEGRADATIONS: dict[str, Callable[..., Image.Image]] = {
    "speckle": speckle,
    "fax": fax_noise,
    "stamps": stamps,
    "margin_numbers": margin_numbers,
    "handwriting": handwriting,
}


def degrade(page: Image.Image, name: str) -> Image.Image:
    """``page`` with the degradation ``name`` (a key of ``DEGRADATIONS``)."""
    return DEGRADATIONS[name](page)


def all_degradations(page: Image.Image) -> Image.Image:
    """Every degradation at once: stamped, annotated, numbered, speckled, then faxed."""
    for name in ("stamps", "handwriting", "margin_numbers", "speckle", "fax"):
        page = degrade(page, name)
    return page


def cjk_page(
    text: str, *, size: tuple[int, int] = (1240, 1754), font_size: int = 40
) -> Image.Image:
    """A page of CJK ``text`` wrapped into lines, in a real CJK font (WenQuanYi Micro Hei,
    Debian's ``fonts-wqy-microhei``), at about 150 dpi."""
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(CJK_FONT, font_size)
    per_line = (size[0] - 200) // font_size
    top = 120
    for start in range(0, len(text), per_line):
        draw.text((100, top), text[start : start + per_line], fill="black", font=font)
        top += int(font_size * 1.7)
        if top > size[1] - 120:
            break
    return page


MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def receipt_page() -> Image.Image:
    """A till receipt as a thermal printer makes it (576 pixels wide, 203 dpi, monospaced,
    faded grey print), the kind of page the issue found turned upside down once speckled and
    marked by hand: degrade it with ``speckle`` and ``handwriting``."""
    lines = [
        "CORNER GROCERY & DELI",
        "12 Harbour Street, Portland",
        "Tel 207-555-0143",
        "",
        "Milk 2 l                 2.49",
        "Bread, rye                3.10",
        "Apples 1.2 kg             2.87",
        "Cheddar                   5.45",
        "Coffee beans 500 g        7.99",
        "Eggs (12)                 3.29",
        "Tomatoes                  1.76",
        "Olive oil 0.75 l          8.40",
        "",
        "SUBTOTAL                 35.35",
        "TAX 5.5 %                 1.94",
        "TOTAL                    37.29",
        "",
        "VISA ****4821            37.29",
        "Thank you for shopping with us!",
        "Keep this receipt for returns.",
    ]
    font = ImageFont.truetype(MONO, 22)
    page = Image.new("RGB", (576, 120 + 34 * len(lines)), (250, 250, 246))
    draw = ImageDraw.Draw(page)
    for index, line in enumerate(lines):
        draw.text((24, 60 + 34 * index), line, fill=(90, 90, 90), font=font)
    return page.filter(ImageFilter.GaussianBlur(0.6))


def form_page() -> Image.Image:
    """A filled-in form (labels, ruled fields, typed answers) at 150 dpi, to be faxed
    (``fax_noise``) with a file number printed sideways in the margin (``margin_numbers``)."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    title, label, typed = (ImageFont.truetype(FONT, 34), ImageFont.truetype(SERIF, 24),
                           ImageFont.truetype(MONO, 24))  # fmt: skip
    draw.text((140, 120), "APPLICATION FOR A READER'S CARD", fill="black", font=title)
    fields = [
        ("Surname", "Whitfield"), ("Given names", "Margaret Ellen"),
        ("Date of birth", "14 July 1962"), ("Address", "8 Mill Lane, Hexham"),
        ("Postcode", "NE46 3RH"), ("Telephone", "01434 605 218"),
        ("Occupation", "Retired teacher"), ("Library branch", "Hexham Central"),
        ("Card number", "HX-0048213"), ("Signature", ""),
    ]  # fmt: skip
    y = 260
    for name, answer in fields:
        draw.text((140, y), f"{name}:", fill="black", font=label)
        draw.line((420, y + 34, 1100, y + 34), fill="black", width=2)
        draw.text((440, y), answer, fill=(10, 10, 10), font=typed)
        y += 90
    notes = (
        "Please bring proof of address when you collect the card. Cards are valid for "
        "three years and may be renewed at any branch. Lost cards are replaced for a fee."
    )
    for index in range(0, len(notes), 62):
        draw.text((140, y + 40 + index // 62 * 40), notes[index : index + 62], fill="black",
                  font=label)  # fmt: skip
    return page
