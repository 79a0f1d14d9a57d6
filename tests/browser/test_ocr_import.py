"""Import of existing OCR in Chromium: a scan dropped together with its hOCR file is one
upload, and the document keeps the file's text (``archive.ocr_imports``, ``static/js/app.js``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from archive.models import Document
from tests.archive.test_ocr_imports import HALF_WORDS, PAGE, _hocr
from tests.browser.flow import drop_files, upload_item, wait_until_done
from tests.browser.support import js_errors


def test_a_scan_dropped_with_its_hocr_file_keeps_that_text(
    logged_in_page: Callable[..., Page], user: User, testdata: Path
) -> None:
    page = logged_in_page(user)
    drop_files(
        page,
        [
            ("phototest.hocr", _hocr((320, 240), HALF_WORDS)),
            ("phototest.tif", (testdata / PAGE).read_bytes()),
        ],
    )
    # One entry: the OCR file travels in its scan's request.
    expect(page.locator("#upload-list li.upload-item")).to_have_count(1)
    item = upload_item(page, "phototest")
    wait_until_done(item)
    document = Document.objects.get(owner=user)
    stored = document.pages.get()
    assert stored.text == "Thé quïck"
    assert stored.engine == "imported hOCR"
    assert js_errors(page) == []
