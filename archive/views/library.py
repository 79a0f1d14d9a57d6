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

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from archive import selectors
from archive.filenames import clean_filename
from archive.forms import LibraryForm, UploadForm
from archive.ingest import FileTooLarge, IngestResult, UploadRejected, document_create
from archive.models import Document

_PAGE_SIZE = 48
#: Session keys of the last upload's choices, offered again on the next upload.
_REMEMBERED = ("language", "engine")


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """The user's documents (newest first unless sorted otherwise) with the upload form."""
    return _library_page(request)


def _library_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    filters = LibraryForm(request.GET)
    documents = selectors.document_list(user=request.user)
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            documents = documents.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["language"]:
            documents = documents.filter(language=filters.cleaned_data["language"])
    documents = documents.order_by(*filters.ordering())
    page = Paginator(documents, _PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "params": params.urlencode(),
        "form": _upload_form(request),
    }
    return render(request, "archive/library.html", context, status=status)


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
    outcomes = [_take(request, form, upload_file) for upload_file in form.cleaned_data["scans"]]
    taken = [o for o in outcomes if o["outcome"] != "rejected"]
    status = 200 if taken else (413 if all(o["too_large"] for o in outcomes) else 400)
    if wants_json:
        for outcome in outcomes:
            del outcome["too_large"]
        return JsonResponse({"files": outcomes}, status=status)
    for outcome in outcomes:
        _message(request, outcome)
    if status == 413:
        return _library_page(request, status=413)
    # One file that is already in the archive: take the user to it.
    if len(outcomes) == 1 and outcomes[0]["outcome"] == "duplicate":
        return redirect(outcomes[0]["document"]["url"])
    return redirect("library")


def _take(request: HttpRequest, form: UploadForm, upload_file: Any) -> dict[str, Any]:
    """One file through ``document_create``; its outcome as the JSON answer describes it."""
    # Django already drops directories from uploaded names; document_create cleans the rest,
    # and messages show the name as it will be stored.
    name = clean_filename(upload_file.name or "")
    try:
        result = document_create(
            owner=request.user,  # type: ignore[arg-type]
            upload=upload_file,
            name=upload_file.name or "",
            language=form.cleaned_data["language"],
            engine=form.cleaned_data.get("engine", ""),
            password=form.cleaned_data["password"],
        )
    except UploadRejected as error:
        return {
            "name": name,
            "outcome": "rejected",
            "message": str(error),
            "document": None,
            "too_large": isinstance(error, FileTooLarge),
        }
    return {
        "name": name,
        **_described(result),
        "document": _document_json(result.document),
        "too_large": False,
    }


def _described(result: IngestResult) -> dict[str, str]:
    document = result.document
    if not result.created:
        return {"outcome": "duplicate", "message": f"you already have this file as “{document}”."}
    if document.status == Document.Status.NEEDS_PASSWORD:
        return {"outcome": "needs_password", "message": f"stored, not read yet. {document.error}"}
    return {"outcome": "created", "message": "uploaded, OCR queued."}


def _document_json(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "title": document.title,
        "url": document.get_absolute_url(),
        "status": document.status,
        "status_url": reverse("document_status", args=[document.pk]),
    }


def _message(request: HttpRequest, outcome: dict[str, Any]) -> None:
    name, text, document = outcome["name"], outcome["message"], outcome["document"]
    if outcome["outcome"] == "rejected":
        messages.error(request, format_html("{}: {}", name, text))
    elif outcome["outcome"] == "created":
        messages.success(request, format_html("{}: {}", name, text))
    else:
        level = messages.WARNING if outcome["outcome"] == "needs_password" else messages.INFO
        messages.add_message(
            request,
            level,
            format_html('{}: {} <a href="{}">Open it</a>.', name, text, document["url"]),
        )
