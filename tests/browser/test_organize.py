"""The document page's suggestions in Chromium: a receipt read by real OCR comes back with its
date, correspondent, type, tag and total filled in and marked *suggested* with the reason; the
user confirms the date with one click, clears the tag and changes the type; photographed for
the README."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from archive.ingest import document_create
from archive.models import Document, Suggestion
from archive.organize import services
from archive.processing import document_process
from tests.archive.conftest import encode, render_page
from tests.browser.support import assert_accessible, js_errors, screenshot


def test_user_confirms_clears_and_changes_suggestions(
    live_app: str,
    make_user: Callable[..., User],
    logged_in_page: Callable[..., Page],
) -> None:
    alice = make_user("alice")
    services.correspondent_create(
        owner=alice, name="IKEA", match_algorithm="any", match_pattern="ikea"
    )
    services.document_type_create(
        owner=alice, name="Receipt", match_algorithm="any", match_pattern="receipt"
    )
    letter = services.document_type_create(owner=alice, name="Letter")
    services.tag_create(owner=alice, name="Home", match_algorithm="any", match_pattern="lamp")
    services.custom_field_create(
        owner=alice,
        name="Total",
        data_type="monetary",
        currency="EUR",
        suggest="total",
        match_algorithm="any",
        match_pattern="total",
    )
    lines = ["IKEA Store Berlin", "Receipt 11/03/2024", "Lamp 12.50", "Total 12.50"]
    upload = SimpleUploadedFile("receipt.png", encode([render_page(lines)], "PNG"))
    document = document_create(
        owner=alice, upload=upload, name="receipt.png", title="IKEA receipt", language="en"
    ).document
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert Suggestion.objects.filter(document=document, state="suggested").count() == 5

    page = logged_in_page(alice)
    page.goto(f"/documents/{document.pk}/")
    panel = page.locator("#metadata")
    expect(panel.locator(".badge")).to_have_count(5)
    expect(panel.get_by_text("first full date in the text, page 1").first).to_be_visible()
    expect(page.get_by_label("Date", exact=True)).to_have_value("2024-11-03")
    assert_accessible(page, context="#metadata")
    screenshot(page, "document-suggestions-light-desktop", full_page=True)

    # One click keeps the date: it is the user's now, the mark goes.
    panel.get_by_role("button", name="Confirm document date").click()
    expect(panel.locator(".badge")).to_have_count(4)
    # Clear the suggested tag; change the type with the select.
    panel.get_by_role("button", name="Clear tag").click()
    expect(panel.locator(".badge")).to_have_count(3)
    expect(panel.get_by_text("Home")).to_have_count(0)
    page.get_by_label("Type", exact=True).select_option(label="Letter")
    panel.locator("#id_document_type").locator("xpath=..").get_by_role(
        "button", name="Save"
    ).click()
    expect(panel.locator(".badge")).to_have_count(2)

    document.refresh_from_db()
    assert document.document_date == date(2024, 11, 3)
    assert document.document_type_id == letter.pk
    assert not document.tags.exists()
    states = dict(Suggestion.objects.filter(document=document).values_list("kind", "state"))
    assert states["date"] == "confirmed"
    assert states["type"] == "rejected"
    assert states["tag"] == "rejected"
    assert js_errors(page) == []

    phone = logged_in_page(alice, device="phone", color_scheme="dark")
    phone.goto(f"/documents/{document.pk}/")
    expect(phone.locator("#metadata .badge")).to_have_count(2)
    screenshot(phone, "document-suggestions-dark-phone", full_page=True)
    assert js_errors(phone) == []
