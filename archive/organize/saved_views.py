"""Saved views: a user's named filters, for the sidebar and the dashboard.

A view holds the library's filter (``query``), its sort (a key of ``archive.choices.
LIBRARY_SORTS``, empty: newest first) and the columns it shows as a table (names of
``archive.organize.columns.COLUMNS``; none: the library's cards). Anything else is refused
with a message when the view is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from archive.choices import LIBRARY_SORTS
from archive.organize.columns import COLUMNS, unknown_columns
from archive.organize.common import clean_name
from archive.organize.errors import OrganizeError
from archive.organize.models import SavedView

QUERY_MAX = 4000
_EDITABLE = ("name", "query", "sort", "columns", "show_on_dashboard", "show_in_sidebar", "position")


def _check(view: SavedView) -> None:
    view.name = clean_name(view.name)
    if len(view.query) > QUERY_MAX:
        raise OrganizeError(
            gettext("A filter has at most %(query_max)s characters.") % {"query_max": QUERY_MAX},
            field="query",
        )
    if view.sort and view.sort not in LIBRARY_SORTS:
        raise OrganizeError(
            gettext("Unknown sort order %(sort)r: one of %(choices)s.")
            % {"sort": view.sort[:64], "choices": ", ".join(LIBRARY_SORTS)},
            field="sort",
        )
    if not isinstance(view.columns, list) or not all(isinstance(c, str) for c in view.columns):
        raise OrganizeError(gettext("Columns are a list of column names."), field="columns")
    unknown = unknown_columns(view.columns)
    if unknown:
        raise OrganizeError(
            gettext("Unknown column %(column)r: columns are %(choices)s.")
            % {"column": unknown[0][:64], "choices": ", ".join(COLUMNS)},
            field="columns",
        )
    view.columns = list(dict.fromkeys(view.columns))


def saved_view_create(*, owner: AbstractBaseUser, name: str, **values: Any) -> SavedView:
    """A new view, placed last unless ``position`` is given."""
    unknown = set(values) - set(_EDITABLE)
    if unknown:
        raise OrganizeError(gettext("Unknown setting %(name)r.") % {"name": sorted(unknown)[0]})
    with transaction.atomic():
        if "position" not in values:
            last = SavedView.objects.filter(owner_id=owner.pk).aggregate(m=Max("position"))["m"]
            values["position"] = 0 if last is None else last + 1
        view = SavedView(owner_id=owner.pk, name=name, **values)
        _check(view)
        view.save()
    return view


def saved_view_update(*, owner: AbstractBaseUser, view: SavedView, **changes: Any) -> SavedView:
    """Change any of a view's settings."""
    if view.owner_id != owner.pk:
        raise OrganizeError(gettext("No such view."))
    for name, value in changes.items():
        if name not in _EDITABLE:
            raise OrganizeError(gettext("Unknown setting %(name)r.") % {"name": name})
        setattr(view, name, value)
    _check(view)
    view.save()
    return view


def saved_view_delete(*, owner: AbstractBaseUser, view: SavedView) -> None:
    """Delete a view (the documents it shows are not touched)."""
    if view.owner_id != owner.pk:
        raise OrganizeError(gettext("No such view."))
    view.delete()
