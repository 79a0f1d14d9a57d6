"""Stored files, served only after the access check: page images, thumbnails, originals,
searchable PDFs and OCR files (hOCR, ALTO).

The responses themselves (headers, caching, attachment names) are ``archive.downloads``'s,
shared with the REST API, which does its own authentication and the same selector-based access
check.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from archive import selectors
from archive.downloads import (
    PREPARING_REFRESH,
    ocr_file_response,
    original_response,
    page_file_response,
    searchable_pdf_response,
    thumbnail_name,
)
from archive.exports import ExportPending, ExportUnavailable
from archive.models import storage_name
from archive.ocr_files import OCR_FILE_FORMATS, document_ocr_file, page_ocr_file


@login_required
@require_GET
def page_image(request: HttpRequest, pk: int, number: int) -> HttpResponseBase:
    """A page's display image, read through the storage API after the access check."""
    page = selectors.page_get(user=request.user, document_pk=pk, number=number)
    return page_file_response(request, page, storage_name(page.image))


@login_required
@require_GET
def page_thumbnail(request: HttpRequest, pk: int, number: int) -> HttpResponseBase:
    """A page's small preview (pages saved before thumbnails existed get the full image)."""
    page = selectors.page_get(user=request.user, document_pk=pk, number=number)
    return page_file_response(request, page, thumbnail_name(page))


@require_GET
def staff_page_image(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A page's image for the admin's review screen, for any owner's document.

    Not routed in ``archive.urls``: ``archive.admin`` mounts it inside the admin site
    (``AdminSite.admin_view``: active staff only), and ``selectors.staff_page_get`` also
    requires the admin's ``archive.view_page`` permission. Outside the admin, staff see their own
    documents' pages only, through ``page_image`` like everyone else.
    """
    page = selectors.staff_page_get(user=request.user, pk=pk)
    return page_file_response(request, page, storage_name(page.image))


@login_required
@require_GET
def document_original(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Download the original file exactly as it was uploaded."""
    document = selectors.document_get(user=request.user, pk=pk)
    return original_response(document)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on pages without an icon link (the admin's)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@login_required
@require_GET
def document_searchable_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The document's searchable PDF as a download once the worker has built it; until then
    202 with a "being prepared" page that refreshes itself (the first request queues the
    build). A document that has none to give answers 409 with the reason in words."""
    document = selectors.document_get(user=request.user, pk=pk)
    try:
        return searchable_pdf_response(document)
    except ExportPending as pending:
        response = render(
            request,
            "archive/preparing.html",
            {"document": document, "pending": pending, "refresh": PREPARING_REFRESH},
            status=202,
        )
        # The Refresh header reloads the page without any script (the CSP allows none inline).
        response["Refresh"] = str(PREPARING_REFRESH)
        return response
    except ExportUnavailable as error:
        return HttpResponse(str(error), status=409, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def document_ocr_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The whole document as an hOCR or ALTO file (``fmt``), with its corrected text; 409
    with the reason while it is not done, 404 for a format there is none of."""
    document = selectors.document_get(user=request.user, pk=pk)
    if fmt not in OCR_FILE_FORMATS:
        raise Http404("No such format.")
    try:
        return ocr_file_response(document_ocr_file(document, fmt))
    except ExportUnavailable as error:
        return HttpResponse(str(error), status=409, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def page_ocr_download(request: HttpRequest, pk: int, number: int, fmt: str) -> HttpResponse:
    """One page as an hOCR or ALTO file (``fmt``), with its corrected text."""
    page = selectors.page_get(user=request.user, document_pk=pk, number=number)
    if fmt not in OCR_FILE_FORMATS:
        raise Http404("No such format.")
    return ocr_file_response(page_ocr_file(page, fmt))
