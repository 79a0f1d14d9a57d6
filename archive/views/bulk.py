"""Bulk edit from the library: the chosen documents (or all matching the library's filter)
get one change; small selections are done at once, large ones in the background with a
progress page (``archive.organize.bulk_edit``). Deleting asks for confirmation first."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from archive.downloads import zip_response
from archive.models import BulkEdit, Document
from archive.organize.bulk_download import FILES, bulk_download_plan, zip_stream
from archive.organize.bulk_edit import bulk_edit_create, bulk_edit_start
from archive.organize.errors import OrganizeError
from archive.organize.facets import FilterError, filter_from_params
from archive.organize.names import OwnerNames, options_html, owner_names


def bulk_choices(owner: Any, names: OwnerNames | None = None) -> dict[str, Any]:
    """What the library's bulk toolbar offers: the actions, and the owner's tags,
    correspondents, types and fields as ready ``<option>`` lists (``names``: read already
    for the facet panels, else read here)."""
    names = names or owner_names(owner)
    return {
        "bulk_actions": BulkEdit.Action.choices,
        "bulk_tag_options": options_html((pk, path) for pk, path, _name in names.tags),
        "bulk_correspondent_options": options_html(names.correspondents),
        "bulk_type_options": options_html(names.types),
        "bulk_field_options": options_html((f.pk, f.name) for f in names.fields),
        "download_files": [
            ("originals", gettext_lazy("Originals")),
            ("searchable", gettext_lazy("Searchable PDFs (originals where none is built)")),
            ("both", gettext_lazy("Both")),
        ],
    }


def _selected(request: HttpRequest) -> list[int]:
    """The documents chosen: ``all=1`` means every document matching the filter the form
    carries, else the ticked ``documents``."""
    owner = request.user
    if request.POST.get("all") == "1":
        # The library's filter travels as one encoded field, apart from the action's values.
        filt = filter_from_params(QueryDict(request.POST.get("filter", "")))
        matching = filt.apply(owner, Document.objects.filter(owner_id=owner.pk))  # type: ignore[arg-type]
        return list(matching.order_by("pk").values_list("pk", flat=True))
    ids = []
    for raw in request.POST.getlist("documents"):
        if raw.isdigit() and len(raw) <= 18:
            ids.append(int(raw))
    return ids


def _value(request: HttpRequest, action: str) -> dict[str, Any]:
    post = request.POST
    if action in (BulkEdit.Action.ADD_TAGS, BulkEdit.Action.REMOVE_TAGS):
        return {"tags": [t for t in post.getlist("tags") if t]}
    if action == BulkEdit.Action.SET_CORRESPONDENT:
        return {"correspondent": post.get("correspondent") or None}
    if action == BulkEdit.Action.SET_TYPE:
        return {"document_type": post.get("document_type") or None}
    if action == BulkEdit.Action.SET_DATE:
        return {"date": post.get("date") or None}
    if action == BulkEdit.Action.SET_FIELD:
        return {"field": post.get("field"), "value": post.get("value", "")}
    return {}


def _back(request: HttpRequest) -> str:
    back = request.POST.get("next") or "/"
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    return back


@login_required
@require_POST
def bulk_download(request: HttpRequest) -> HttpResponseBase:
    """The selected documents' files as one zip, streamed while it is written
    (``archive.organize.bulk_download``); a selection that is too large, empty or not the
    user's returns to the library with the message."""
    back = _back(request)
    files = request.POST.get("files") or FILES[0]
    try:
        plan = bulk_download_plan(
            owner=request.user,  # type: ignore[arg-type]
            documents=_selected(request),
            files=files,
        )
    except (FilterError, OrganizeError) as error:
        messages.error(request, str(error))
        return redirect(back)
    return zip_response(zip_stream(plan), len(plan.entries))


@login_required
@require_POST
def bulk_edit(request: HttpRequest) -> HttpResponse:
    """Start a bulk edit of the chosen documents; a delete shows a confirmation page first."""
    action = request.POST.get("action", "")
    back = _back(request)
    try:
        ids = _selected(request)
    except FilterError as error:
        messages.error(request, str(error))
        return redirect(back)
    if action == BulkEdit.Action.DELETE and request.POST.get("confirm") != "1":
        count = Document.objects.filter(owner_id=request.user.pk, pk__in=ids).count()
        hidden = [(k, v) for k in request.POST for v in request.POST.getlist(k)]
        hidden = [(k, v) for k, v in hidden if k not in ("csrfmiddlewaretoken", "confirm")]
        return render(
            request, "archive/bulk_confirm.html", {"count": count, "hidden": hidden, "back": back}
        )
    try:
        edit = bulk_edit_create(
            owner=request.user,  # type: ignore[arg-type]
            action=action,
            documents=ids,
            value=_value(request, action),
        )
    except OrganizeError as error:
        messages.error(request, str(error))
        return redirect(back)
    bulk_edit_start(edit)
    return redirect("bulk_edit_progress", pk=edit.pk)


@login_required
@require_GET
def bulk_edit_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """How far a bulk edit has got (the page refreshes until it is finished); JSON for
    ``?format=json``. Another user's edit answers 404."""
    edit = BulkEdit.objects.filter(pk=pk, owner_id=request.user.pk).first()
    if edit is None:
        raise Http404("No such bulk edit.")
    if request.GET.get("format") == "json":
        return JsonResponse(_as_json(edit))
    return render(request, "archive/bulk_progress.html", {"edit": edit})


def _as_json(edit: BulkEdit) -> dict[str, Any]:
    return {
        "id": edit.pk,
        "action": edit.action,
        "status": edit.status,
        "total": edit.total,
        "done": edit.done,
        "changed": edit.changed,
        "summary": edit.summary,
        "error": edit.error,
    }
