"""A user's way through the archive in Chromium, against the app run for real (web server and
an OCR worker): drop two scans on the library, watch them being read without reloading, find
one by a word, see the word boxed on the page image, read it again, delete it. On the way,
every page is checked with axe and photographed for the README in light and dark, on a desktop
and a phone.

One test carries the flow, so that the scans are read once; the database is emptied after each
test (the server is another process and sees only committed data).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth.models import User
from playwright.sync_api import FloatRect, Locator, Page, expect

from tests.browser.flow import (
    OCR_TIMEOUT_MS,
    VARIANTS,
    AxeTally,
    check_axe,
    data_transfer,
    drag_over,
    drop,
    drop_files,
    mark_page,
    still_same_page,
    upload_item,
    wait_until_done,
)
from tests.browser.support import js_errors, screenshot

# A clean English page (200 dpi) and a page in six languages; each has a word the other lacks.
PHOTOTEST = "tesseract_test/phototest.tif"  # "… to test the ocr code … all types of file format."
EUROTEXT = "tesseract_test/eurotext.tif"  # "Le renard brun «rapide» saute par-dessus le chien …"
WORD = "format"  # only in phototest
NO_MATCH = "xylophonequartz"


def read(testdata: Path, name: str) -> tuple[str, bytes]:
    path = testdata / name
    return path.name, path.read_bytes()


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def box_of(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not displayed"
    return box


def inside(inner: FloatRect, outer: FloatRect, slack: float = 1) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack
    )


def search(page: Page, words: str) -> None:
    """Search with the box in the page header, as a user does."""
    page.locator("#q").fill(words)
    with page.expect_navigation():
        page.locator("#q").press("Enter")


def test_drop_search_highlight_rerun_delete(
    logged_in_page: Callable[..., Page], user: User, testdata: Path
):
    page = logged_in_page(user)
    expect(page.get_by_role("heading", name=re.compile("Your documents"))).to_be_visible()
    mark_page(page)

    # 1. Two scans dragged over the page and dropped: the overlay shows while dragging, and
    #    each file gets an entry whose status is polled until "Done", with no reload.
    transfer = data_transfer(page, [read(testdata, PHOTOTEST), read(testdata, EUROTEXT)])
    drag_over(page, transfer)
    expect(page.locator("#drop-overlay")).to_be_visible()
    drop(page, transfer)
    expect(page.locator("#drop-overlay")).to_be_hidden()
    items = page.locator("#upload-list li.upload-item")
    expect(items).to_have_count(2)
    photo_item, euro_item = upload_item(page, "phototest"), upload_item(page, "eurotext")
    for item in (photo_item, euro_item):
        expect(item.locator(".status[data-status]")).to_be_visible()
    screenshot(page, "upload-progress-light-desktop")
    wait_until_done(photo_item)
    wait_until_done(euro_item)
    expect(photo_item.get_by_role("link", name="phototest")).to_be_visible()
    expect(photo_item).to_contain_text("Uploaded, OCR queued.")
    # The library below takes in the finished documents, still without a reload.
    expect(page.locator("#library-count")).to_have_text("(2)")
    expect(page.locator(".doc-card .status[data-status=done]")).to_have_count(2)
    assert sorted(page.locator(".doc-card .doc-title").all_inner_texts()) == [
        "eurotext",
        "phototest",
    ]
    assert still_same_page(page), "the page was reloaded or left while the uploads ran"
    screenshot(page, "upload-done-light-desktop")

    # 2. Search a word of one of them from the header: one hit, the word marked; its link opens
    #    the page it is on with the query, and the word is boxed on the page image.
    search(page, WORD)
    hits = page.locator("ol.hits li.hit")
    expect(hits).to_have_count(1)
    expect(hits.locator(".hit-title")).to_have_text("phototest")
    expect(hits.locator(".snippet mark").first).to_have_text(re.compile(WORD, re.I))
    with page.expect_navigation():
        hits.locator(".hit-title").click()
    assert urlsplit(page.url).path.startswith("/documents/")
    assert query_of(page) == {"page": ["1"], "q": [WORD]}
    document_path = urlsplit(page.url).path
    boxes = page.locator("svg.highlights rect.hl-box")
    expect(boxes.first).to_be_attached()
    expect(page.locator(".highlight-note")).to_contain_text("marked on the page")
    image = page.locator("img.page-image")
    expect(image).to_have_js_property("complete", True)
    assert page.evaluate("() => document.querySelector('img.page-image').naturalWidth") > 0
    image_box = box_of(image)
    assert image_box["width"] > 100
    overlay = box_of(page.locator("svg.highlights"))
    for key in ("x", "y", "width", "height"):
        assert abs(overlay[key] - image_box[key]) <= 1, f"the overlay is off the image ({key})"
    for index in range(boxes.count()):
        box = box_of(boxes.nth(index))
        assert box["width"] > 2, box
        assert box["height"] > 2, box
        assert inside(box, image_box), f"box {box} is not on the image {image_box}"
        # "file format." ends the first paragraph, in the top third of the page.
        assert box["y"] < image_box["y"] + image_box["height"] / 3
    expect(page.locator("pre.ocr-text")).to_contain_text(WORD)

    # 7, 8. Every page in light and dark, desktop and phone: axe, and screenshots for the README.
    tally = AxeTally()
    for variant in VARIANTS:
        view = (
            page
            if variant.name == "light-desktop"
            else logged_in_page(user, device=variant.device, color_scheme=variant.color_scheme)
        )
        full = variant.device == "phone"
        view.goto("/")
        expect(view.locator(".doc-card")).to_have_count(2)
        expect(view.locator(".doc-card img").first).to_have_js_property("complete", True)
        check_axe(view, tally, "library", variant.name)
        screenshot(view, f"library-{variant.name}", full_page=full)

        view.goto(f"{document_path}?page=1&q={WORD}")
        expect(view.locator("svg.highlights rect.hl-box").first).to_be_attached()
        expect(view.locator("img.page-image")).to_have_js_property("complete", True)
        check_axe(view, tally, "document", variant.name)
        screenshot(view, f"document-{variant.name}", full_page=full)

        search(view, WORD)
        expect(view.locator("li.hit")).to_have_count(1)
        check_axe(view, tally, "search results", variant.name)
        screenshot(view, f"search-{variant.name}", full_page=full)

        search(view, NO_MATCH)
        expect(view.locator(".empty")).to_contain_text("No documents match")
        check_axe(view, tally, "search, no match", variant.name)

        view.goto("/search/")
        expect(view.locator(".syntax")).to_be_visible()
        check_axe(view, tally, "search, no query", variant.name)

        view.goto(f"{document_path}delete/")
        expect(view.get_by_role("heading", name=re.compile("Delete"))).to_be_visible()
        check_axe(view, tally, "delete confirmation", variant.name)
        assert js_errors(view) == [], f"JavaScript errors ({variant.name})"

    # 3. Re-run OCR from the document page: queued, then read again and shown once done (the
    #    badge polls and reloads the page when the document is finished).
    page.goto(document_path)
    page.locator("#rerun > summary").click()
    form = page.locator("#rerun-form")
    expect(form).to_be_visible()
    check_axe(page, tally, "document, re-run menu", "light-desktop")
    print("\naxe violations by impact (WCAG 2.x A/AA rules):\n" + tally.table())
    form.get_by_label("Read every page again").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Re-run OCR now").click()
    expect(page.locator(".messages")).to_contain_text(
        "OCR queued again: every page will be read again."
    )
    badge = page.locator(".doc-head .status[data-status]")
    status = badge.get_attribute("data-status")
    assert status in ("queued", "processing"), f"status right after the re-run: {status}"
    expect(badge).to_have_attribute("data-status", "done", timeout=OCR_TIMEOUT_MS)
    expect(page.locator("pre.ocr-text")).to_contain_text(WORD, timeout=15_000)

    # 4. Delete it, through the confirmation page: gone from the library and from search.
    with page.expect_navigation():
        page.get_by_role("link", name="Delete…").click()
    expect(page.get_by_role("heading", name="Delete “phototest”?")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Delete").click()
    assert urlsplit(page.url).path == "/library/"
    expect(page.locator(".messages")).to_contain_text("Deleted “phototest”.")
    expect(page.locator(".doc-card")).to_have_count(1)
    expect(page.locator(".doc-card .doc-title")).to_have_text(["eurotext"])
    search(page, WORD)
    expect(page.locator("li.hit")).to_have_count(0)
    expect(page.locator(".empty")).to_contain_text(f"No documents match “{WORD}”")
    assert js_errors(page) == []
    response = page.goto(document_path)
    assert response is not None
    assert response.status == 404


def test_page_viewer_moves_between_pages_and_zooms(
    logged_in_page: Callable[..., Page], user: User, testdata: Path
):
    page = logged_in_page(user)
    drop_files(page, [read(testdata, "pdfs/paperless/multi-page-images.pdf")])
    item = upload_item(page, "multi-page-images")
    wait_until_done(item)
    with page.expect_navigation():
        item.get_by_role("link", name="multi-page-images").click()

    heading = page.locator("#page-heading")
    expect(heading).to_contain_text("Page 1 of 3")
    nav = page.get_by_role("navigation", name="Pages")
    expect(nav.get_by_role("link", name=re.compile("Previous"))).to_have_count(0)
    with page.expect_navigation():
        nav.get_by_role("link", name=re.compile("Next")).click()
    expect(heading).to_contain_text("Page 2 of 3")
    assert query_of(page)["page"] == ["2"]
    expect(nav.get_by_role("link", name=re.compile("Previous"))).to_be_visible()
    expect(page.locator(".page-thumbs a[aria-current=page]")).to_have_attribute(
        "href", re.compile(r"page=2")
    )
    expect(page.locator("pre.ocr-text")).to_contain_text(re.compile("page 2", re.I))
    expect(page.locator(".page-thumbs img").last).to_have_js_property("complete", True)
    screenshot(page, "document-pages-light-desktop", full_page=True)

    # The arrow keys turn the pages, but not while typing in a field.
    page.locator("#q").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    expect(heading).to_contain_text("Page 2 of 3")
    page.locator("#q").blur()
    with page.expect_navigation():
        page.keyboard.press("ArrowRight")
    expect(heading).to_contain_text("Page 3 of 3")
    expect(nav.get_by_role("link", name=re.compile("Next"))).to_have_count(0)
    with page.expect_navigation():
        page.keyboard.press("ArrowLeft")
    expect(heading).to_contain_text("Page 2 of 3")
    with page.expect_navigation():
        page.keyboard.press("ArrowLeft")
    expect(heading).to_contain_text("Page 1 of 3")

    # Zoom: each step changes the frame's class, and the image grows past the scroll box.
    frame = page.locator(".page-frame[data-zoomable]")
    scroller = page.locator(".page-scroll")
    zoom = page.get_by_role("group", name="Zoom")
    zoom.get_by_role("button", name="Zoom in").click()
    expect(frame).to_have_class(re.compile(r"\bzoom-150\b"))
    zoom.get_by_role("button", name="Zoom in").click()
    expect(frame).to_have_class(re.compile(r"\bzoom-200\b"))
    assert box_of(frame)["width"] > 1.9 * box_of(scroller)["width"]
    zoom.get_by_role("button", name="Zoom out").click()
    expect(frame).to_have_class(re.compile(r"\bzoom-150\b"))
    zoom.get_by_role("button", name="Fit to width").click()
    expect(frame).to_have_class(re.compile(r"\bzoom-fit\b"))
    expect(frame).not_to_have_class(re.compile(r"\bzoom-(150|200|300)\b"))
    assert js_errors(page) == []


def test_each_dropped_file_gets_its_own_outcome(
    logged_in_page: Callable[..., Page], user: User, testdata: Path
):
    page = logged_in_page(user, device="phone", color_scheme="dark")
    drop_files(
        page,
        [
            read(testdata, PHOTOTEST),
            ("notes.pdf", b"These are my notes, not a PDF at all.\n"),
            ("empty.tif", b""),
        ],
    )
    expect(page.locator("#upload-list li.upload-item")).to_have_count(3)
    failed = page.locator("#upload-list li.upload-failed")
    expect(failed).to_have_count(2)
    for name in ("notes.pdf", "empty.tif"):
        status = upload_item(page, name).locator(".upload-status")
        expect(status).to_have_text(re.compile(r"\w+ \w+"))  # words, not a code
        text = status.inner_text()
        assert "HTTP" not in text, f"{name}: {text}"
    expect(upload_item(page, "empty.tif").locator(".upload-status")).to_contain_text("empty")
    print("messages:", [failed.nth(i).inner_text() for i in range(failed.count())])
    good = page.locator("#upload-list li.upload-item:not(.upload-failed)")
    expect(good).to_have_count(1)
    wait_until_done(good)
    tally = AxeTally()
    check_axe(page, tally, "library, upload list", "dark-phone")
    print("\n" + tally.table())
    screenshot(page, "upload-errors-dark-phone", full_page=True)
    # The browser logs each refused upload's 400 answer as a failed load; nothing else.
    refused = re.compile(r"status of 400 .*/upload/\)$")
    assert [error for error in js_errors(page) if not refused.search(error)] == []
    expect(page.locator(".doc-card")).to_have_count(1)  # taken into the library, no reload
