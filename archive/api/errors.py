"""Errors as JSON: ``{"detail": "..."}``, or ``{"field": ["..."]}`` for invalid input.

DRF's own handler covers its exceptions, ``Http404`` (the selectors' "No such document.") and
``PermissionDenied``. Django raises ``SuspiciousOperation`` subclasses while parsing a request
it will not take (too many files, a body above ``DATA_UPLOAD_MAX_MEMORY_SIZE``); outside DRF
these become a bare HTML 400, so they are answered here in the API's own form.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus plain-words answers for requests Django refused to parse."""
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    if isinstance(exc, TooManyFilesSent):
        return Response(
            {"detail": "Too many files in one request; send them in smaller batches."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "The request's form fields are too large."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response(
            {"detail": "The request could not be read."}, status=status.HTTP_400_BAD_REQUEST
        )
    return None


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The project's 404 handler: JSON under ``/api/`` (a URL no route matches, such as
    ``/api/documents/abc/``), the web UI's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
