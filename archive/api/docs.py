"""The browsable API docs page (Swagger UI, served from the local drf-spectacular-sidecar)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.response import Response

from archive.security import CONTENT_SECURITY_POLICY


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI under the app's Content Security Policy, with one relaxation.

    The split view serves Swagger UI's start-up script as a file, so scripts stay
    ``'self'``-only; but its page template carries an inline ``<style>``, so this page alone
    allows inline styles (styles cannot run code).
    """

    @extend_schema(exclude=True)  # as on the parent's get: the docs page is not an operation
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Response:
        # drf-spectacular leaves this view method unannotated
        response: Response = super().get(request, *args, **kwargs)  # type: ignore[no-untyped-call]
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", "style-src 'self' 'unsafe-inline'"
        )
        return response
