"""Whether the replica may answer a read, measured on the replica at the moment of the read.

One query on the replica (``replica_status``) reads its replay position and lag; ``choose``
turns it into the alias for a session's reads:

- **down**: it cannot be reached within its connect timeout, is not streaming from the primary
  (no WAL receiver: a replica cut off from its primary would look up to date forever), or is
  no longer a replica (promoted). A failed connection keeps the replica out for
  ``REPLICA_RETRY_SECONDS``, so a dead replica costs one timeout per process and period, not
  one per request.
- **lagging**: its replay is more than ``REPLICA_MAX_LAG_SECONDS`` behind what it received
  (``now() - pg_last_xact_replay_timestamp()`` while received WAL waits to be replayed).
- **pinned**: the session wrote at a WAL position (``primary_lsn`` after the write) the replica
  has not replayed yet: its reads stay on the primary until ``pg_last_wal_replay_lsn()`` has
  passed it. The comparison is exact: no clock, no guessed delay.

Each refusal reads from the primary; a change of state (down, lagging, back) is logged once.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, connections

from archive.replica.config import REPLICA

logger = logging.getLogger("archive.replica")

_STATUS_SQL = """
    SELECT pg_is_in_recovery(),
           pg_last_wal_replay_lsn()::text,
           CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()
                THEN 0.0
                ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0.0)
           END::float8,
           EXISTS (SELECT FROM pg_stat_wal_receiver),
           %s::pg_lsn IS NULL OR pg_last_wal_replay_lsn() >= %s::pg_lsn
"""


@dataclass(frozen=True)
class Status:
    """The replica as one query saw it."""

    in_recovery: bool
    replay_lsn: str | None
    lag_seconds: float
    streaming: bool
    #: Replayed past the position asked about (True when none was asked about).
    replayed: bool


@dataclass(frozen=True)
class Choice:
    """Where a session's reads go, and why: ``reason`` is ``replica``, ``not configured``,
    ``down``, ``lagging`` or ``pinned``."""

    alias: str
    reason: str
    lag_seconds: float | None = None


# Per process: until when (monotonic clock) the replica is kept out after a failed connection,
# and the last state logged, so that a change is logged once rather than on every request.
_down_until = 0.0
_last_state = "replica"


def configured() -> bool:
    """True when ``DATABASE_REPLICA_URL`` gave the ``replica`` alias (``READ_FROM_REPLICA``)."""
    return bool(getattr(settings, "READ_FROM_REPLICA", False))


def primary_lsn() -> str:
    """The primary's current WAL write position (``pg_current_wal_lsn()``): past the commit
    record of every transaction committed before the call."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return str(cursor.fetchone()[0])


def replica_status(after_lsn: str | None = None) -> Status:
    """The replica's state now; ``replayed`` says whether it replayed past ``after_lsn``.
    Raises the connection's error when the replica cannot be reached."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(_STATUS_SQL, [after_lsn, after_lsn])
        in_recovery, replay_lsn, lag, streaming, replayed = cursor.fetchone()
    return Status(bool(in_recovery), replay_lsn, float(lag), bool(streaming), bool(replayed))


def mark_down(error: BaseException) -> None:
    """Keep the replica out for ``REPLICA_RETRY_SECONDS`` after ``error``, closing its
    connection so that the next try connects anew."""
    global _down_until
    _down_until = time.monotonic() + float(getattr(settings, "REPLICA_RETRY_SECONDS", 30))
    with contextlib.suppress(DatabaseError, InterfaceError):  # a broken one may fail to close
        connections[REPLICA].close()
    _log_state("down", f"the replica failed ({_first_line(error)}): reading from the primary")


def reset() -> None:
    """Forget a failure (tests, and after an operator brings the replica back)."""
    global _down_until, _last_state
    _down_until = 0.0
    _last_state = "replica"


def choose(pin_lsn: str | None = None) -> Choice:
    """The alias for reads of a session whose last write is at ``pin_lsn`` (None: it wrote
    nothing, or so long ago that it does not matter), and why (see the module note)."""
    if not configured():
        return Choice(DEFAULT_DB_ALIAS, "not configured")
    if time.monotonic() < _down_until:
        return Choice(DEFAULT_DB_ALIAS, "down")
    try:
        status = replica_status(pin_lsn)
    except (DatabaseError, InterfaceError) as error:
        mark_down(error)
        return Choice(DEFAULT_DB_ALIAS, "down")
    if not status.in_recovery:
        _log_state("down", "the replica is not in recovery (promoted?): reading from the primary")
        return Choice(DEFAULT_DB_ALIAS, "down", status.lag_seconds)
    if not status.streaming:
        _log_state("down", "the replica is not streaming from the primary: reading from it")
        return Choice(DEFAULT_DB_ALIAS, "down", status.lag_seconds)
    limit = float(getattr(settings, "REPLICA_MAX_LAG_SECONDS", 10))
    if status.lag_seconds > limit:
        _log_state(
            "lagging",
            f"the replica is {status.lag_seconds:.1f} s behind (REPLICA_MAX_LAG_SECONDS="
            f"{limit:g}): reading from the primary",
        )
        return Choice(DEFAULT_DB_ALIAS, "lagging", status.lag_seconds)
    _log_state("replica", "the replica is back: search and library read from it")
    if not status.replayed:
        # Normal operation right after a write: not worth a log line per request.
        logger.debug("session pinned to the primary until the replica replays %s", pin_lsn)
        return Choice(DEFAULT_DB_ALIAS, "pinned", status.lag_seconds)
    return Choice(REPLICA, "replica", status.lag_seconds)


def _log_state(state: str, message: str) -> None:
    global _last_state
    if state != _last_state:
        _last_state = state
        (logger.info if state == "replica" else logger.warning)(message)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
