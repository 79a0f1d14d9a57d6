"""RapidOCR reads every language it declares, accents included, with no system package:
pages written in each language, rendered with a real font, then degraded as a scan would be
(slight skew, blur, noise, JPEG). Run as the issue asks, with ``TESSDATA_PREFIX`` pointing at
an empty folder, so ``auto`` cannot fall back on Debian's tessdata."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ocr.engines.auto import AutoEngine, Table
from ocr.engines.rapid import RapidOcrEngine
from ocr.pagetext import ocr_page
from ocr.scoring import cer

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
CJK = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

PAGES = {
    "es": ["El señor Muñoz llegó a la estación a las ocho.",
           "¿Quién sabía que el niño había pintado el cuadro?",
           "La compañía cerró sus oficinas en diciembre."],
    "it": ["La città è più bella quando piove, disse Niccolò.",
           "Perché non è venuto alla riunione di lunedì?",
           "Il caffè è già pronto sul tavolo."],
    "pt": ["A reunião começará às nove horas da manhã.",
           "O coração da cidade está na praça São João.",
           "Não há informação sobre a exposição."],
    "nl": ["De vergadering begint om negen uur in het stadhuis.",
           "Wij hebben de brief gisteren ontvangen.",
           "Het café op de hoek is vandaag gesloten."],
    "sv": ["Mötet hölls på måndag i den stora salen.",
           "Företaget har ökat sin försäljning i år.",
           "Vi åker till Göteborg nästa vecka."],
    "da": ["Mødet blev holdt i går på rådhuset.",
           "Børnene legede i haven hele eftermiddagen.",
           "Vi så en smuk sø på vejen til Århus."],
    "no": ["Møtet ble holdt på rådhuset i går kveld.",
           "Vi gikk en tur langs fjorden før frokost.",
           "Bøkene står på hylla i stua."],
    "fi": ["Kokous pidettiin eilen kaupungintalolla.",
           "Yhtiön myynti kasvoi tänä vuonna selvästi.",
           "Lähdemme ensi viikolla Jyväskylään."],
    "ja": ["東京で会議が開かれました。",
           "私たちは新しい計画について話し合いました。",
           "来週もう一度会いましょう。"],
}  # fmt: skip


def scanned(lines: list[str], font_path: str) -> Image.Image:
    """``lines`` printed on a page, then scanned badly: 0.7° skew, blur, noise, JPEG 60."""
    page = Image.new("RGB", (1400, 420), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(font_path, 36)
    for index, line in enumerate(lines):
        draw.text((60, 60 + 100 * index), line, fill="black", font=font)
    page = page.rotate(0.7, resample=Image.Resampling.BICUBIC, fillcolor="white")
    page = page.filter(ImageFilter.GaussianBlur(0.8))
    noise = np.random.default_rng(7).normal(0, 12, (page.height, page.width, 1))
    pixels = np.clip(np.asarray(page, dtype=np.float64) + noise, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=60)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


@pytest.fixture
def without_tessdata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))


@pytest.mark.slow
@pytest.mark.parametrize("code", sorted(PAGES))
def test_auto_reads_each_offered_language_without_tessdata(
    code: str, without_tessdata: None
) -> None:
    # A fresh ``auto`` (not the process-wide one), so it sees no Tesseract data.
    auto = AutoEngine(Table.load())
    assert code in auto.languages
    lines = PAGES[code]
    _, result = ocr_page(scanned(lines, CJK if code == "ja" else SERIF), engine=auto,
                         languages=[code])  # fmt: skip
    assert result.engine == "rapidocr"
    assert cer(result.text, "\n".join(lines)) <= 0.03


def test_russian_is_not_declared() -> None:
    """The model has no Cyrillic letters: it read a rendered Russian page as '. | .'."""
    assert "ru" not in RapidOcrEngine.languages
