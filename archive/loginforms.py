"""Login forms that say so when a login was refused for too many failed attempts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from archive.throttle import LOCKED_ATTRIBUTE


class _LockoutMessage:
    """Replace "wrong password" by the wait time when ``archive.throttle`` refused the login."""

    request: Any

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            wait = getattr(self.request, LOCKED_ATTRIBUTE, 0)
            if wait:
                minutes = max(1, round(wait / 60))
                raise forms.ValidationError(
                    f"Too many failed logins. Try again in {minutes} minute"
                    f"{'s' if minutes != 1 else ''}.",
                    code="locked",
                ) from None
            raise


class LoginForm(_LockoutMessage, AuthenticationForm):
    """The web UI's login form."""


class AdminLoginForm(_LockoutMessage, AdminAuthenticationForm):
    """The admin's login form."""
