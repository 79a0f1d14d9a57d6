"""Optional two-factor login with a time-based code (TOTP, RFC 6238): django-otp's TOTP devices.

Any user may turn it on (``/account/two-factor/``); ``OTP_REQUIRED_FOR_STAFF`` makes it
mandatory for staff. The rules:

* **Enrolment.** The page makes an unconfirmed device and shows its secret, its
  ``otpauth://`` URI and a QR code of it; the device counts only once a code from the
  authenticator app confirms it. Turning it off asks for a current code too.
* **Login.** The password step stays as it is (``archive.throttle``); a user with a
  confirmed device is then logged in but *not verified*, and ``TwoFactorMiddleware`` sends
  every request of that session (web pages, admin, the API with a session) to the code page
  until a right code verifies it (``django_otp.login`` marks the session). The admin's
  login is the same login, so it needs the code as well. A token for the API needs the code
  in the same request (``archive.api.auth``).
* **Wrong codes count as failed logins**: each code is checked through ``code_check``, which
  reserves an attempt under the same back-off counts as a password (``throttle.reserve``),
  and only a right code forgets the account's failures and remembers the address and
  browser as good. For a user with a device, the right password alone gives back its own
  attempt but resets nothing (``throttle.ThrottledModelBackend``): knowing the password
  must not reset the back-off on guessing the code.
* **Recovery.** ``manage.py twofactor_reset USERNAME`` removes the user's devices (the
  operator's way back in for a user who lost their phone); so does deleting them in the admin.
"""

from __future__ import annotations

import io
import math
from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_stubs_ext import StrOrPromise

from archive.errors import UserError
from archive.loginforms import locked_text, wait_text
from archive.proxies import client_address
from archive.throttle import buckets, release, reserve

#: What a request answers while its session still needs the code (API paths get JSON); lazy,
#: so each answer is in the request's language.
CODE_NEEDED = gettext_lazy("Enter the code from your authenticator app to continue.")
ENROL_NEEDED = gettext_lazy("Staff accounts must set up two-factor login before going on.")


class CodeRefused(UserError):
    """A code that was wrong, or checked too soon after too many wrong ones (``wait`` > 0)."""

    def __init__(self, message: str, *, wait: int = 0) -> None:
        super().__init__(message)
        self.wait = wait


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows for an unconfirmed device."""

    secret: str  # base32, as authenticator apps take it typed in
    uri: str  # otpauth://totp/...
    qr_svg: str  # the URI as a QR code, an inline SVG


def confirmed_device(user: AbstractBaseUser) -> TOTPDevice | None:
    """The user's confirmed TOTP device (the oldest, if several); None if two-factor is off."""
    if not user.is_authenticated or user.pk is None:
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def needs_code(user: AbstractBaseUser) -> bool:
    """True if logging in as ``user`` takes a code after the password."""
    return confirmed_device(user) is not None


def must_enrol(user: AbstractBaseUser) -> bool:
    """True if ``user`` is staff, ``OTP_REQUIRED_FOR_STAFF`` is on and they have no device."""
    staff = bool(getattr(user, "is_staff", False))
    return staff and settings.OTP_REQUIRED_FOR_STAFF and not needs_code(user)


def pending_device(user: AbstractBaseUser) -> TOTPDevice:
    """The user's unconfirmed device, made with a new random key if there is none."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user_id=user.pk, name="default", confirmed=False)
    return device


def enrolment(device: TOTPDevice) -> Enrolment:
    """The secret, the ``otpauth://`` URI and its QR code for ``device``."""
    uri = str(device.config_url)
    return Enrolment(secret=b32encode(device.bin_key).decode("ascii"), uri=uri, qr_svg=_qr_svg(uri))


