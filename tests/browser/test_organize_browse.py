"""Browsing and bulk edit in Chromium: the library's facets narrow the list (the URL keeps
the state), shift-click ticks a range, "select all N matching" edits documents beyond the page,
and a delete asks first; photographed for the docs."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from archive.models import Document, DocumentTag, Tag
from archive.organize.assign import (
    documents_add_tags,
    documents_set_correspondent,
    documents_set_date,
)
from archive.organize.objects import correspondent_create, tag_for_path
from tests.archive.organize.test_bulk_edit import make_documents
from tests.browser.support import assert_accessible, js_errors, screenshot


def _archive(owner: User) -> list[int]:
    ids = make_documents(owner, 120)
    tax = tag_for_path(owner=owner, path="Tax/2024")
    tag_for_path(owner=owner, path="Home/Garden")
    documents_add_tags(owner=owner, documents=ids[:40], tags=[tax])
    ikea = correspondent_create(owner=owner, name="IKEA")
    documents_set_correspondent(owner=owner, documents=ids[::3], correspondent=ikea)
    for n, pk in enumerate(ids):
        documents_set_date(
            owner=owner, documents=[pk], value=datetime.date(2022 + n % 3, 1 + n % 12, 1)
        )
    return ids


def test_facets_narrow_and_bulk_edit_selects_ranges_and_all_matching(
    live_app: str, make_user: Callable[..., User], logged_in_page: Callable[..., Page]
) -> None:
    owner = make_user("alice")
    ids = _archive(owner)
    page = logged_in_page(owner)
    page.goto("/")
    expect(page.locator("#library-count")).to_have_text("(120)")
    tags = page.locator('ul[data-facet="tag"]')
    expect(tags.get_by_role("link", name="Tax")).to_be_visible()
    expect(tags.locator("li", has_text="2024")).to_contain_text("40")

    # A facet narrows the list and the URL keeps it; its count is what the list shows.
    tags.get_by_role("link", name="2024").click()
    expect(page).to_have_url(re.compile(r"[?&]tag=\d+"))
    expect(page.locator("#library-count")).to_have_text("(40)")
    year = page.locator('ul[data-facet="year"] li').first
    label = year.locator("a").inner_text()
    count = int(year.locator(".count").inner_text())
    year.locator("a").click()
    expect(page.locator("#library-count")).to_have_text(f"({count})")
    expect(page.get_by_role("link", name=f"date: {label} ✕")).to_be_visible()
    assert_accessible(page, context="main")
    screenshot(page, "library-facets-light-desktop", full_page=True)

    # The filter saved as a view, pinned: listed in the sidebar and on the dashboard.
    page.get_by_text("Save this view").click()
    page.get_by_label("Name").fill("Tax 2024 papers")
    page.get_by_label("Pin to the dashboard").check()
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_text("Saved the view “Tax 2024 papers”.")).to_be_visible()
    expect(page.locator("#library-count")).to_have_text(f"({count})")
    page.get_by_role("link", name="Dashboard").click()
    pinned = page.locator(".pinned-view")
    expect(pinned.get_by_role("link", name="Tax 2024 papers")).to_be_visible()
    expect(pinned.locator(".count")).to_have_text(str(count))
    assert_accessible(page, context="main")
    screenshot(page, "saved-view-dashboard-light-desktop", full_page=True)
    pinned.get_by_role("link", name="Tax 2024 papers").click()
    expect(page.locator("#library-count")).to_have_text(f"({count})")
    # Saved with the columns ticked by default: the view opens as a table.
    expect(page.get_by_role("columnheader", name="Title", exact=True)).to_be_visible()
    assert_accessible(page, context="main")
    # Pinned, the dashboard is now the start page.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    # Shift-click ticks the range between two boxes.
    page.goto("/library/")
    boxes = page.locator("input.bulk-select")
    boxes.nth(1).click()
    boxes.nth(5).click(modifiers=["Shift"])
    expect(page.locator("#bulk-count")).to_have_text("5 selected")
    chosen = [int(boxes.nth(i).get_attribute("value") or 0) for i in range(1, 6)]
    page.get_by_label("Action").select_option("add_tags")
    page.locator("#bulk-tags").select_option(label="Home/Garden")
    screenshot(page, "bulk-edit-light-desktop")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#bulk-summary")).to_have_text(
        "Added Home/Garden: 5 tags on 5 of 5 documents."
    )
    garden = Tag.objects.get(owner=owner, path="Home/Garden")
    assert set(DocumentTag.objects.filter(tag=garden).values_list("document_id", flat=True)) == set(
        chosen
    )

    # "Select all 120 matching" reaches the documents beyond the first page.
    page.goto("/library/")
    page.get_by_role("button", name="Select all 120 matching this filter").click()
    expect(page.locator("#bulk-count")).to_have_text("All 120 matching selected")
    page.get_by_label("Action").select_option("set_correspondent")
    page.locator("#bulk-correspondent").select_option(label="IKEA")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#bulk-summary")).to_contain_text("Set correspondent IKEA: 80 changed")
    assert Document.objects.filter(owner=owner, correspondent__name="IKEA").count() == 120

    # Deleting asks first, and says how many.
    page.goto("/library/")
    boxes = page.locator("input.bulk-select")
    boxes.nth(0).click()
    boxes.nth(1).click()
    page.get_by_label("Action").select_option("delete")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="Delete 2 documents?")).to_be_visible()
    page.get_by_role("button", name="Delete 2 documents").click()
    expect(page.locator("#bulk-summary")).to_have_text("Deleted 2 of 2 documents.")
    assert Document.objects.filter(owner=owner).count() == len(ids) - 2
    assert js_errors(page) == []
