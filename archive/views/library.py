"""The library (the user's documents, sorted and filtered) and uploading into it.

Uploads answer in two ways. A plain form post (no JavaScript) gets one message per file and a
redirect. The page's script sends one file per request with ``Accept: application/json``, to
show a progress bar and the outcome per file, and gets JSON:

    {"files": [{"name": str, "outcome": "created" | "duplicate" | "needs_password" | "rejected",
                "message": str, "document": {"id", "title", "url", "status", "status_url"} | null}]}

Status 200 when at least one file was taken in, 400 when every file was refused, 413 (Content
Too Large) when every file was refused for its size alone.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from archive import selectors
from archive.choices import LIBRARY_SORT_LABELS
from archive.forms import LibraryForm, UploadForm
from archive.models import Document, SavedView
from archive.organize.columns import (
    COLUMNS,
    DEFAULT_COLUMNS,
    table_rows,
    view_columns,
    with_columns,
)
from archive.organize.facets import FilterError, LibraryFilter, facet_counts, filter_from_params
from archive.organize.names import owner_names, visible_names
from archive.organize.start_page import start_destination
from archive.outcomes import Outcome
from archive.replica.requests import replica_reads
from archive.sharing.access import SCOPES, scoped_documents
from archive.uploads import UploadResult, upload_headers, upload_status, uploads_take
from archive.views.bulk import bulk_choices
from archive.views.dashboard import saved_views_for
from archive.views.facet_links import facet_panels, panel_items

_PAGE_SIZE = 48
# Up to this many matches, the page reads their ids before ordering them (see the view).
_FEW = 2000
#: Session keys of the last upload's choices, offered again on the next upload.
_REMEMBERED = ("language", "engine")


@login_required
@require_GET
@replica_reads
def library(request: HttpRequest) -> HttpResponse:
    """The user's documents (newest first unless sorted otherwise) with the upload form."""
    return _library_page(request)


@login_required
@require_GET
@replica_reads
def start(request: HttpRequest) -> HttpResponse:
    """The start page (``/``): the page the user chose (``archive.organize.start_page``; by
    default the dashboard when they pinned a saved view to it, else the library). With any
    parameter (``/?tag=3``, a saved view's link) it is the library."""
    if not request.GET:
        destination = start_destination(request.user)  # type: ignore[arg-type]
        if not destination.library:
            return redirect(destination.url)
    return _library_page(request)


def _library_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    """The library under the filter its URL holds (``archive.organize.facets``), with facet
    counts beside; a malformed filter parameter shows its message over the whole library."""
    filters = LibraryForm(request.GET)
    owner = request.user
    notice = ""
    # Whose documents (archive.sharing.access): all the user may see, their own, or shared.
    whose = request.GET.get("whose", "")
    documents = scoped_documents(owner, whose)
    try:
        filt = filter_from_params(request.GET)
        matching = filt.apply(owner, documents)  # type: ignore[arg-type]
    except FilterError as error:
        notice = str(error)
        filt = LibraryFilter()
        matching = documents
    facets = facet_counts(owner, matching)  # type: ignore[arg-type]
    # The page's ids first (an index walk in order), then only those rows with what the cards
    # show: annotating every match before the LIMIT would count the pages of all of them.
    paginator = Paginator(ordered_ids(matching, facets.total, filters.ordering()), _PAGE_SIZE)
    # Counted once, with the facets.
    paginator.__dict__["count"] = facets.total
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    view = _open_view(owner, request.GET.get("view", ""))
    columns = view_columns(view.columns) if view and view.columns else []
    listed = selectors.document_list(user=owner).filter(pk__in=ids)
    shown = (with_columns(listed) if columns else listed).in_bulk()
    page.object_list = [shown[pk] for pk in ids if pk in shown]
    params = request.GET.copy()
    params.pop("page", None)
    names = owner_names(owner)  # type: ignore[arg-type]
    # The panels also name the owners' tags, correspondents and types of documents shared
    # with the user; the bulk toolbar offers the user's own only (``names``).
    labels = visible_names(owner, facets, filt, names)  # type: ignore[arg-type]
    panels, chips = facet_panels(owner, facets, filt, request.GET, labels)  # type: ignore[arg-type]
    for panel in panels:
        panel.items_html = panel_items(panel, estimated=facets.estimated)
    context = {
        "page": page,
        "filters": filters,
        "params": params.urlencode(),
        "form": _upload_form(request),
        "panels": panels,
        "chips": chips,
        "estimated": facets.estimated,
        "notice": notice,
        "filter_params": filt.to_params(),
        "filter_query": urlencode(filt.to_params()),
        "path": request.get_full_path(),
        "saved_views": [v for v in saved_views_for(owner) if v.show_in_sidebar],
        "whose": whose if whose in SCOPES else "",
        "scopes": SCOPES,
        "current_query": urlencode([*filt.to_params(), *_sort(request)]),
        "view": view,
        "columns": columns,
        "rows": table_rows(page.object_list, columns) if columns else [],
        "column_choices": list(COLUMNS.items()),
        "default_columns": DEFAULT_COLUMNS,
        "sort_choices": LIBRARY_SORT_LABELS,
        **bulk_choices(owner, names),
    }
    return render(request, "archive/library.html", context, status=status)


