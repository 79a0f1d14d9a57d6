"""The project's 500 handler: a database outage is a 503 that says so, not "something broke".

While PostgreSQL restarts or the network to it is down, every request that touches the
database fails with ``OperationalError``/``InterfaceError``. Nothing was changed (the request's
transaction never committed), so the honest answer is "temporarily unavailable, try again",
with ``Retry-After``. Django calls this handler inside its exception handling, so the
exception is the one being handled (``sys.exc_info``), wherever it was raised: in a view or in
a middleware (the session save).
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext_lazy
from django.views import defaults

UNAVAILABLE = gettext_lazy(
    "The archive's database cannot be reached right now, so nothing was changed. "
    "Please try again in a minute."
)
RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    api = request.path.startswith("/api/")
    if isinstance(error, OperationalError | InterfaceError):
        if api:
            response: HttpResponse = JsonResponse({"detail": UNAVAILABLE}, status=503)
        else:
            body = loader.get_template("503.html").render({"message": UNAVAILABLE})
            response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if api:
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return defaults.server_error(request)
