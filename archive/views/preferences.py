"""The user's settings page (``/settings/``): the start page, what ``/`` opens
(``archive.organize.start_page``), and the UI language stored on the account
(``archive.ui_language``); and the header's language menu, which saves a logged-in user's
choice to the account too."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language

from archive.models import SavedView, StartPage
from archive.organize.errors import OrganizeError
from archive.organize.start_page import start_page_get, start_page_set
from archive.ui_language import remember, ui_languages, user_language_get, user_language_set


@login_required
@require_http_methods(["GET", "POST"])
def user_settings(request: HttpRequest) -> HttpResponse:
    """GET: the forms with the current choices. POST either ``ui_language`` (a code of
    ``settings.LANGUAGES``, or "" for the browser's language), or ``start`` (a
    ``StartPage.Choice``) and, for ``view``, ``view`` (the id of one of the user's saved
    views)."""
    owner = request.user
    if request.method == "POST" and "ui_language" in request.POST:
        code = request.POST["ui_language"]
        if user_language_set(owner, code):  # type: ignore[arg-type]
            remember(request, code)  # the message below comes in the new language
            messages.success(request, gettext("Saved your language."))
        else:
            messages.error(request, gettext("Choose one of the languages listed."))
        return redirect("user_settings")
    if request.method == "POST":
        raw = request.POST.get("view", "")
        view_id = int(raw) if raw.isdigit() and len(raw) <= 18 else None
        try:
            start_page_set(
                owner=owner,  # type: ignore[arg-type]
                page=request.POST.get("start", ""),
                view_id=view_id,
            )
        except OrganizeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("Saved your start page."))
        return redirect("user_settings")
    context = {
        "setting": start_page_get(owner),  # type: ignore[arg-type]
        "choices": StartPage.Choice.choices,
        "views": SavedView.objects.filter(owner_id=owner.pk),
        "ui_language": user_language_get(owner),  # type: ignore[arg-type]
        "ui_languages": list(ui_languages().items()),
    }
    return render(request, "archive/settings.html", context)


def language_choose(request: HttpRequest) -> HttpResponseBase:
    """The header's language menu: Django's ``set_language`` (the language cookie, then back
    to ``next``) and, for a logged-in user choosing one of the UI's languages, the same choice
    stored on their account, so their other browsers get it at their next login."""
    response = set_language(request)
    code = request.POST.get("language", "") if request.method == "POST" else ""
    if code and request.user.is_authenticated and user_language_set(request.user, code):
        remember(request, code)
    return response
