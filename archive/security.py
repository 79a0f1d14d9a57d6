"""Response headers that Django's own ``SecurityMiddleware`` does not set.

Django sets ``X-Content-Type-Options``, ``Referrer-Policy`` and ``Cross-Origin-Opener-Policy``
(see ``SECURE_*`` in ``archive.settings``) and ``XFrameOptionsMiddleware`` sets
``X-Frame-Options``. This adds a Content Security Policy and a Permissions Policy, and
``Cache-Control: no-store, private`` on every answer for a logged-in user and every API answer
(which may carry a token or a user's data): neither a shared cache nor the browser's disk may
keep them, so nothing of a user's archive is left behind after logout. A view that sets its
own ``Cache-Control`` keeps it (page images by page id are immutable and cached privately).

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
        if "Cache-Control" not in response.headers and _private(request):
            response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
        return response


#: What a private answer (see the module docstring) says to caches.
PRIVATE_CACHE_CONTROL = "no-store, private"


def _private(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    # API clients authenticate by token inside the API's own views (request.user above is the
    # session's): every API answer counts as private.
    return request.path_info.startswith("/api/") or "HTTP_AUTHORIZATION" in request.META
