"""Logging in and out through the real form, in Chromium, against the app run for real."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser.support import PASSWORD, assert_accessible, js_errors, login, screenshot

LOG_OUT = re.compile(r"log ?out", re.IGNORECASE)


def path(page: Page) -> str:
    return urlsplit(page.url).path


def test_wrong_password_shows_an_error_and_stays_logged_out(page: Page, user: User):
    login(page, user.username, "not-the-password")

    assert path(page) == "/login/"
    expect(
        page.get_by_text(re.compile(r"did not match|correct username and password", re.I))
    ).to_be_visible()
    expect(page.get_by_role("button", name=LOG_OUT)).to_have_count(0)
    page.goto("/")
    assert path(page) == "/login/", "the library is reachable without logging in"


def test_right_password_reaches_the_library(page: Page, user: User):
    page.goto("/")
    assert path(page) == "/login/"  # the library asks to log in first

    response = login(page, user.username, PASSWORD)

    assert response is not None
    assert response.status == 200
    assert path(page) == "/"
    expect(page.get_by_role("button", name=LOG_OUT)).to_be_visible()
    assert js_errors(page) == []


def test_log_out(logged_in_page: Callable[..., Page], user: User):
    page = logged_in_page(user)

    with page.expect_navigation():
        page.get_by_role("button", name=LOG_OUT).click()

    assert path(page) == "/login/"
    page.goto("/")
    assert path(page) == "/login/", "still logged in after logging out"


@pytest.mark.parametrize(
    ("page", "name"),
    [
        ({}, "login"),
        ({"color_scheme": "dark"}, "login-dark"),
        ({"device": "phone"}, "login-phone"),
    ],
    indirect=["page"],
)
def test_login_page_is_accessible(page: Page, name: str):
    page.goto("/login/")
    page.wait_for_load_state("networkidle")

    assert_accessible(page)
    assert js_errors(page) == []
    screenshot(page, name)
