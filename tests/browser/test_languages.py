"""The UI in each of its five languages, in Chromium: the browser's Accept-Language picks it,
the menu in the header switches it (and the choice stays); photographed for docs/languages.md.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.archive.conftest import document_with_pages
from tests.browser.support import PASSWORD, assert_accessible, js_errors, login, screenshot

#: Per UI language: the library's heading, and the upload card's.
HEADINGS = {
    "en": ("Your documents", "Upload scans"),
    "zh-hans": ("你的文档", "上传扫描件"),
    "fr": ("Vos documents", "Envoyer des numérisations"),
    "de": ("Ihre Dokumente", "Scans hochladen"),
    "es": ("Sus documentos", "Subir escaneos"),
}
#: Documents whose titles and text stay as they are in every UI language.
DOCUMENTS = [
    ("Facture électricité mars", "fr", "Montant à payer 84,20 EUR"),
    ("Mietvertrag Wohnung", "de", "Die Miete beträgt 950 Euro"),
    ("Recibo farmacia", "es", "Total 12,40 EUR"),
    ("增值税发票 2024", "zh", "金额 合计 1280 元"),
    ("Parking permit renewal", "en", "Renew your permit before May"),
]


def _archive(owner: User) -> None:
    for title, language, text in DOCUMENTS:
        document_with_pages(owner, title, language, [text])


@pytest.mark.parametrize("language", list(HEADINGS))
def test_the_library_speaks_the_browsers_language(
    live_app: str, make_user: Callable[..., User], make_page: Callable[..., Page], language: str
) -> None:
    owner = make_user("alice")
    _archive(owner)
    page = make_page()
    page.set_extra_http_headers({"Accept-Language": f"{language},en;q=0.3"})
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
    live_app: str, make_user: Callable[..., User], make_page: Callable[..., Page]
) -> None:
    owner = make_user("alice")
    _archive(owner)
    page = make_page()
    page.set_extra_http_headers({"Accept-Language": "de"})
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
