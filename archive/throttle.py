"""Back-off on failed logins, for every way of logging in, that an attacker cannot turn
against the account's owner.

``ThrottledModelBackend`` wraps Django's ``ModelBackend``: the web login, the admin login and
the API's token login all authenticate through it. The address is the client's as the
trusted reverse proxy reports it (``archive.proxies``).

Failures are counted in PostgreSQL (``LoginThrottle``), under several keys at once:

* the account from this address (``LOGIN_MAX_FAILURES`` free attempts) -- or, from a browser
  that logged in to the account before (a signed "known device" cookie), the account on that
  device instead, so that guesses from anywhere else, even the same network, never hold it up;
* the address over all accounts (4x as many free): one client spraying many user names;
* the account over all addresses (4x as many free): guesses spread over many addresses.
  An address or device the account logged in from before is exempt from this count and from
  the previous one: the owner's usual places keep working while the account is under attack.

Past its free attempts, each failure under a key doubles the wait before the next check,
from ``LOGIN_BACKOFF_SECONDS`` up to ``LOGIN_LOCKOUT_SECONDS``: back-off, not a lock (the
right password gets in once the wait is over). A key is forgotten after a quiet period of
``LOGIN_LOCKOUT_SECONDS`` past its wait.

A user with two-factor login (``archive.twofactor``) passes the same counts twice: once for
the password, once for the code; a wrong code is a failure like a wrong password, and only
the right code forgets the account's failures and remembers the address and browser.

Counting is atomic: an attempt reserves its place under every key (row locks, in key order)
*before* the password is checked, and gives it back if the password was right. So N
parallel attempts can never get more password checks than the free attempts.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.models import LoginSource, LoginThrottle
from archive.proxies import client_address

# Set on the request when a login was refused for too many failures (the wait, in seconds);
# the login forms and the API read it to say so instead of "wrong password".
LOCKED_ATTRIBUTE = "login_locked_seconds"
#: The cookie that marks a browser the account logged in from (signed: it cannot be forged).
DEVICE_COOKIE = "login_device"
DEVICE_DAYS = 180
_DEVICE_SALT = "archive.throttle.device"
# Set on the request after a login with the password: the middleware sends the cookie.
_NEW_DEVICE_ATTRIBUTE = "_login_device_cookie"
#: Address and account counts allow this many times the per-account-and-address failures.
SHARED_FACTOR = 4


@dataclass(frozen=True)
class Bucket:
    """One count: its key, and how many failures under it are free of any wait."""

    key: str
    free: int


def buckets(username: str, address: str, request: HttpRequest | None) -> list[Bucket]:
    """The counts one login attempt for ``username`` from ``address`` goes under."""
    name = username.lower()[:150]
    limit = settings.LOGIN_MAX_FAILURES
    device = device_id(request, name)
    if device:
        return [Bucket(f"device:{name}|{device}", limit)]
    counts = [Bucket(f"account-address:{name}|{address}", limit)]
    known = LoginSource.objects.filter(
        username=name, address=address, at__gt=timezone.now() - timedelta(days=DEVICE_DAYS)
    ).exists()
    if not known:
        counts.append(Bucket(f"address:{address}", limit * SHARED_FACTOR))
        counts.append(Bucket(f"account:{name}", limit * SHARED_FACTOR))
    return counts


def backoff_seconds(failures: int, free: int) -> int:
    """The wait after the ``failures``-th failure under a key with ``free`` free attempts:
    none before the last free one, then ``LOGIN_BACKOFF_SECONDS`` doubling per failure, up
    to ``LOGIN_LOCKOUT_SECONDS``."""
    if failures < free:
        return 0
    cap = settings.LOGIN_LOCKOUT_SECONDS
    exponent = failures - free
    if exponent >= 40:  # 2**40 s is past any cap; avoids huge integers
        return int(cap)
    return int(min(cap, settings.LOGIN_BACKOFF_SECONDS * 2**exponent))


def reserve(counts: list[Bucket]) -> int:
    """Count one attempt under every key in ``counts``, unless one of them is still waiting:
    then count nothing and return the seconds to wait (0 = the attempt may go on)."""
    now = timezone.now()
    forget = timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    keys = sorted(bucket.key for bucket in counts)
    with transaction.atomic():
        LoginThrottle.objects.bulk_create(
            [
                LoginThrottle(key=key, failures=0, next_attempt_at=now, last_failure_at=now)
                for key in keys
            ],
            ignore_conflicts=True,
        )
        # Locked in key order, so two attempts sharing keys never deadlock; held only for
        # this short transaction, not while the password is hashed.
        rows = {
            row.key: row
            for row in LoginThrottle.objects.select_for_update()
            .filter(key__in=keys)
            .order_by("key")
        }
        wait = 0.0
        for row in rows.values():
            if row.next_attempt_at + forget <= now:
                row.failures = 0  # quiet for a whole window after its wait: forgotten
            wait = max(wait, (row.next_attempt_at - now).total_seconds())
        if wait > 0:
            return math.ceil(wait)
        for bucket in counts:
            row = rows[bucket.key]
            row.failures += 1
            row.last_failure_at = now
            row.next_attempt_at = now + timedelta(
                seconds=backoff_seconds(row.failures, bucket.free)
            )
            row.save(update_fields=["failures", "last_failure_at", "next_attempt_at"])
    return 0


def release(counts: list[Bucket], username: str, address: str, request: HttpRequest | None) -> None:
    """After the right password: give back the attempt ``reserve`` counted, forget this
    account's failures from here, and remember the address (and the browser) as good."""
    name = username.lower()[:150]
    own = counts[0].key  # the account from this address or device
    shared = [bucket.key for bucket in counts[1:]]
    LoginThrottle.objects.filter(key=own).delete()
    # Shared counts only lose this attempt: failures others caused under them still count
    # (the owner logging in must not reset an attacker's back-off).
    LoginThrottle.objects.filter(key__in=shared).update(failures=Greatest(F("failures") - 1, 0))
    if address:
        LoginSource.objects.update_or_create(
            username=name, address=address, defaults={"at": timezone.now()}
        )
    if request is not None:
        device = device_id(request, name) or secrets.token_hex(8)
        setattr(
            request,
            _NEW_DEVICE_ATTRIBUTE,
            signing.dumps({"u": name, "d": device}, salt=_DEVICE_SALT),
        )


