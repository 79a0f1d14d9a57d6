"""The user's settings page (``/settings/``): for now the start page, what ``/`` opens
(``archive.organize.start_page``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from archive.models import SavedView, StartPage
from archive.organize.errors import OrganizeError
from archive.organize.start_page import start_page_get, start_page_set


@login_required
@require_http_methods(["GET", "POST"])
def user_settings(request: HttpRequest) -> HttpResponse:
    """GET: the form with the current choice; POST ``start`` (a ``StartPage.Choice``) and,
    for ``view``, ``view`` (the id of one of the user's saved views)."""
    owner = request.user
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
    }
    return render(request, "archive/settings.html", context)
