"""Login back-off (archive.throttle) through the real web, admin and API login views.

Issue 15, item 1: counted by the client address the trusted proxy reports, by account *and*
address, with back-off instead of a lock an attacker could set off for anyone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from archive.models import LoginThrottle
from archive.throttle import DEVICE_COOKIE

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
RIGHT = "alice-password-1"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_BACKOFF_SECONDS = 30
    settings.LOGIN_LOCKOUT_SECONDS = 900
    settings.TRUSTED_PROXIES = [PROXY]


def behind_proxy(client_ip: str) -> Client:
    """A browser at ``client_ip`` reaching the app through the trusted proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)


def login(client: Client, username: str, password: str, path: str = "/login/") -> str:
    """``"in"`` after a successful login, else the page's text."""
    if path == "/api/token/":
        response = client.post(path, {"username": username, "password": password})
        return "in" if response.status_code == 200 else response.content.decode()
    response = client.post(path, {"username": username, "password": password})
    return "in" if response.status_code == 302 else response.content.decode()


def pass_time() -> None:
    """Every wait is over, as if the back-off time had passed (no sleeping in tests)."""
    LoginThrottle.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


@pytest.mark.parametrize("path", ["/login/", "/admin/login/", "/api/token/"])
def test_guesses_from_elsewhere_behind_the_proxy_do_not_lock_the_owner_out(
    path: str, django_user_model: type[User]
) -> None:
    django_user_model.objects.create_superuser("alice", password=RIGHT)
    attacker = behind_proxy("203.0.113.9")
    for _ in range(10):
        assert login(attacker, "alice", "wrong", path) != "in"
    for index in range(30):  # made-up user names
        login(attacker, f"nobody{index}", "wrong", path)
    assert login(behind_proxy("198.51.100.7"), "alice", RIGHT, path) == "in"


def test_after_the_free_attempts_the_wait_doubles_and_the_right_password_then_works(
    alice: User,
) -> None:
    client = behind_proxy("198.51.100.7")
    for _ in range(3):
        assert "correct username and password" in login(client, "alice", "wrong")
    assert "Try again in 30 seconds" in login(client, "alice", RIGHT)
    pass_time()
    assert "correct username and password" in login(client, "alice", "wrong")
    assert "Try again in 1 minute." in login(client, "alice", RIGHT)
    pass_time()
    assert "correct username and password" in login(client, "alice", "wrong")
    assert "Try again in 2 minutes" in login(client, "alice", RIGHT)
    pass_time()
    assert login(client, "alice", RIGHT) == "in"
    # A success forgets the account's failures from that address.
    assert not LoginThrottle.objects.filter(key__startswith="account-address:").exists()


def test_the_wait_stops_at_the_lockout_setting(alice: User) -> None:
    client = behind_proxy("198.51.100.7")
    for _ in range(12):
        login(client, "alice", "wrong")
        pass_time()
    login(client, "alice", "wrong")
    assert "Try again in 15 minutes" in login(client, "alice", RIGHT)


def test_a_spoofed_forwarded_for_from_an_untrusted_client_is_ignored(alice: User) -> None:
    for index in range(3):
        spoofer = Client(REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{index}")
        login(spoofer, "alice", "wrong")
    spoofer = Client(REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert "Too many failed logins" in login(spoofer, "alice", RIGHT)


def test_a_client_cannot_prepend_addresses_to_the_proxy_s_header(alice: User) -> None:
    # The proxy appends the real client address; whatever the client sent stays on the left.
    for index in range(3):
        login(behind_proxy(f"198.51.100.{index}, 203.0.113.9"), "alice", "wrong")
    assert "Too many failed logins" in login(behind_proxy("1.2.3.4, 203.0.113.9"), "alice", RIGHT)


def test_one_address_spraying_many_names_is_held_back(alice: User) -> None:
    attacker = behind_proxy("203.0.113.9")
    for index in range(12):  # 4 x the per-account allowance, over 12 different names
        login(attacker, f"user{index}", "wrong")
    assert "Too many failed logins" in login(attacker, "alice", RIGHT)


def test_guesses_from_many_addresses_hold_back_new_addresses_but_not_a_known_one(
    alice: User,
) -> None:
    assert login(behind_proxy("198.51.100.7"), "alice", RIGHT) == "in"
    for index in range(12):  # 4 x the allowance, each from its own address
        login(behind_proxy(f"203.0.113.{index}"), "alice", "wrong")
    assert "Too many failed logins" in login(behind_proxy("203.0.113.200"), "alice", RIGHT)
    assert login(behind_proxy("198.51.100.7"), "alice", RIGHT) == "in"


def test_a_known_device_gets_in_while_its_network_is_guessing(alice: User) -> None:
    office = "198.51.100.7"
    device = behind_proxy(office)
    assert login(device, "alice", RIGHT) == "in"
    assert device.cookies.get(DEVICE_COOKIE)
    device.post("/logout/")
    colleague = behind_proxy(office)  # same address, no cookie: an attacker on that network
    for index in range(15):
        login(colleague, "alice", "wrong")
        login(colleague, f"user{index}", "wrong")
    assert "Too many failed logins" in login(colleague, "alice", RIGHT)
    assert login(device, "alice", RIGHT) == "in"


def test_a_forged_or_foreign_device_cookie_counts_for_nothing(alice: User, bob: User) -> None:
    bobs = behind_proxy("198.51.100.8")
    assert login(bobs, "bob", "bob-password-1") == "in"
    bobs.post("/logout/")
    bobs.cookies[DEVICE_COOKIE] = bobs.cookies[DEVICE_COOKIE].value  # bob's, used for alice
    for _ in range(3):
        login(bobs, "alice", "wrong")
    assert "Too many failed logins" in login(bobs, "alice", RIGHT)
    forged = behind_proxy("198.51.100.9")
    forged.cookies[DEVICE_COOKIE] = '{"u": "alice", "d": "x"}'
    for _ in range(3):
        login(forged, "alice", "wrong")
    assert "Too many failed logins" in login(forged, "alice", RIGHT)


def test_the_api_says_too_many_with_retry_after(alice: User) -> None:
    client = behind_proxy("198.51.100.7")
    for _ in range(3):
        assert client.post("/api/token/", {"username": "alice", "password": "x"}).status_code == 400
    response = client.post("/api/token/", {"username": "alice", "password": RIGHT})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert "Too many failed logins" in response.json()["detail"]


def test_counts_are_forgotten_after_a_quiet_window(alice: User) -> None:
    client = behind_proxy("198.51.100.7")
    for _ in range(3):
        login(client, "alice", "wrong")
    LoginThrottle.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=901))
    for _ in range(2):
        assert "correct username and password" in login(client, "alice", "wrong")
    assert login(client, "alice", RIGHT) == "in"