def _open_view(owner: Any, raw: str) -> SavedView | None:
    """The owner's saved view ``raw`` (the ``view`` parameter), or None: another user's id,
    or one that is not a number, opens nothing and says nothing."""
    if not raw.isdigit() or len(raw) > 18:
        return None
    return SavedView.objects.filter(pk=int(raw), owner_id=owner.pk).first()


def ordered_ids(matching: Any, total: int, ordering: tuple[Any, ...]) -> Any:
    """The ids of ``matching`` (``total`` of them) in ``ordering``, as a lazy queryset to slice.

    Few matches (up to ``_FEW``): their ids are read first (the planner then finds them through
    the filter's indexes), so a page does not walk every document in date order looking for
    a rare tag's documents; more: the ordered index walk finds a page of them soon.
    """
    ordered = matching
    if 0 < total <= _FEW:
        ordered = Document.objects.filter(pk__in=list(matching.values_list("pk", flat=True)))
    return ordered.order_by(*ordering).values_list("pk", flat=True)


def _sort(request: HttpRequest) -> list[tuple[str, str]]:
    sort = request.GET.get("sort", "")
    return [("sort", sort)] if sort else []


def _upload_form(request: HttpRequest, data: Any = None, files: Any = None) -> UploadForm:
    initial = {
        key: request.session[f"upload_{key}"]
        for key in _REMEMBERED
        if f"upload_{key}" in request.session
    }
    return UploadForm(data, files, initial=initial, staff=request.user.is_staff)


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Accept one or many files; each is stored, found to be a duplicate, or refused."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = _upload_form(request, request.POST, request.FILES)
    if not form.is_valid():
        problems = [str(error) for errors in form.errors.values() for error in errors]
        if wants_json:
            return JsonResponse({"files": [], "errors": problems}, status=400)
        for problem in problems:
            messages.error(request, problem)
        return redirect("library")
    for key in _REMEMBERED:
        if key in form.cleaned_data:
            request.session[f"upload_{key}"] = form.cleaned_data[key]
    outcomes = uploads_take(
        owner=request.user,  # type: ignore[arg-type]
        scans=form.cleaned_data["scans"],
        ocr_files=[f for f in form.cleaned_data.get("ocr_file") or [] if f],
        language=form.cleaned_data["language"],
        engine=form.cleaned_data.get("engine", ""),
        password=form.cleaned_data["password"],
    )
    status = upload_status(outcomes)
    headers = upload_headers(status)
    if wants_json:
        return JsonResponse(
            {"files": [_outcome_json(o) for o in outcomes]}, status=status, headers=headers
        )
    for outcome in outcomes:
        _message(request, outcome)
    if status in (413, 429, 507):
        # The page with the messages, answered with the status itself (no redirect), so
        # that scripts driving the form see it too.
        page = _library_page(request, status=status)
        for name, value in headers.items():
            page[name] = value
        return page
    # One file that is already in the archive: take the user to it.
    if len(outcomes) == 1 and outcomes[0].document and outcomes[0].outcome is Outcome.DUPLICATE:
        return redirect(outcomes[0].document)
    return redirect("library")


def _outcome_json(outcome: UploadResult) -> dict[str, Any]:
    document = outcome.document
    return {
        "name": outcome.name,
        "outcome": outcome.outcome,
        "message": outcome.message,
        "document": None
        if document is None
        else {
            "id": document.pk,
            "title": document.title,
            "url": document.get_absolute_url(),
            "status": document.status,
            "status_url": reverse("document_status", args=[document.pk]),
        },
    }


def _message(request: HttpRequest, outcome: UploadResult) -> None:
    name, text, document = outcome.name, outcome.message, outcome.document
    if document is None:
        messages.error(request, format_html("{}: {}", name, text))
    elif outcome.outcome is Outcome.CREATED:
        messages.success(request, format_html("{}: {}", name, text))
    else:
        level = messages.WARNING if outcome.outcome is Outcome.NEEDS_PASSWORD else messages.INFO
        messages.add_message(
            request,
            level,
            format_html(
                '{}: {} <a href="{}">{}</a>.',
                name,
                text,
                document.get_absolute_url(),
                gettext("Open it"),
            ),
        )
