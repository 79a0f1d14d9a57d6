"""Security headers on every kind of response, and the production settings' deploy check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from archive.security import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/login/", "/", "/search/?q=x", "/admin/login/", "/nowhere/"])
def test_every_response_carries_the_security_headers(
    client: Client, alice: User, path: str
) -> None:
    client.force_login(alice)
    response = client.get(path)
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_private_answers_are_never_stored_by_a_cache(
    client: Client, alice: User, make_upload: Any
) -> None:
    # Issue 15, item 9: logged-in pages, API answers and originals carried no Cache-Control,
    # so a shared cache or the browser's disk kept them after logout.
    from rest_framework.test import APIClient

    from archive.ingest import document_create

    upload = make_upload()
    document = document_create(owner=alice, upload=upload, name=upload.name).document
    client.force_login(alice)
    for path in ["/", "/search/?q=x", document.get_absolute_url(), "/upload/"]:
        assert "no-store" in client.get(path)["Cache-Control"], path
    original = client.get(f"/documents/{document.pk}/original/")
    assert original.status_code == 200
    assert "no-store" in original["Cache-Control"]
    api = APIClient()
    api.force_authenticate(alice)
    for path in ["/api/documents/", f"/api/documents/{document.pk}/", "/api/nowhere/"]:
        answer = api.get(path)
        assert "no-store" in answer["Cache-Control"], path
        assert "private" in answer["Cache-Control"], path
    assert "no-store" in APIClient().get("/api/documents/")["Cache-Control"]  # a 401 too


def test_the_policy_allows_no_inline_script_or_eval() -> None:
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert directives["frame-ancestors"] == "'none'"


def test_pages_have_no_inline_script(client: Client, alice: User) -> None:
    client.force_login(alice)
    for path in ["/", "/search/?q=word", "/login/"]:
        html = client.get(path).content.decode()
        for tag in html.split("<script")[1:]:
            assert "src=" in tag.split(">", 1)[0], f"inline <script> on {path}"
        assert " onclick=" not in html
        assert " style=" not in html


def test_forms_carry_a_csrf_token(client: Client, alice: User) -> None:
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert html.count('name="csrfmiddlewaretoken"') >= 1
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post("/upload/", {}).status_code == 403


def test_cookies_are_secure_with_the_production_settings() -> None:
    code = (
        "from django.conf import settings;"
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.DEBUG)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "archive.settings", **PRODUCTION}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["True", "True", "False"]


# The production settings the README documents ("Production settings").
PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "archive.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://archive.example.org",
    "SECURE_COOKIES": "1",
    "BEHIND_HTTPS_PROXY": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


def test_check_deploy_passes_with_the_documented_production_settings() -> None:
    env = {**os.environ, **PRODUCTION}
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
