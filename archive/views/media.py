"""Stored files, served only after the access check: page images, thumbnails, originals and
searchable PDFs."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from archive import selectors
from archive.exports import ExportUnavailable, download_name, searchable_pdf
from archive.models import Page, storage_name


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
@require_GET
def document_searchable_pdf(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The document's searchable PDF (made on first request, then cached), as a download.
    A document that has none to give yet answers 409 with the reason in words."""
    document = selectors.document_get(user=request.user, pk=pk)
    try:
        name = searchable_pdf(document)
    except ExportUnavailable as error:
        return HttpResponse(str(error), status=409, content_type="text/plain; charset=utf-8")
    response = FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=download_name(document),
        content_type="application/pdf",
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response
