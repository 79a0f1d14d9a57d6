"""Error pages as users get them from the real server (DEBUG off)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

NOT_FOUND = re.compile(r"not found", re.IGNORECASE)


def test_unknown_address_is_a_404_page(page: Page):
    response = page.goto("/no-such-page/")

    assert response is not None
    assert response.status == 404
    expect(page.locator("body")).to_contain_text(NOT_FOUND)


def test_missing_document_is_a_404_page(logged_in_page: Callable[..., Page], user: User):
    page = logged_in_page(user)

    response = page.goto("/documents/999999/")

    assert response is not None
    assert response.status == 404
    expect(page.locator("body")).to_contain_text(NOT_FOUND)
