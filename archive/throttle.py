"""Throttling of failed logins, for every way of logging in.

``ThrottledModelBackend`` wraps Django's ``ModelBackend``: the web login, the admin login and
any API login all authenticate through it, so one rule covers them all. Failures are rows in
PostgreSQL (``LoginFailure``), not a per-process cache, so every web worker and machine sees
the same count.

The rule: within ``LOGIN_LOCKOUT_SECONDS``, at most ``LOGIN_MAX_FAILURES`` failures for one
username from one address, and at most four times that from one address over all usernames.
Past either, authentication is refused without checking the password (a right password does
not get in either) until the oldest counted failure leaves the window. Counting per address
means an attacker elsewhere cannot lock a user out. The address is ``REMOTE_ADDR``: behind a
reverse proxy that is the proxy's address, so the per-address limit then applies to everyone
behind it (set the proxy to limit logins itself, or accept the shared limit).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from archive.models import LoginFailure

# Set on the request when a login was refused for too many failures; the login form reads it
# to say so instead of "wrong password".
LOCKED_ATTRIBUTE = "login_locked_seconds"


def client_address(request: HttpRequest | None) -> str:
    """The address a login came from (``REMOTE_ADDR``; empty when unknown)."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def seconds_locked(username: str, address: str) -> int:
    """Seconds until ``username`` may try to log in from ``address`` again; 0 if it may now."""
    window = timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    since = timezone.now() - window
    recent = LoginFailure.objects.filter(address=address, at__gt=since)
    limits = [
        (recent.filter(username=username.lower()), settings.LOGIN_MAX_FAILURES),
        (recent, settings.LOGIN_MAX_FAILURES * 4),
    ]
    wait = 0
    for failures, limit in limits:
        # Locked while `limit` failures lie in the window; free once the oldest of the last
        # `limit` has left it.
        times = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            free_at = times[-1] + window
            wait = max(wait, int((free_at - timezone.now()).total_seconds()) + 1)
    return wait


def record_failure(username: str, address: str) -> None:
    """Count one failed login, and forget failures older than the window."""
    now = timezone.now()
    LoginFailure.objects.create(username=username.lower()[:150], address=address, at=now)
    cutoff = now - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    LoginFailure.objects.filter(at__lte=cutoff).delete()


def clear_failures(username: str, address: str) -> None:
    """Forget the failures of ``username`` from ``address`` after it logged in."""
    LoginFailure.objects.filter(username=username.lower(), address=address).delete()


class ThrottledModelBackend(ModelBackend):
    """``ModelBackend`` that refuses logins past the failure limit (see the module docstring)."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        address = client_address(request)
        wait = seconds_locked(username or "", address)
        if wait:
            if request is not None:
                setattr(request, LOCKED_ATTRIBUTE, wait)
            # PermissionDenied stops Django from asking any other backend.
            raise PermissionDenied(f"Too many failed logins; try again in {wait} s.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            if username and password is not None:
                record_failure(username, address)
        else:
            clear_failures(username or "", address)
        return user
