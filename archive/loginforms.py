"""Login forms that say so when a login was refused for too many failed attempts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext, ngettext

from archive.throttle import LOCKED_ATTRIBUTE


class _LockoutMessage:
    """Replace "wrong password" by the wait time when ``archive.throttle`` refused the login."""

    request: Any

    def clean(self) -> dict[str, Any]:
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
            return cleaned
        except forms.ValidationError:
            wait = getattr(self.request, LOCKED_ATTRIBUTE, 0)
            if wait:
                raise forms.ValidationError(locked_text(wait), code="locked") from None
            raise


def wait_text(seconds: int) -> str:
    """``seconds`` in words, in the active language: "20 seconds", "1 minute", "15 minutes"."""
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = round(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def locked_text(seconds: int) -> str:
    """The refusal of a login (password or code) held back for ``seconds`` after failures."""
    return gettext("Too many failed logins. Try again in %(wait)s.") % {"wait": wait_text(seconds)}


class LoginForm(_LockoutMessage, AuthenticationForm):
    """The web UI's login form."""


class AdminLoginForm(_LockoutMessage, AdminAuthenticationForm):
    """The admin's login form."""
