"""Web UI views: thin functions that parse the request, call a selector or service, render.

Every document-specific view gets its document through ``archive.selectors``, which answers
404 for anything that is not the user's own.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from archive import selectors
from archive.documents import (
    document_delete,
    document_rename,
    document_rerun,
    document_set_password,
)
from archive.filenames import clean_filename
from archive.forms import PdfPasswordForm, RenameForm, SearchForm, UploadForm
from archive.ingest import FileTooLarge, UploadRejected, document_create
from archive.models import Document, Page, storage_name
from archive.search import document_search

_PAGE_SIZE = 50


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """The user's documents, newest first, with the upload form."""
    return _library_page(request)


def _library_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    paginator = Paginator(selectors.document_list(user=request.user), _PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request, "archive/library.html", {"page": page, "form": UploadForm()}, status=status
    )


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Accept one or many files; each is stored, found to be a duplicate, or rejected.

    Each file's outcome is a message on the next page. The answer is a redirect, except when
    every file was refused for its size alone: then the library page itself comes back with
    status 413 (Content Too Large), so the refusal is visible to scripts as well as people.
    The optional password is tried on PDFs that need one (``document_create``).
    """
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("library")
    results = []
    too_large = 0
    files = form.cleaned_data["scans"]
    for upload_file in files:
        # Django already drops directories from uploaded names; document_create cleans the
        # rest, and the messages show the name as it will be stored.
        name = clean_filename(upload_file.name or "")
        try:
            result = document_create(
                owner=request.user,  # type: ignore[arg-type]
                upload=upload_file,
                name=upload_file.name or "",
                language=form.cleaned_data["language"],
                password=form.cleaned_data["password"],
            )
        except UploadRejected as error:
            too_large += isinstance(error, FileTooLarge)
            messages.error(request, format_html("{}: {}", name, str(error)))
            continue
        results.append(result)
        document = result.document
        if result.created and document.status == Document.Status.NEEDS_PASSWORD:
            messages.warning(
                request,
                format_html(
                    '{}: stored, not read yet. {} <a href="{}">Open it</a>.',
                    name,
                    document.error,
                    document.get_absolute_url(),
                ),
            )
        elif result.created:
            messages.success(request, format_html("{}: uploaded, OCR queued.", name))
        else:
            messages.info(
                request,
                format_html(
                    '{}: you already have this file as <a href="{}">{}</a>.',
                    name,
                    result.document.get_absolute_url(),
                    result.document.title,
                ),
            )
    if too_large == len(files):
        return _library_page(request, status=413)
    # One file that is already in the archive: take the user to it.
    if len(results) == 1 and not results[0].created and len(files) == 1:
        return redirect(results[0].document)
    return redirect("library")


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One document: its pages' images beside their recognised text."""
    document = selectors.document_get(user=request.user, pk=pk)
    pages = selectors.document_pages(document)
    return render(
        request,
        "archive/document.html",
        {
            "document": document,
            "pages": pages,
            "rename_form": RenameForm(initial={"title": document.title}),
        },
    )


@login_required
@require_GET
def document_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status badge alone, polled by htmx until the document is finished."""
    document = selectors.document_get(user=request.user, pk=pk)
    response = render(request, "archive/_status.html", {"document": document})
    if document.is_finished and request.GET.get("reload"):
        # The detail page shows pages and text that appeared meanwhile: reload it once.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def page_image(request: HttpRequest, pk: int, number: int) -> FileResponse:
    """A page's display image, read through the storage API after the access check."""
    page = selectors.page_get(user=request.user, document_pk=pk, number=number)
    return _page_file(request, page, storage_name(page.image))


@login_required
@require_GET
def page_thumbnail(request: HttpRequest, pk: int, number: int) -> FileResponse:
    """A page's small preview (pages saved before thumbnails existed get the full image)."""
    page = selectors.page_get(user=request.user, document_pk=pk, number=number)
    return _page_file(request, page, page.thumbnail.name or storage_name(page.image))


def _page_file(request: HttpRequest, page: Page, name: str) -> FileResponse:
    """Serve a page's stored image. A page's images never change (a re-run saves a new page
    row), so a URL that names the page row (``?v=<page id>``) is cached for good; without it
    the browser must ask again, or it could show the page of a run since replaced."""
    response = FileResponse(default_storage.open(name, "rb"), content_type="image/webp")
    if request.GET.get("v") == str(page.pk):
        patch_cache_control(response, private=True, max_age=31_536_000, immutable=True)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_GET
def document_original(request: HttpRequest, pk: int) -> FileResponse:
    """Download the original file exactly as it was uploaded."""
    document = selectors.document_get(user=request.user, pk=pk)
    stored = storage_name(document.original)
    name = document.original_name or PurePath(stored).name
    return FileResponse(
        default_storage.open(stored, "rb"),
        as_attachment=True,
        filename=name,
        content_type=document.mime_type or mimetypes.guess_type(name)[0],
    )


@login_required
@require_POST
def document_rerun_view(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(user=request.user, pk=pk)
    document_rerun(document, from_scratch=request.POST.get("from_scratch") == "1")
    messages.success(request, "OCR queued again.")
    return redirect(document)


@login_required
@require_POST
def document_password_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the password of a PDF stored without it; OCR is queued once it opens the file."""
    document = selectors.document_get(user=request.user, pk=pk)
    form = PdfPasswordForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter the PDF's password.")
        return redirect(document)
    try:
        document_set_password(document, form.cleaned_data["password"])
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The password opens the PDF. OCR queued.")
    return redirect(document)


@login_required
@require_POST
def document_rename_view(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(user=request.user, pk=pk)
    form = RenameForm(request.POST)
    if form.is_valid() and form.cleaned_data["title"].strip():
        document_rename(document, form.cleaned_data["title"])
        messages.success(request, "Renamed.")
    else:
        messages.error(request, "A title cannot be empty.")
    return redirect(document)


@login_required
@require_http_methods(["GET", "POST"])
def document_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the document and its files."""
    document = selectors.document_get(user=request.user, pk=pk)
    if request.method == "POST":
        title = document.title
        document_delete(document)
        messages.success(request, f"Deleted “{title}”.")
        return redirect("library")
    return render(request, "archive/confirm_delete.html", {"document": document})


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search the user's documents; 20 hits a page, best first unless sorted otherwise."""
    form = SearchForm(request.GET)
    valid = form.is_valid()
    query = form.cleaned_data.get("q", "").strip() if valid else ""
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    per_page = 20
    hits = (
        document_search(
            user=request.user,
            query=query,
            limit=per_page + 1,
            offset=(page_number - 1) * per_page,
            filters=form.filters(),
            sort=form.cleaned_data.get("sort") or "relevance",
        )
        if query
        else []
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "query": query,
        "hits": hits[:per_page],
        "page_number": page_number,
        "first_rank": (page_number - 1) * per_page + 1,
        "has_next": len(hits) > per_page,
        "params": params.urlencode(),
    }
    return render(request, "archive/search.html", context)
