"""archive.twofactor: optional TOTP two-factor login, through the real login pages, the admin,
the API's token login and the throttle. Codes are computed from the device's own key (RFC 6238,
``django_otp.oath``), as an authenticator app would; nothing of ours is mocked."""

from __future__ import annotations

import html
import re
import time
from base64 import b32decode
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.models import LoginThrottle
from tests.archive.api.conftest import DOCUMENTS

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
TOKEN_URL = "/api/token/"


@pytest.fixture(autouse=True)
def _no_device_backoff(settings: Any) -> None:
    """django-otp's own per-device back-off (1 s after a wrong code) off, so that a test may
    send a right code straight after a wrong one; ``test_the_device_backoff_...`` turns it on."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def carol(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("carol", password=PASSWORD)


@pytest.fixture
def staff(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("sam", password=PASSWORD, is_staff=True)


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The device's code now (or ``steps_ahead`` periods on: a code may be used only once, and
    the device accepts the next period's code too)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong(device: TOTPDevice) -> str:
    """A code that is neither this period's nor a neighbour's."""
    taken = {code(device, step) for step in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1, 10) if f"{n:06d}" not in taken)


def enrolled(user: User) -> TOTPDevice:
    """``user`` with a confirmed device, as after the enrolment page."""
    return TOTPDevice.objects.create(user=user, name="default", confirmed=True)


def logged_in(user: User, **extra: Any) -> Client:
    """A browser that has just passed the password step of the login page."""
    client = Client(**extra)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def test_enrolment_shows_the_secret_and_uri_and_a_right_code_turns_it_on(carol: User) -> None:
    client = logged_in(carol)
    page = client.get(reverse("twofactor_setup")).content.decode()
    secret = re.search(r'id="twofactor-secret">([A-Z2-7]+)<', page)
    uri = re.search(r'id="twofactor-uri" href="([^"]+)"', page)
    assert secret
    assert uri
    assert "<svg" in page, "the QR code of the URI"
    device = TOTPDevice.objects.get(user=carol)
    assert not device.confirmed
    assert b32decode(secret.group(1)) == device.bin_key
    assert html.unescape(uri.group(1)).startswith("otpauth://totp/Scan%20Archive%3Acarol?secret=")
    refused = client.post(reverse("twofactor_setup"), {"code": wrong(device)})
    assert "That code is not right" in refused.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    client.post(reverse("twofactor_setup"), {"code": code(device)})
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("library")).status_code == 200, "this session is verified"


def test_after_the_password_every_page_waits_for_the_code(carol: User) -> None:
    device = enrolled(carol)
    client = logged_in(carol)
    held = client.get(reverse("library"))
    assert held.status_code == 302
    assert held["Location"].startswith(reverse("twofactor_verify"))
    api = client.get(DOCUMENTS)
    assert api.status_code == 403
    assert "code" in api.json()["detail"]
    refused = client.post(reverse("twofactor_verify"), {"code": wrong(device), "next": "/library/"})
    assert "That code is not right" in refused.content.decode()
    assert client.get(reverse("library")).status_code == 302
    passed = client.post(reverse("twofactor_verify"), {"code": code(device), "next": "/library/"})
    assert passed["Location"] == "/library/"
    assert client.get(reverse("library")).status_code == 200
    assert client.get(DOCUMENTS).status_code == 200


def test_the_code_page_never_sends_elsewhere(carol: User) -> None:
    device = enrolled(carol)
    client = logged_in(carol)
    passed = client.post(
        reverse("twofactor_verify"), {"code": code(device), "next": "https://evil.example/"}
    )
    assert passed["Location"] == "/"


def test_the_admin_login_needs_the_code_too(staff: User) -> None:
    device = enrolled(staff)
    client = Client()
    login = client.post(
        reverse("admin:login"), {"username": "sam", "password": PASSWORD, "next": "/admin/"}
    )
    assert login.status_code == 302
    held = client.get("/admin/")
    assert held.status_code == 302
    assert held["Location"].startswith(reverse("twofactor_verify"))
    client.post(reverse("twofactor_verify"), {"code": code(device)})
    assert client.get("/admin/").status_code == 200


def test_wrong_codes_count_as_failed_logins_and_the_password_resets_nothing(
    carol: User, settings: Any
) -> None:
    settings.LOGIN_MAX_FAILURES = 2
    device = enrolled(carol)
    client = logged_in(carol)
    client.post(reverse("twofactor_verify"), {"code": wrong(device)})
    # The right password again (a new browser): the failure under the code stays counted.
    client = logged_in(carol)
    client.post(reverse("twofactor_verify"), {"code": wrong(device)})
    locked = client.post(reverse("twofactor_verify"), {"code": code(device)})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert client.get(reverse("library")).status_code == 302, "still not verified"
    # The password step from this address waits too: same count.
    again = Client().post(reverse("login"), {"username": "carol", "password": PASSWORD})
    assert "Too many failed logins" in again.content.decode()


def test_a_right_code_forgets_the_failures(carol: User, settings: Any) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    device = enrolled(carol)
    client = logged_in(carol)
    client.post(reverse("twofactor_verify"), {"code": wrong(device)})
    client.post(reverse("twofactor_verify"), {"code": code(device)})
    assert client.get(reverse("library")).status_code == 200
    assert not LoginThrottle.objects.filter(key__contains="carol|").exists()


def test_the_device_backoff_is_said_as_a_wait(carol: User, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = enrolled(carol)
    client = logged_in(carol)
    client.post(reverse("twofactor_verify"), {"code": wrong(device)})
    refused = client.post(reverse("twofactor_verify"), {"code": code(device)})
    assert refused.status_code == 429
    assert "Too many wrong codes. Try again in 1 minute." in refused.content.decode()


def test_staff_must_enrol_when_the_setting_says_so(staff: User, carol: User, settings: Any) -> None:
    client = logged_in(staff)
    assert client.get(reverse("library")).status_code == 200, "off by default"
    settings.OTP_REQUIRED_FOR_STAFF = True
    held = client.get(reverse("library"))
    assert held["Location"].startswith(reverse("twofactor_setup"))
    assert client.get("/admin/")["Location"].startswith(reverse("twofactor_setup"))
    assert logged_in(carol).get(reverse("library")).status_code == 200, "only staff"
    client.get(reverse("twofactor_setup"))
    device = TOTPDevice.objects.get(user=staff)
    client.post(reverse("twofactor_setup"), {"code": code(device)})
    assert client.get(reverse("library")).status_code == 200
    kept = client.post(reverse("twofactor_setup"), {"code": code(device, 1)})
    assert "must keep two-factor login on" in kept.content.decode()
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def test_turning_it_off_takes_a_code(carol: User) -> None:
    device = enrolled(carol)
    client = logged_in(carol)
    client.post(reverse("twofactor_verify"), {"code": code(device)})
    client.post(reverse("twofactor_setup"), {"code": wrong(device)})
    assert TOTPDevice.objects.filter(user=carol).exists()
    client.post(reverse("twofactor_setup"), {"code": code(device, 1)})
    assert not TOTPDevice.objects.filter(user=carol).exists()


def test_an_api_token_needs_the_code(carol: User) -> None:
    device = enrolled(carol)
    client = Client()
    credentials = {"username": "carol", "password": PASSWORD}
    missing = client.post(TOKEN_URL, credentials, content_type="application/json")
    assert missing.status_code == 400
    assert "`otp`" in missing.json()["detail"]
    bad = client.post(
        TOKEN_URL, {**credentials, "otp": wrong(device)}, content_type="application/json"
    )
    assert bad.status_code == 400
    good = client.post(
        TOKEN_URL, {**credentials, "otp": code(device)}, content_type="application/json"
    )
    assert good.status_code == 200
    assert good.json()["token"]


def test_the_reset_command_removes_the_devices(carol: User) -> None:
    enrolled(carol)
    out = StringIO()
    call_command("twofactor_reset", "carol", stdout=out)
    assert "Removed 1 two-factor device(s) of carol." in out.getvalue()
    assert logged_in(carol).get(reverse("library")).status_code == 200, "password alone again"
