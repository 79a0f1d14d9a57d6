"""The API's reads on the read replica, as the web's search and library (``archive.replica``).

A DRF view authenticates inside the view (a token's user is known only then), so the choice
of the replica, which depends on the user's last write, is made in ``initial``, after
authentication, permissions and throttling (all on the primary), and holds for the handler.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.replica.config import REPLICA
from archive.replica.freshness import choose
from archive.replica.requests import after_failure, request_pin
from archive.replica.routing import read_alias, read_from, reading_scope

_READS = frozenset({"GET", "HEAD"})


class ReplicaReads(APIView):
    """A view whose GET (or, on a viewset, whose ``replica_actions``) only reads: its reads
    go to the replica when ``choose`` allows it for the client (its session's last write, or
    for a token client its user's: ``archive.replica.requests``), else to the primary. A
    read failing on the replica (connection lost, a query cancelled by replay) answers again
    from the primary, as the web's views do. ``request.replica_choice`` tells where the view
    read and why (``archive.replica.requests.read_choice``)."""

    #: The viewset actions that read from the replica; None: every GET of the view.
    replica_actions: ClassVar[frozenset[str] | None] = None

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # The choice made in ``initial`` ends with the request, however it ends.
        with reading_scope():
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        action = getattr(self, "action", None)
        if request.method not in _READS or (
            self.replica_actions is not None and action not in self.replica_actions
        ):
            return
        choice = choose(request_pin(request._request, request.user))
        request._request.replica_choice = choice  # type: ignore[attr-defined]
        if choice.alias == REPLICA:
            read_from(REPLICA)

    def handle_exception(self, exc: Exception) -> Response:
        if not isinstance(exc, DatabaseError | InterfaceError) or read_alias() != REPLICA:
            return super().handle_exception(exc)
        # The handler only reads: run it again on the primary (which raises again if the
        # fault was there), and keep the replica out if it is the one that failed.
        after_failure(exc)
        read_from(DEFAULT_DB_ALIAS)
        request = self.request
        try:
            handler = getattr(self, (request.method or "get").lower())
            response: Response = handler(request, *self.args, **self.kwargs)
        except Exception as again:
            return super().handle_exception(again)
        return response
