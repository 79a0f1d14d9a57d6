"""The Content Security Policy as a real browser applies it: no page of the app or the admin
breaks under it (Chromium reports every blocked script, style or image as a console error)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from playwright.sync_api import Page

from tests.browser.support import js_errors

ADMIN_PAGES = [
    "/admin/",
    "/admin/archive/document/",
    "/admin/archive/document/add/",
    "/admin/archive/page/",
    "/admin/django_q/failure/",
    "/admin/auth/user/",
]


def test_admin_pages_work_under_the_policy(
    logged_in_page: Callable[..., Page], make_user: Callable[..., User]
) -> None:
    staff = make_user("staffer", is_staff=True, is_superuser=True)
    page = logged_in_page(staff)
    for path in ADMIN_PAGES:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert js_errors(page) == []


def test_app_pages_work_under_the_policy(logged_in_page: Callable[..., Page], user: User) -> None:
    page = logged_in_page(user)
    for path in ["/", "/search/?q=anything", "/search/", "/api/docs/"]:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, path
    assert js_errors(page) == []