def _qr_svg(text: str) -> str:
    """``text`` as a QR code, an SVG document of paths (no raster image, no Pillow)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    # Inline in the page: the XML declaration is not allowed inside HTML.
    return svg[svg.index("<svg") :]


def code_check(request: HttpRequest, user: AbstractBaseUser, device: TOTPDevice, code: str) -> None:
    """Check ``code`` against ``device`` as a login attempt of ``user`` from ``request``'s
    client: counted under the login back-off (``archive.throttle``) before it is checked,
    ``CodeRefused`` if it is wrong or comes too soon after too many failures. A right code
    forgets the account's failures here and remembers this address and browser as good."""
    allowed, data = device.verify_is_allowed()
    if not allowed:
        # django-otp's own back-off on the device (1 s, 2 s, 4 s... after wrong codes from
        # anywhere): the code would be refused unread, so it is not counted again here.
        until = (data or {}).get("locked_until")
        left = (until - timezone.now()).total_seconds() if until is not None else 1
        seconds = max(1, math.ceil(left))
        raise CodeRefused(
            gettext("Too many wrong codes. Try again in %(wait)s.") % {"wait": wait_text(seconds)},
            wait=seconds,
        )
    username = user.get_username()
    address = client_address(request)
    counts = buckets(username, address, request)
    wait = reserve(counts)
    if wait:
        raise CodeRefused(locked_text(wait), wait=wait)
    cleaned = "".join(code.split())
    # Only digits reach the device: anything else is simply wrong (and counted).
    if not (cleaned.isdigit() and device.verify_token(cleaned)):
        raise CodeRefused(gettext("That code is not right. Enter the current code from your app."))
    release(counts, username, address, request)


def verify(request: HttpRequest, code: str) -> None:
    """The login's second step: check ``code`` for the logged-in user and mark the session
    verified; ``CodeRefused`` otherwise."""
    device = confirmed_device(request.user)  # type: ignore[arg-type]
    if device is None:
        return
    code_check(request, request.user, device, code)  # type: ignore[arg-type]
    otp_login(request, device)


def confirm(request: HttpRequest, device: TOTPDevice, code: str) -> None:
    """Confirm the unconfirmed ``device`` with a code from the app (``CodeRefused`` if
    wrong): from now on, logging in takes a code. Other devices of the user are removed, and
    this session counts as verified."""
    code_check(request, request.user, device, code)  # type: ignore[arg-type]
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)


def turn_off(request: HttpRequest, code: str) -> None:
    """Remove the user's devices after a right current code (``CodeRefused`` if wrong, or
    ``UserError`` if staff must keep two-factor on)."""
    user: AbstractBaseUser = request.user  # type: ignore[assignment]
    device = confirmed_device(user)
    if device is None:
        return
    if getattr(user, "is_staff", False) and settings.OTP_REQUIRED_FOR_STAFF:
        raise UserError(gettext("Staff accounts must keep two-factor login on."))
    code_check(request, user, device, code)
    devices_remove(user)


def devices_remove(user: AbstractBaseUser) -> int:
    """Remove every TOTP device of ``user`` (recovery: they log in with the password alone
    again); returns how many there were."""
    removed, _ = TOTPDevice.objects.filter(user_id=user.pk).delete()
    return int(removed)


def token_allowed(request: HttpRequest, user: AbstractBaseUser, code: str) -> None:
    """For the API's token login: ``CodeRefused`` unless ``user`` has no device or ``code``
    is right (counted like a web login's code)."""
    device = confirmed_device(user)
    if device is None:
        return
    if not code:
        raise CodeRefused(
            gettext(
                "This account uses two-factor login: send the code from the authenticator app "
                "as `otp`."
            )
        )
    code_check(request, user, device, code)


#: Paths a session that still needs its code may reach: the code and enrolment pages, logging
#: out, and static files (served before this middleware anyway).
_OPEN_NAMES = ("twofactor_verify", "twofactor_setup", "logout")


class TwoFactorMiddleware:
    """Hold a logged-in session at the code page until it is verified (users with a device),
    or at the enrolment page (staff, when ``OTP_REQUIRED_FOR_STAFF`` is on). Put after
    ``django_otp.middleware.OTPMiddleware``. API paths answer 403 with a JSON ``detail``;
    token requests are not sessions and do not pass here (their token needed the code)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        open_paths = {reverse(name) for name in _OPEN_NAMES}
        if request.path in open_paths or request.path.startswith(settings.STATIC_URL or "/static/"):
            return self.get_response(request)
        if needs_code(user) and not user.is_verified():
            return self._hold(request, "twofactor_verify", CODE_NEEDED)
        if must_enrol(user):
            return self._hold(request, "twofactor_setup", ENROL_NEEDED)
        return self.get_response(request)

    @staticmethod
    def _hold(request: HttpRequest, name: str, message: StrOrPromise) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        target = reverse(name)
        if request.method == "GET":
            target += f"?next={quote(request.get_full_path())}"
        return redirect(target)
