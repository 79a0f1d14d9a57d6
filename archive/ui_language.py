"""The UI language a user chose for their account (docs/languages.md).

Without a choice the language comes from the language cookie (the header's menu), else the
browser's ``Accept-Language`` (Django's ``LocaleMiddleware``). A logged-in user may store one
of ``settings.LANGUAGES`` on their account (``/settings/``, or the header's menu, which saves
it for a logged-in user): ``UserLanguageMiddleware`` then applies it to every request of theirs,
over the cookie and the browser, so it follows them to any browser they log in on.

The choice is read from the database once per session (at the first request after logging in)
and kept in the session, so a request costs no query; a change made in another session reaches
this one at its next login. Anonymous visitors are untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.db import models
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation

#: The session's copy of the user's choice ("" for none); absent until read after login.
SESSION_KEY = "ui_language"


class UserLanguage(models.Model):
    """A user's UI language; no row: the cookie or the browser decides."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    language = models.CharField(max_length=16, help_text="A code of settings.LANGUAGES.")

    class Meta:
        app_label = "archive"

    def __str__(self) -> str:
        return f"UI language of {self.user_id}: {self.language}"


def ui_languages() -> dict[str, str]:
    """The UI's languages, code to name in that language (``settings.LANGUAGES``)."""
    return dict(settings.LANGUAGES)


def user_language_get(user: AbstractBaseUser) -> str:
    """The user's stored language code, "" when they have none (or one no longer offered)."""
    code = UserLanguage.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return code if code in ui_languages() else ""


def user_language_set(user: AbstractBaseUser, code: str) -> bool:
    """Store ``code`` (one of ``settings.LANGUAGES``) as the user's language, or forget their
    choice with "". Returns False, changing nothing, for any other code."""
    if code == "":
        UserLanguage.objects.filter(user_id=user.pk).delete()
        return True
    if code not in ui_languages():
        return False
    UserLanguage.objects.update_or_create(user_id=user.pk, defaults={"language": code})
    return True


def remember(request: HttpRequest, code: str) -> None:
    """Make ``code`` (or "" for none) the language of this session from now on, this request
    included."""
    request.session[SESSION_KEY] = code
    if code:
        translation.activate(code)
        request.LANGUAGE_CODE = code


@receiver(user_logged_in, dispatch_uid="archive.ui_language.read_at_login")
def _read_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A login reads the user's choice afresh (the session may hold an older copy)."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(SESSION_KEY, None)


class UserLanguageMiddleware:
    """Activates a logged-in user's stored language. After ``LocaleMiddleware`` (which chose
    from the cookie or the browser, and which sets ``Content-Language`` from the active
    language on the way out) and after the authentication middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            code = request.session.get(SESSION_KEY)
            if code is None:
                code = user_language_get(user)
                request.session[SESSION_KEY] = code
            if code in ui_languages():
                translation.activate(code)
                request.LANGUAGE_CODE = code
        return self.get_response(request)
