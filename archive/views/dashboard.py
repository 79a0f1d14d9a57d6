"""The dashboard (a start page) and saved views: the views a user pinned with their counts and
newest documents, the documents added last, and what needs attention (failed, waiting for a
password, suggestions to confirm). Saving the library's current filter as a named view, listed
in the library's sidebar and, when pinned, here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from archive import selectors
from archive.choices import library_ordering
from archive.models import Document, SavedView, Suggestion
from archive.organize.columns import table_rows, view_columns, with_columns
from archive.organize.errors import OrganizeError
from archive.organize.facets import FilterError, filter_from_params
from archive.organize.saved_views import saved_view_create, saved_view_delete, saved_view_update

# Newest documents shown per pinned view, and recent documents on the dashboard.
_PER_VIEW = 5
_RECENT = 8


def saved_views_for(owner: Any) -> list[SavedView]:
    """The owner's views in their order, each with ``url`` (the library under its filter and
    sort; with ``view=<id>`` when the view has columns, so the library shows its table)."""
    views = list(SavedView.objects.filter(owner_id=owner.pk))
    for view in views:
        query = QueryDict(view.query, mutable=True)
        if view.sort:
            query["sort"] = view.sort
        if view.columns:
            query["view"] = str(view.pk)
        view.url = "/?" + query.urlencode()  # type: ignore[attr-defined]
    return views


def _columns_posted(request: HttpRequest) -> list[str] | None:
    """The ticked ``columns`` if the form offered them (``columns_offered``), else None."""
    if request.POST.get("columns_offered") != "1":
        return None
    return request.POST.getlist("columns")


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The start page of a user's archive."""
    owner = request.user
    own = Document.objects.filter(owner_id=owner.pk)
    pinned = []
    for view in saved_views_for(owner):
        if not view.show_on_dashboard:
            continue
        try:
            matching = filter_from_params(QueryDict(view.query)).apply(owner, own)  # type: ignore[arg-type]
        except FilterError as error:
            pinned.append({"view": view, "error": str(error), "count": 0, "documents": []})
            continue
        ordering = library_ordering(view.sort)
        ids = list(matching.order_by(*ordering).values_list("pk", flat=True)[:_PER_VIEW])
        documents = list(with_columns(own.filter(pk__in=ids)).order_by(*ordering))
        columns = view_columns(view.columns) if view.columns else []
        pinned.append(
            {
                "view": view,
                "count": matching.count(),
                "documents": documents,
                "columns": columns,
                "rows": table_rows(documents, columns) if columns else [],
            }
        )
    pending = (
        Suggestion.objects.filter(owner_id=owner.pk, state=Suggestion.State.SUGGESTED)
        .values_list("document_id", flat=True)
        .distinct()
    )
    context = {
        "pinned": pinned,
        "recent": selectors.document_list(user=owner)[:_RECENT],
        "failed": own.filter(status=Document.Status.FAILED).count(),
        "needs_password": own.filter(status=Document.Status.NEEDS_PASSWORD).count(),
        "to_confirm": own.filter(pk__in=pending).order_by("-created", "-id")[:10],
        "to_confirm_count": own.filter(pk__in=pending).count(),
        "views": saved_views_for(owner),
    }
    return render(request, "archive/dashboard.html", context)


@login_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    """Save the library's current filter (``query``: its URL query string) as a named view."""
    query = QueryDict(request.POST.get("query", ""), mutable=True)
    sort = query.pop("sort", [""])[-1]
    query.pop("page", None)
    try:
        filter_from_params(query)
        view = saved_view_create(
            owner=request.user,  # type: ignore[arg-type]
            name=request.POST.get("name", ""),
            query=query.urlencode(),
            sort=sort,
            columns=_columns_posted(request) or [],
            show_in_sidebar=True,
            show_on_dashboard=request.POST.get("pin") == "1",
        )
    except (OrganizeError, FilterError) as error:
        messages.error(request, str(error))
        return redirect("/?" + request.POST.get("query", ""))
    messages.success(request, gettext("Saved the view “%(name)s”.") % {"name": view.name})
    return redirect("/?" + request.POST.get("query", ""))


@login_required
@require_POST
def saved_view_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one of the user's views: its columns (``columns``, with ``columns_offered=1``),
    sort, and whether it is pinned to the dashboard (``pin``); another user's answers 404.
    Returns to the view."""
    view = SavedView.objects.filter(pk=pk, owner_id=request.user.pk).first()
    if view is None:
        raise Http404("No such view.")
    changes: dict[str, Any] = {
        "sort": request.POST.get("sort", view.sort),
        "show_on_dashboard": request.POST.get("pin") == "1",
    }
    columns = _columns_posted(request)
    if columns is not None:
        changes["columns"] = columns
    try:
        saved_view_update(owner=request.user, view=view, **changes)  # type: ignore[arg-type]
    except OrganizeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("Saved the view “%(name)s”.") % {"name": view.name})
    return redirect(_url_of(request.user, view.pk))


def _url_of(owner: Any, pk: int) -> str:
    """The library URL of the owner's view ``pk``."""
    urls: dict[int, str] = {v.pk: v.url for v in saved_views_for(owner)}  # type: ignore[attr-defined]
    return urls.get(pk, "/library/")


@login_required
@require_POST
def saved_view_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the user's views (another user's answers 404)."""
    view = SavedView.objects.filter(pk=pk, owner_id=request.user.pk).first()
    if view is None:
        raise Http404("No such view.")
    saved_view_delete(owner=request.user, view=view)  # type: ignore[arg-type]
    messages.success(request, gettext("Deleted the view “%(name)s”.") % {"name": view.name})
    return redirect("dashboard")
