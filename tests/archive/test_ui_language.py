"""The UI's language (settings.LANGUAGES, LocaleMiddleware, the switcher in the header): chosen
from Accept-Language, overridden by the language cookie, with dates and numbers in the
language's format; documents' titles and text are shown as they are. Real requests through
the test client, real database, real catalogs (locale/)."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from archive.loginforms import locked_text, wait_text
from archive.models import Document
from tests.archive.conftest import document_with_pages

pytestmark = pytest.mark.django_db

#: The library's heading in each UI language, and the upload card's.
HEADINGS = {
    "en": ("Your documents", "Upload scans"),
    "zh-hans": ("你的文档", "上传扫描件"),
    "fr": ("Vos documents", "Envoyer des numérisations"),
    "de": ("Ihre Dokumente", "Scans hochladen"),
    "es": ("Sus documentos", "Subir escaneos"),
}


@pytest.fixture
def filed(alice: User) -> Document:
    """A done document of alice's with an English title and text, dated 3 Feb 2025."""
    document = document_with_pages(alice, "Parking notice", "en", ["Renew your permit today"])
    created = datetime.datetime(2025, 2, 3, 10, 30, tzinfo=datetime.UTC)
    Document.objects.filter(pk=document.pk).update(created=created, ocr_seconds=1.5)
    document.refresh_from_db()
    return document


@pytest.mark.parametrize("language", list(HEADINGS))
def test_the_library_comes_in_the_browsers_language(
    client: Client, alice: User, filed: Document, language: str
) -> None:
    client.force_login(alice)
    response = client.get(reverse("library"), headers={"Accept-Language": f"{language},en;q=0.5"})
    assert response.status_code == 200
    assert response["Content-Language"] == language
    text = response.content.decode()
    assert f'<html lang="{language}">' in text
    for heading in HEADINGS[language]:
        assert heading in text
    if language != "en":
        for english in HEADINGS["en"]:
            assert english not in text
    assert "Parking notice" in text  # the user's data is not translated
    # The search hint's quotes are escaped inside its attribute, in every language.
    hint = re.search(r'<input id="q"[^>]*placeholder="([^"]*)"', text)
    assert hint is not None
    assert hint.group(1).count("&quot;") == 2


def test_a_german_browser_gets_german_pages_dates_and_numbers(
    client: Client, alice: User, filed: Document
) -> None:
    client.force_login(alice)
    german = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}
    library = client.get(reverse("library"), headers=german).content.decode()
    assert "03.02.2025" in library  # d.m.Y, not 2025-02-03
    document = client.get(filed.get_absolute_url(), headers=german).content.decode()
    assert "Original herunterladen" in document
    assert "Sprache Englisch" in document  # the document's language, named in German
    assert "OCR 1,5 s" in document  # decimal comma
    assert "Renew your permit today" in document  # OCR text as read
    assert "Download original" not in document
    empty = client.post(
        reverse("document_rename", args=[filed.pk]), {"title": " "}, follow=True, headers=german
    )
    assert "Ein Titel darf nicht leer sein." in empty.content.decode()


def test_english_is_the_fallback(client: Client, alice: User, filed: Document) -> None:
    client.force_login(alice)
    response = client.get(reverse("library"), headers={"Accept-Language": "ja,ru;q=0.8"})
    assert response["Content-Language"] == "en"
    assert "Your documents" in response.content.decode()
    assert "2025-02-03" in response.content.decode()  # English keeps ISO dates (archive/formats)


def test_the_switcher_overrides_the_browser_and_is_remembered(
    client: Client, alice: User, filed: Document
) -> None:
    client.force_login(alice)
    german = {"Accept-Language": "de"}
    page = client.get(reverse("library"), headers=german).content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert 'value="fr"' in page
    switched = client.post(reverse("set_language"), {"language": "fr", "next": "/library/"})
    assert switched.status_code == 302
    assert switched["Location"] == "/library/"
    assert switched.cookies["language"].value == "fr"
    assert "Vos documents" in client.get(reverse("library"), headers=german).content.decode()


def test_anonymous_pages_follow_the_cookie_too(client: Client) -> None:
    client.cookies["language"] = "es"
    page = client.get(reverse("login"), headers={"Accept-Language": "de"}).content.decode()
    assert "Iniciar sesión" in page
    assert "Anmelden" not in page


def test_a_cookie_for_a_language_outside_the_five_is_ignored(client: Client) -> None:
    client.cookies["language"] = "ja"  # Django has a catalog for it; the UI does not offer it
    page = client.get(reverse("login"), headers={"Accept-Language": "fr"}).content.decode()
    assert "Connexion" in page


def test_the_scripts_strings_come_in_the_pages_language(client: Client) -> None:
    catalog = client.get(
        reverse("javascript-catalog"), headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    )
    assert catalog.status_code == 200
    assert json.dumps("正在上传")[1:-1] in catalog.content.decode()  # the catalog is JSON


