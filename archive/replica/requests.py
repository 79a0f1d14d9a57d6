"""The request side: remember a session's writes, and run read-only views on the replica.

``WritePinMiddleware`` (after the session and authentication middleware) records, after each
request of a logged-in session that may have written (any method but GET, HEAD, OPTIONS,
TRACE: uploads, edits, deletes, logins), the primary's WAL position in the session. The
``replica_reads`` views (search, library, autocomplete) then read from the replica only once it
has replayed past that position: the writer sees what it just wrote at once, whatever the lag.

A document's OCR is written later by a worker, not by a request: the library and search show
it from the replica within the lag bound (``REPLICA_MAX_LAG_SECONDS``); its own page and the
status it polls read from the primary.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import psycopg.errors
from django.db import DatabaseError, InterfaceError, connections
from django.http import HttpRequest, HttpResponse

from archive.replica.config import REPLICA
from archive.replica.freshness import choose, configured, mark_down, primary_lsn
from archive.replica.routing import reading_from

#: The session key of the WAL position of the session's last write.
PIN_KEY = "replica_pin_lsn"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

View = Callable[..., HttpResponse]


class WritePinMiddleware:
    """Record the primary's WAL position in the session after a request that may have
    written (see the module note). Does nothing without a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method not in _SAFE
            and configured()
            and hasattr(request, "session")
            and getattr(getattr(request, "user", None), "is_authenticated", False)
        ):
            request.session[PIN_KEY] = primary_lsn()
        return response


def session_pin(request: HttpRequest) -> str | None:
    """The WAL position of the session's last write, if it recorded one."""
    session = getattr(request, "session", None)
    value = session.get(PIN_KEY) if session is not None else None
    return value if isinstance(value, str) else None


def replica_reads(view: View) -> View:
    """Run ``view`` (read-only: it must not write what it then reads) with its reads on the
    replica when ``archive.replica.freshness.choose`` allows it for the session, else on the
    primary. A replica that fails during the view (connection lost, a query cancelled by a
    conflict with recovery) is kept out and the view runs again on the primary."""

    @wraps(view)
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        choice = choose(session_pin(request))
        request.read_from = choice  # type: ignore[attr-defined]
        if choice.alias != REPLICA:
            return view(request, *args, **kwargs)
        try:
            with reading_from(REPLICA):
                return view(request, *args, **kwargs)
        except (DatabaseError, InterfaceError) as error:
            if not _replica_failed(error):
                raise
            mark_down(error)
        return view(request, *args, **kwargs)

    return run


def _replica_failed(error: BaseException) -> bool:
    """True when ``error`` came from the replica: its connection is gone, or a query was
    cancelled because replay needed what it read (a hot standby's conflict)."""
    cause = error.__cause__
    if isinstance(cause, psycopg.errors.SerializationFailure) or "conflict with recovery" in str(
        error
    ):
        return True
    replica = connections[REPLICA]
    return replica.connection is not None and not replica.is_usable()
