"""The admin's page review screen in Chromium: a staff reviewer opens another user's page from
"Needs review", sees the scan with its low-confidence words boxed, corrects the text and finds
the correction in the history; photographed for the README."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from archive.models import PageCorrection
from tests.archive.scans import DOUBTFUL_LINE, scanned
from tests.browser.support import assert_accessible, js_errors, screenshot


def test_reviewer_corrects_a_low_confidence_page(
    live_app: str,
    make_user: Callable[..., User],
    logged_in_page: Callable[..., Page],
    testdata: Path,
    settings: object,
) -> None:
    owner = make_user("alice")
    reviewer = make_user("rita", is_staff=True, is_superuser=True)
    document = scanned(owner, testdata, DOUBTFUL_LINE, language="de", title="Ruhe, 1852")
    page_row = document.pages.get()
    assert (page_row.confidence or 0) < 0.8, page_row.confidence  # listed at the default

    page = logged_in_page(reviewer)
    page.goto("/admin/")
    page.get_by_role("link", name="Needs review").click()
    page.get_by_role("link", name="Review page 1").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    image = page.get_by_role("img", name="Scan of page 1")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    low = page.locator("rect.low-box")
    assert low.count() > 0
    assert low.count() == page.locator(".low-words li").count()
    assert_accessible(page, context="#content-main")
    screenshot(page, "admin-review-light-desktop", full_page=True)

    text = page.get_by_label("Text of page 1")
    text.fill(text.input_value() + "\nChecked against the scan.")
    page.get_by_role("button", name="Save correction").click()
    expect(page.get_by_text("Correction saved; search finds it already.")).to_be_visible()
    expect(page.get_by_role("button", name="Restore version 0")).to_be_visible()
    correction = PageCorrection.objects.get()
    assert correction.user == reviewer
    assert correction.text_after.endswith("Checked against the scan.")
    assert js_errors(page) == []