def test_the_settings_and_two_factor_pages_come_in_the_browsers_language(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    german = {"Accept-Language": "de"}
    settings_page = client.get(reverse("user_settings"), headers=german).content.decode()
    assert "<h1>Einstellungen</h1>" in settings_page
    assert 'Startseite: was unter <a href="/">/</a>' in settings_page
    assert "Die Bibliothek" in settings_page  # a start page choice's label
    assert "Start page" not in settings_page
    saved = client.post(reverse("user_settings"), {"start": "library"}, follow=True, headers=german)
    assert "Ihre Startseite wurde gespeichert." in saved.content.decode()
    french = {"Accept-Language": "fr"}
    setup = client.get(reverse("twofactor_setup"), headers=french).content.decode()
    assert "<h1>Connexion à deux facteurs</h1>" in setup
    assert "<strong>désactivée</strong>" in setup
    assert "Two-factor login" not in setup
    wrong = client.post(reverse("twofactor_setup"), {"code": "000000"}, headers=french)
    assert "Ce code n’est pas correct." in wrong.content.decode()


def test_wait_times_are_counted_in_the_language() -> None:
    with translation.override("de"):
        assert wait_text(1) == "1 Sekunde"
        assert wait_text(20) == "20 Sekunden"
        assert locked_text(900).endswith("Versuchen Sie es in 15 Minuten erneut.")
    with translation.override("fr"):
        assert wait_text(60) == "1 minute"
    with translation.override("en"):
        assert wait_text(1) == "1 second"
        assert locked_text(60) == "Too many failed logins. Try again in 1 minute."


def test_the_queue_limit_refusal_comes_in_the_language_with_its_plural(
    client: Client, alice: User, make_upload: Any, settings: Any
) -> None:
    settings.OCR_QUEUED_PAGES_PER_USER = 1
    client.force_login(alice)
    client.post(reverse("upload"), {"scans": [make_upload("first.png", lines=["First"])]})
    refused = client.post(
        reverse("upload"),
        {"scans": [make_upload("second.png")]},
        headers={"Accept-Language": "fr", "accept": "application/json"},
    )
    assert refused.status_code == 429
    assert refused.json()["files"][0]["message"] == (
        "Vous avez 1 page en attente de lecture, et les 1 de ce fichier dépasseraient la "
        "limite de 1 pages par utilisateur. Envoyez-le à nouveau quand une partie de vos "
        "documents sera terminée."
    )


# --- The language stored on the user's account (issue 17: "overridable by the user, stored on
# their profile") ------------------------------------------------------------------------------


def test_a_saved_language_follows_the_user_to_another_browser(
    client: Client, alice: User, filed: Document
) -> None:
    """Chosen in /settings/ on one browser; another browser (another Accept-Language, no
    cookie) gets it after logging in, and over the browser's own language."""
    client.force_login(alice)
    english = {"Accept-Language": "en"}
    page = client.get(reverse("user_settings"), headers=english).content.decode()
    assert 'name="ui_language"' in page
    assert "The browser&#x27;s language" in page or "The browser's language" in page
    saved = client.post(
        reverse("user_settings"), {"ui_language": "de"}, follow=True, headers=english
    )
    assert "Ihre Sprache wurde gespeichert." in saved.content.decode()
    other = Client()
    assert (
        other.post(
            reverse("login"), {"username": "alice", "password": "alice-password-1"}
        ).status_code
        == 302
    )
    library = other.get(reverse("library"), headers={"Accept-Language": "es"})
    assert library["Content-Language"] == "de"
    assert HEADINGS["de"][0] in library.content.decode()
    assert "language" not in other.cookies
    # Back to the browser's language: the next request follows Accept-Language again.
    client.post(reverse("user_settings"), {"ui_language": ""}, headers=english)
    assert (
        client.get(reverse("library"), headers={"Accept-Language": "es"})["Content-Language"]
        == "es"
    )
    assert (
        other.get(reverse("library"), headers={"Accept-Language": "fr"})["Content-Language"] == "de"
    )  # a session keeps what it read at login (until it logs in again)


def test_the_language_menu_saves_the_choice_to_the_account(
    client: Client, alice: User, filed: Document
) -> None:
    client.force_login(alice)
    switched = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": reverse("library")}
    )
    assert switched.status_code == 302
    other = Client()
    other.force_login(alice)
    library = other.get(reverse("library"), headers={"Accept-Language": "fr"})
    assert library["Content-Language"] == "zh-hans"
    assert HEADINGS["zh-hans"][0] in library.content.decode()
    settings_page = other.get(reverse("user_settings")).content.decode()
    assert '<option value="zh-hans" lang="zh-hans" selected>' in settings_page
    # A language outside the five changes nothing.
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    assert other.get(reverse("library"))["Content-Language"] == "zh-hans"


def test_anonymous_visitors_and_users_without_a_choice_keep_cookie_and_browser(
    client: Client, alice: User, bob: User
) -> None:
    from archive.ui_language import user_language_set

    user_language_set(alice, "de")
    assert (
        client.get(reverse("login"), headers={"Accept-Language": "fr"})["Content-Language"] == "fr"
    )
    switched = client.post(reverse("set_language"), {"language": "es", "next": "/login/"})
    assert switched.cookies["language"].value == "es"
    assert client.get(reverse("login"))["Content-Language"] == "es"
    client.force_login(bob)  # no language of his own: the cookie still counts
    assert (
        client.get(reverse("library"), headers={"Accept-Language": "fr"})["Content-Language"]
        == "es"
    )
