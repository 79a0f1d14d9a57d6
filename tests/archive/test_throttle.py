"""Failed-login throttling (archive.throttle) through the real login views."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from archive.models import LoginFailure
from archive.throttle import seconds_locked

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings: object) -> None:
    settings.LOGIN_MAX_FAILURES = 3  # type: ignore[attr-defined]
    settings.LOGIN_LOCKOUT_SECONDS = 600  # type: ignore[attr-defined]


def _login(client: Client, username: str, password: str, path: str = "/login/") -> str:
    response = client.post(path, {"username": username, "password": password})
    if response.status_code == 302:
        return "in"
    return response.content.decode()


def test_a_right_password_gets_in_and_clears_the_count(client: Client, alice: User) -> None:
    assert "correct username and password" in _login(client, "alice", "wrong")
    assert LoginFailure.objects.count() == 1
    assert _login(client, "alice", "alice-password-1") == "in"
    assert LoginFailure.objects.count() == 0


def test_after_the_limit_even_the_right_password_is_refused(client: Client, alice: User) -> None:
    for _ in range(3):
        assert "correct username and password" in _login(client, "alice", "wrong")
    page = _login(client, "alice", "alice-password-1")
    assert "Too many failed logins. Try again in 10 minutes." in page
    assert not client.session.get("_auth_user_id")


def test_the_admin_login_is_throttled_too(client: Client, django_user_model: type[User]) -> None:
    django_user_model.objects.create_superuser("boss", password="boss-password-1")
    for _ in range(3):
        _login(client, "boss", "wrong", "/admin/login/")
    page = _login(client, "boss", "boss-password-1", "/admin/login/")
    assert "Too many failed logins" in page


def test_the_lock_is_per_address(alice: User) -> None:
    here, elsewhere = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(3):
        _login(here, "alice", "wrong")
    assert "Too many failed logins" in _login(here, "alice", "alice-password-1")
    assert _login(elsewhere, "alice", "alice-password-1") == "in"


def test_one_address_guessing_many_accounts_is_stopped(client: Client, alice: User) -> None:
    for index in range(12):  # 4 x the per-account limit, over 12 different names
        _login(client, f"user{index}", "wrong")
    assert "Too many failed logins" in _login(client, "alice", "alice-password-1")


def test_failures_leave_the_window(alice: User) -> None:
    old = timezone.now() - timedelta(seconds=601)
    LoginFailure.objects.bulk_create(
        LoginFailure(username="alice", address="127.0.0.1", at=old) for _ in range(3)
    )
    assert seconds_locked("alice", "127.0.0.1") == 0
    recent = timezone.now() - timedelta(seconds=300)
    LoginFailure.objects.filter(at=old).update(at=recent)
    assert 290 <= seconds_locked("alice", "127.0.0.1") <= 301
