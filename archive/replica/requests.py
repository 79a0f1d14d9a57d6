"""The request side: remember a session's writes, and run read-only views on the replica.

``WritePinMiddleware`` (after the session and authentication middleware) records, after each
request of a logged-in session that may have written (any method but GET, HEAD, OPTIONS,
TRACE: uploads, edits, deletes, logins), the primary's WAL position in the session. The
``replica_reads`` views (search, library, autocomplete) then read from the replica only once it
has replayed past that position: the writer sees what it just wrote at once, whatever the lag.

API clients authenticate with a token and keep no session: their writes' position is kept
for their user instead (``ReplicaPin``, one row a user, on the primary), and the API's
replica views (``archive.api.replica``) compare with that. So every client of the user,
whichever token it uses, reads its writes; the user's web sessions keep their own pins.

A document's OCR is written later by a worker, not by a request: the status its page polls
(from the primary) calls ``pin_to_primary`` when it reports the document finished, so the
search that follows finds the new text even if the replica has not replayed it; a session
that did not watch it finish sees it from the replica within ``REPLICA_MAX_LAG_SECONDS``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

import psycopg.errors
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, connection, connections
from django.http import HttpRequest, HttpResponse

from archive.models import ReplicaPin
from archive.replica.config import REPLICA
from archive.replica.freshness import (
    Choice,
    choose,
    configured,
    mark_down,
    primary_lsn,
    replica_status,
)
from archive.replica.routing import reading_from

logger = logging.getLogger("archive.replica")

#: The session key of the WAL position of the session's last write.
PIN_KEY = "replica_pin_lsn"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

View = Callable[..., HttpResponse]


class WritePinMiddleware:
    """Record the primary's WAL position after a request that may have written (see the
    module note): in the session when the session is logged in, else (a token's request:
    the API's authentication put its user on the request) for the user. Does nothing
    without a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in _SAFE or not configured():
            return response
        user = getattr(request, "user", None)
        if not getattr(user, "is_authenticated", False):
            return response
        if session_logged_in(request):
            request.session[PIN_KEY] = primary_lsn()
        else:
            # Never the session here: a token client sends no cookie back, so a pin kept
            # there would be lost, and each write would leave a session row behind.
            pin_user(user.pk, primary_lsn())  # type: ignore[union-attr]
        return response


def session_logged_in(request: HttpRequest) -> bool:
    """The request's session is a logged-in one (the web), rather than none or an empty one
    beside a token (an API client)."""
    session = getattr(request, "session", None)
    return session is not None and session.get(SESSION_KEY) is not None


def pin_user(user_id: int, lsn: str) -> None:
    """The user's API clients read from the primary until the replica has replayed ``lsn``
    (a later position than the one kept wins: two requests may finish in either order)."""
    users = connection.ops.quote_name(get_user_model()._meta.db_table)
    with connection.cursor() as cursor:
        # Nothing for a user the request deleted (its own account): no row to pin.
        cursor.execute(
            f"""
            INSERT INTO archive_replicapin (user_id, lsn, updated)
            SELECT id, %s, clock_timestamp() FROM {users} WHERE id = %s
            ON CONFLICT (user_id) DO UPDATE
            SET lsn = greatest(archive_replicapin.lsn::pg_lsn, excluded.lsn::pg_lsn)::text,
                updated = excluded.updated
            """,
            [lsn, user_id],
        )


def user_pin(user_id: int) -> str | None:
    """The WAL position of the last write of the user's API clients, if any (read on the
    primary)."""
    pins = ReplicaPin.objects.using(DEFAULT_DB_ALIAS).filter(user_id=user_id)
    lsn: str | None = pins.values_list("lsn", flat=True).first()
    return lsn


def pin_user_to_primary(user: Any) -> None:
    """As ``pin_to_primary``, for the API clients of ``user`` (authenticated). Nothing
    without a replica."""
    if configured() and getattr(user, "is_authenticated", False):
        pin_user(user.pk, primary_lsn())


def request_pin(request: HttpRequest, user: Any) -> str | None:
    """The pin that applies to ``request`` of ``user`` (authenticated, by a session or a
    token): the session's for a logged-in session, else the user's."""
    if session_logged_in(request):
        return session_pin(request)
    if getattr(user, "is_authenticated", False):
        return user_pin(user.pk)
    return None


def pin_to_primary(request: HttpRequest) -> None:
    """The session has just been shown something a worker wrote (a document finished): its
    search and library read from the primary until the replica has replayed that too, as
    after a write of its own. Nothing without a replica or a session."""
    if configured() and hasattr(request, "session"):
        request.session[PIN_KEY] = primary_lsn()


def session_pin(request: HttpRequest) -> str | None:
    """The WAL position of the session's last write, if it recorded one."""
    session = getattr(request, "session", None)
    value = session.get(PIN_KEY) if session is not None else None
    return value if isinstance(value, str) else None


def read_choice(request: HttpRequest) -> Choice | None:
    """Where a ``replica_reads`` view read from for ``request``, and why (None: the view is
    not one of them)."""
    choice = getattr(request, "replica_choice", None)
    return choice if isinstance(choice, Choice) else None


def replica_reads(view: View) -> View:
    """Run ``view`` (read-only: it must not write what it then reads) with its reads on the
    replica when ``archive.replica.freshness.choose`` allows it for the session, else on the
    primary. When a read fails during the view (the replica's connection lost, a query
    cancelled by a conflict with recovery) the view runs again on the primary, and the replica
    is kept out if it is the one that failed (``after_failure``)."""

    @wraps(view)
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        choice = choose(session_pin(request))
        request.replica_choice = choice  # type: ignore[attr-defined]
        if choice.alias != REPLICA:
            return view(request, *args, **kwargs)
        try:
            with reading_from(REPLICA):
                return view(request, *args, **kwargs)
        except (DatabaseError, InterfaceError) as error:
            # From the replica (its connection lost, a query cancelled by a conflict with
            # replay) or from the primary: the view only reads, so it runs again on the
            # primary, which raises again if the fault was there.
            after_failure(error)
        return view(request, *args, **kwargs)

    return run


def after_failure(error: BaseException) -> None:
    """Keep the replica out if it is the one that failed: a conflict with recovery says so;
    otherwise a fresh connection to it must answer (the failed one is closed either way)."""
    if isinstance(error.__cause__, psycopg.errors.SerializationFailure) or (
        "conflict with recovery" in str(error)
    ):
        mark_down(error)
        return
    with contextlib.suppress(DatabaseError, InterfaceError):  # a broken one may fail to close
        connections[REPLICA].close()
    try:
        replica_status()
    except (DatabaseError, InterfaceError):
        mark_down(error)
        return
    logger.warning("a read failed during a replica view (%s): read again from the primary", error)
