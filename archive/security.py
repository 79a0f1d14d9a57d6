"""Response headers that Django's own ``SecurityMiddleware`` does not set.

Django sets ``X-Content-Type-Options``, ``Referrer-Policy`` and ``Cross-Origin-Opener-Policy``
(see ``SECURE_*`` in ``archive.settings``) and ``XFrameOptionsMiddleware`` sets
``X-Frame-Options``. This adds a Content Security Policy and a Permissions Policy.

The policy allows no inline script, no ``eval`` of strings and no third-party origin: every
script and style is a file under ``static/`` (htmx is vendored, its inline indicator style is
switched off in ``base.html``). Page thumbnails and the favicon are ``data:`` or same-origin
images. A view that needs something else must say so on its own response (a response that
already carries a ``Content-Security-Policy`` header keeps it).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The archive needs none of these browser features; denying them limits what injected markup
# could ever ask for.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Add ``Content-Security-Policy`` and ``Permissions-Policy`` to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
