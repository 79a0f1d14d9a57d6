"""Each user's start page: what ``/`` opens (the library, the dashboard, a saved view or
search), stored as ``archive.organize.models.StartPage`` (no row: ``auto``).

``start_destination`` is the one place that decides; the view only redirects or renders.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext

from archive.organize.errors import OrganizeError
from archive.organize.models import SavedView, StartPage

Choice = StartPage.Choice


def start_page_get(owner: AbstractBaseUser) -> StartPage:
    """The owner's setting (unsaved ``auto`` when they never chose)."""
    found = StartPage.objects.filter(owner_id=owner.pk).select_related("view").first()
    return found or StartPage(owner_id=owner.pk, page=Choice.AUTO)


def start_page_set(*, owner: AbstractBaseUser, page: str, view_id: int | None = None) -> StartPage:
    """Store the owner's start page. ``page`` is one of ``StartPage.Choice``; ``view`` needs
    ``view_id``, one of the owner's saved views (another user's id is refused with the same
    words as a missing one, so it reveals nothing). ``OrganizeError`` with a message."""
    if page not in Choice.values:
        raise OrganizeError(
            gettext("Unknown start page %(page)s: one of %(choices)s.")
            % {"page": repr(page[:32]), "choices": ", ".join(Choice.values)},
            field="page",
        )
    view = None
    if page == Choice.VIEW:
        view = SavedView.objects.filter(pk=view_id or 0, owner_id=owner.pk).first()
        if view is None:
            raise OrganizeError(
                gettext("Choose one of your saved views as the start page."), field="view"
            )
    with transaction.atomic():
        setting, _created = StartPage.objects.update_or_create(
            owner_id=owner.pk, defaults={"page": page, "view": view}
        )
    return setting


@dataclass(frozen=True)
class Destination:
    """Where ``/`` goes: ``library`` (render it here), else a URL to redirect to."""

    library: bool
    url: str = ""


def start_destination(owner: AbstractBaseUser) -> Destination:
    """Where ``/`` (without parameters) takes the owner, by their setting:

    - ``auto``: the dashboard if a view is pinned to it, else the library;
    - ``library`` / ``dashboard`` / ``search``: that page;
    - ``view``: the library under the view (``/library/?…``, so it never comes back here);
      a view deleted since falls back to ``auto`` (its setting became NULL).
    """
    setting = start_page_get(owner)
    page = setting.page
    if page == Choice.VIEW and setting.view is not None:
        return Destination(False, view_url(setting.view, base=reverse("library")))
    if page == Choice.LIBRARY:
        return Destination(True)
    if page == Choice.DASHBOARD:
        return Destination(False, reverse("dashboard"))
    if page == Choice.SEARCH:
        return Destination(False, reverse("search"))
    pinned = SavedView.objects.filter(owner_id=owner.pk, show_on_dashboard=True).exists()
    return Destination(False, reverse("dashboard")) if pinned else Destination(True)


def view_url(view: SavedView, *, base: str = "/") -> str:
    """The library URL of ``view``: its filter, its sort, and ``view=<id>`` when it has
    columns (the library then shows its table)."""
    query = QueryDict(view.query, mutable=True)
    if view.sort:
        query["sort"] = view.sort
    if view.columns:
        query["view"] = str(view.pk)
    encoded = query.urlencode()
    return f"{base}?{encoded}" if encoded else base
