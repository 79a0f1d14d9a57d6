"""Text that tries to break things, in OCR results, corrections and titles: it is shown as
text, searched safely, and never turns into markup, SQL or an error page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from archive.documents import page_text_update
from archive.ingest import document_create
from archive.models import Document
from archive.processing import document_process
from archive.search import document_search

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("owned")</script>'
IMAGE = '<img src=x onerror="alert(1)">'
SQL = "'; DROP TABLE archive_document; --"
LONG_WORD = "x" * 10_000
HOSTILE = [SCRIPT, IMAGE, SQL, "null\x00byte", LONG_WORD, "}{%raw%}{{ 7*7 }}", "\u202egnp.exe"]


@pytest.fixture
def hostile(alice: User, make_upload: Any) -> Document:
    upload = make_upload("hostile.png", lines=["Harmless parcel notice"])
    document = document_create(owner=alice, upload=upload, name="hostile.png").document
    document_process(document.pk)
    document.refresh_from_db()
    page = document.pages.get()
    page_text_update(page, "Parcel tracking\n" + "\n".join(HOSTILE) + "\n" + "lorem " * 40_000)
    return document


def test_hostile_text_is_stored_without_nul_and_found(alice: User, hostile: Document) -> None:
    text = hostile.pages.get().text
    assert "\x00" not in text
    assert SCRIPT in text  # kept as text: it is what the page says
    hits = document_search(user=alice, query="parcel tracking")
    assert [hit.document.pk for hit in hits] == [hostile.pk]
    for query in [SQL, SCRIPT, LONG_WORD, '"unclosed', "-", "OR OR", "*", "\x00"]:
        document_search(user=alice, query=query)  # no error, whatever it finds


def test_hostile_text_and_titles_render_escaped(
    client: Client, alice: User, hostile: Document
) -> None:
    client.force_login(alice)
    response = client.post(f"/documents/{hostile.pk}/rename/", {"title": SCRIPT + "\x00" + SQL})
    assert response.status_code in (200, 302)
    hostile.refresh_from_db()
    assert "\x00" not in hostile.title
    for url in [
        "/",
        f"/documents/{hostile.pk}/",
        f"/documents/{hostile.pk}/status/",
        "/search/?q=parcel",
        "/search/?q=" + SQL,
        "/search/?q=%3Cscript%3E",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert SCRIPT not in html, url
        assert "<img src=x" not in html, url
    document_page = client.get(f"/documents/{hostile.pk}/").content.decode()
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in document_page


def test_staff_see_it_escaped_in_the_admin(
    client: Client, hostile: Document, django_user_model: type[User]
) -> None:
    staff = django_user_model.objects.create_superuser("boss", password="boss-password-1")
    client.force_login(staff)
    for url in [
        "/admin/archive/document/",
        f"/admin/archive/document/{hostile.pk}/change/",
        f"/admin/archive/page/{hostile.pages.get().pk}/change/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SCRIPT not in response.content.decode(), url