def give_back(counts: list[Bucket]) -> None:
    """Give back the attempt ``reserve`` counted under every key, and nothing more."""
    keys = [bucket.key for bucket in counts]
    LoginThrottle.objects.filter(key__in=keys).update(failures=Greatest(F("failures") - 1, 0))


def forget_old() -> None:
    """Delete counts past their quiet period (they would read as zero anyway)."""
    cutoff = timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    LoginThrottle.objects.filter(next_attempt_at__lt=cutoff).delete()
    LoginSource.objects.filter(at__lt=timezone.now() - timedelta(days=DEVICE_DAYS)).delete()


def device_id(request: HttpRequest | None, username: str) -> str:
    """The id of the known-device cookie ``request`` carries for ``username``; ``""`` if none
    (missing, forged, expired, or another account's)."""
    if request is None:
        return ""
    raw = request.COOKIES.get(DEVICE_COOKIE, "")
    if not raw:
        return ""
    try:
        value = signing.loads(raw, salt=_DEVICE_SALT, max_age=timedelta(days=DEVICE_DAYS))
    except signing.BadSignature:
        return ""
    if not isinstance(value, dict) or value.get("u") != username.lower()[:150]:
        return ""
    return str(value.get("d", ""))[:32]


class ThrottledModelBackend(ModelBackend):
    """``ModelBackend`` with back-off on failures (see the module docstring)."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        if username is None or password is None:
            return None
        address = client_address(request)
        counts = buckets(username, address, request)
        wait = reserve(counts)
        if wait:
            if request is not None:
                setattr(request, LOCKED_ATTRIBUTE, wait)
            # PermissionDenied stops Django from asking any other backend.
            raise PermissionDenied(f"Too many failed logins; try again in {wait} s.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            forget_old()
        elif TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists():
            # Two-factor (archive.twofactor): the password is only half the login. Its own
            # attempt is given back, but nothing is forgotten or remembered until a right
            # code: else knowing the password would reset the back-off on guessing codes.
            give_back(counts)
        else:
            release(counts, username, address, request)
        return user


class LoginDeviceMiddleware:
    """Send the known-device cookie after a login with the password (see ``release``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        value = getattr(request, _NEW_DEVICE_ATTRIBUTE, None)
        if value:
            response.set_cookie(
                DEVICE_COOKIE,
                value,
                max_age=DEVICE_DAYS * 24 * 3600,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
