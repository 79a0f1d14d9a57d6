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
from django.views.decorators.http import require_GET, require_POST

from archive import selectors
from archive.models import Document, SavedView, Suggestion
from archive.organize.errors import OrganizeError
from archive.organize.facets import FilterError, filter_from_params
from archive.organize.saved_views import saved_view_create, saved_view_delete

# Newest documents shown per pinned view, and recent documents on the dashboard.
_PER_VIEW = 5
_RECENT = 8


def saved_views_for(owner: Any) -> list[SavedView]:
    """The owner's views in their order, each with ``url`` (the library under its filter)."""
    views = list(SavedView.objects.filter(owner_id=owner.pk))
    for view in views:
        query = QueryDict(view.query, mutable=True)
        if view.sort:
            query["sort"] = view.sort
        view.url = "/?" + query.urlencode()  # type: ignore[attr-defined]
    return views


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
        ids = list(matching.order_by("-created", "-id").values_list("pk", flat=True)[:_PER_VIEW])
        pinned.append(
            {
                "view": view,
                "count": matching.count(),
                "documents": [d for d in own.filter(pk__in=ids).order_by("-created", "-id")],
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
            show_in_sidebar=True,
            show_on_dashboard=request.POST.get("pin") == "1",
        )
    except (OrganizeError, FilterError) as error:
        messages.error(request, str(error))
        return redirect("/?" + request.POST.get("query", ""))
    messages.success(request, f"Saved the view “{view.name}”.")
    return redirect("/?" + request.POST.get("query", ""))


@login_required
@require_POST
def saved_view_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the user's views (another user's answers 404)."""
    view = SavedView.objects.filter(pk=pk, owner_id=request.user.pk).first()
    if view is None:
        raise Http404("No such view.")
    saved_view_delete(owner=request.user, view=view)  # type: ignore[arg-type]
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect("dashboard")
