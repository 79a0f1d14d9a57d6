"""The UI in each of its five languages, in Chromium: the browser's Accept-Language picks it,
the menu in the header switches it (and the choice stays); photographed for docs/languages.md.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.archive.conftest import document_with_pages
from tests.browser.support import (
    PASSWORD,
    assert_accessible,
    js_errors,
    login,
    record_js_errors,
    screenshot,
)

#: Per UI language: the library's heading, and the upload card's.
HEADINGS = {
    "en": ("Your documents", "Upload scans"),
    "zh-hans": ("你的文档", "上传扫描件"),
    "fr": ("Vos documents", "Envoyer des numérisations"),
    "de": ("Ihre Dokumente", "Scans hochladen"),
    "es": ("Sus documentos", "Subir escaneos"),
}
#: The browser's locale for each UI language (what sets its Accept-Language header).
LOCALES = {"en": "en-US", "zh-hans": "zh-CN", "fr": "fr-FR", "de": "de-DE", "es": "es-ES"}
#: Documents whose titles and text stay as they are in every UI language.
DOCUMENTS = [
    ("Facture électricité mars", "fr", "Montant à payer 84,20 EUR"),
    ("Mietvertrag Wohnung", "de", "Die Miete beträgt 950 Euro"),
    ("Recibo farmacia", "es", "Total 12,40 EUR"),
    ("增值税发票 2024", "zh", "金额 合计 1280 元"),
    ("Parking permit renewal", "en", "Renew your permit before May"),
]


#: A font with Latin and CJK glyphs (Debian's fonts-wqy-microhei, installed by CI).
FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def _scan(lines: list[str]) -> bytes:
    """A small page image with ``lines`` on it, as WebP: the card's thumbnail."""
    image = Image.new("RGB", (320, 414), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 22) if FONT.exists() else ImageFont.load_default(22)
    for index, line in enumerate(lines):
        draw.text((24, 30 + index * 40), line, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP")
    return buffer.getvalue()


@pytest.fixture
def page_in(browser: Browser, live_app: str) -> Iterator[Callable[[str], Page]]:
    """Pages of a desktop browser set to a locale (``make_page``'s are all en-US)."""
    contexts: list[BrowserContext] = []

    def make(locale: str) -> Page:
        context = browser.new_context(
            base_url=live_app, locale=locale, viewport={"width": 1280, "height": 800}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        record_js_errors(page)
        return page

    yield make
    for context in contexts:
        context.close()


def _archive(owner: User) -> None:
    """The documents, each with one page whose thumbnail shows its title and text (stored in
    the live app's media folder, as ``live_app`` sets it)."""
    for title, language, text in DOCUMENTS:
        document = document_with_pages(owner, title, language, [text])
        page = document.pages.get()
        page.thumbnail.save(f"thumbs/{page.pk}.webp", ContentFile(_scan([title, text])))


@pytest.mark.parametrize("language", list(HEADINGS))
def test_the_library_speaks_the_browsers_language(
    make_user: Callable[..., User], page_in: Callable[[str], Page], language: str
) -> None:
    owner = make_user("alice")
    _archive(owner)
    page = page_in(LOCALES[language])
    login(page, owner.username, PASSWORD)
    page.goto("/library/")
    heading, upload = HEADINGS[language]
    expect(page.locator("#library-heading")).to_contain_text(heading)
    expect(page.locator("#upload-heading")).to_have_text(upload)
    expect(page.locator("html")).to_have_attribute("lang", language)
    for title, _language, _text in DOCUMENTS:  # user data is never translated
        expect(page.get_by_role("link", name=title)).to_be_visible()
    assert_accessible(page, context="main")
    assert js_errors(page) == []
    screenshot(page, f"library-{language}-light-desktop")


def test_the_header_menu_switches_the_language_and_it_stays(
    live_app: str, make_user: Callable[..., User], page_in: Callable[[str], Page]
) -> None:
    owner = make_user("alice")
    _archive(owner)
    page = page_in("de-DE")
    login(page, owner.username, PASSWORD)
    page.goto("/library/")
    expect(page.locator("#library-heading")).to_contain_text("Ihre Dokumente")
    menu = page.locator("#ui-language")
    # With JavaScript the menu posts itself: its button is hidden.
    expect(page.locator(".language-switch button")).to_be_hidden()
    with page.expect_navigation():
        menu.select_option("fr")
    expect(page.locator("#library-heading")).to_contain_text("Vos documents")
    expect(page).to_have_url(f"{live_app}/library/")  # back where the switch was made
    # Remembered (a cookie) over the browser's German, on every page.
    page.goto("/search/?q=Miete")
    expect(page.locator("#results-heading")).to_contain_text("Résultats pour")
    expect(page.locator("#ui-language")).to_have_value("fr")
    assert js_errors(page) == []
