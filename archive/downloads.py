"""Stored files as HTTP responses, for the web views (``archive.views.media``) and the REST API
(``archive.api``) alike.

Every helper here assumes the caller did the access check (a selector of ``archive.selectors``):
they only open the file and set the headers a user's file needs (attachment name, content type,
caching). Below both layers, so the API imports nothing from the web views.

A stored file is streamed from the storage as it is read (on S3 the object's HTTP body, never
the whole file first). With ``MEDIA_REDIRECT_SECONDS`` set and a storage that signs URLs (S3),
the answer is instead a redirect to a URL signed for that many seconds: the access check has
been done by then, and the bytes go from the bucket to the browser without the web process.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from pathlib import PurePath

from django.conf import settings
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from archive.exports import download_name, searchable_pdf_ready
from archive.models import Document, Page, storage_name
from archive.ocr_files import OcrFile
from archive.storage.files import open_stream, signed_url


def thumbnail_name(page: Page) -> str:
    """Storage name of the page's preview: its thumbnail, or the full image for pages saved
    before thumbnails existed."""
    return page.thumbnail.name or storage_name(page.image)


def _redirect(
    name: str, content_type: str, attachment_name: str | None
) -> HttpResponseRedirect | None:
    """A redirect to a signed URL of the stored file ``name`` when configured and possible."""
    seconds = settings.MEDIA_REDIRECT_SECONDS
    if not seconds:
        return None
    url = signed_url(
        name, seconds=seconds, content_type=content_type, attachment_name=attachment_name
    )
    if url is None:
        return None
    response = HttpResponseRedirect(url)
    # The signed URL expires: the redirect itself must never be kept.
    patch_cache_control(response, private=True, no_store=True)
    return response


def _stream(name: str, **options: object) -> FileResponse:
    """A response streaming the stored file ``name`` (``options`` as for ``FileResponse``)."""
    stream, size = open_stream(name)
    response = FileResponse(stream, **options)  # type: ignore[arg-type]
    if size is not None:
        response["Content-Length"] = str(size)
    return response


def page_file_response(request: HttpRequest, page: Page, name: str) -> HttpResponseBase:
    """Serve a page's stored image (the caller did the access check).

    A page's images never change (a re-run saves a new page row), so a URL that names the page
    row (``?v=<page id>``) is cached for good; without it the browser must ask again, or it
    could show the page of a run since replaced."""
    redirect = _redirect(name, "image/webp", None)
    if redirect is not None:
        return redirect
    response = _stream(name, content_type="image/webp")
    if request.GET.get("v") == str(page.pk):
        patch_cache_control(response, private=True, max_age=31_536_000, immutable=True)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response


def original_response(document: Document) -> HttpResponseBase:
    """The original file as an attachment under its uploaded name (the caller did the access
    check)."""
    stored = storage_name(document.original)
    name = document.original_name or PurePath(stored).name
    content_type = document.mime_type or mimetypes.guess_type(name)[0]
    redirect = _redirect(stored, content_type or "application/octet-stream", name)
    if redirect is not None:
        return redirect
    response = _stream(stored, as_attachment=True, filename=name, content_type=content_type)
    # A user's file: never kept by a cache (see archive.security).
    patch_cache_control(response, private=True, no_store=True)
    return response


#: Seconds after which the "being prepared" page (and an API client, by ``Retry-After``)
#: asks again.
PREPARING_REFRESH = 3


def ocr_file_response(file: OcrFile) -> HttpResponse:
    """``file`` as a private, uncached attachment (the text can change with a correction)."""
    response = HttpResponse(file.data, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    patch_cache_control(response, private=True, no_cache=True)
    return response


def searchable_pdf_response(document: Document) -> HttpResponseBase:
    """The document's searchable PDF as an attachment (the caller did the access check);
    ``ExportPending`` while it is being prepared, ``ExportUnavailable`` when the document has
    none to give."""
    name = searchable_pdf_ready(document)
    redirect = _redirect(name, "application/pdf", download_name(document))
    if redirect is not None:
        return redirect
    response = _stream(
        name, as_attachment=True, filename=download_name(document), content_type="application/pdf"
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def zip_response(chunks: Iterator[bytes], count: int) -> StreamingHttpResponse:
    """A zip of ``count`` files, streamed from ``chunks`` as they are written
    (``archive.organize.bulk_download.zip_stream``; the caller did the access check), as an
    attachment ``documents-<count>.zip`` that no cache keeps."""
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, f"documents-{count}.zip")
    patch_cache_control(response, private=True, no_store=True)
    return response
