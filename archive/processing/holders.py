"""Who holds a job, and taking over at once the jobs of this host's worker processes that died.

A lease names its holder (``PageJob.holder``): ``host:pid@instance``, where ``instance`` tells
this machine's boot and PID namespace apart from every other (a hash of the kernel's boot id
and the PID namespace's inode), so that the same host name and pid on another machine or in
another container never match. A lease normally goes to another worker only when it runs out
(``OCR_LEASE_SECONDS`` after its last renewal). But when its holder is a process of *this*
instance that no longer exists (SIGKILLed, out of memory), nobody can renew it any more, and
waiting for it to run out only delays the page: ``expire_dead_holders`` ends such leases now.

Only certain deaths count: a pid that does not exist, or a zombie (killed, not yet reaped).
A live process, a pid taken again by another process, a holder of another machine or
container, or an instance that cannot be told (no ``/proc``) keeps its lease until it runs out
as before; so a healthy worker's job is never taken from it.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import socket
import uuid
from pathlib import Path

from django.db import connection

_logger = logging.getLogger(__name__)


@functools.cache
def _instance() -> str:
    """This machine's boot and PID namespace, hashed short; "" where they cannot be read."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return ""
    return hashlib.sha256(f"{boot}/{namespace}".encode()).hexdigest()[:12]


def holder_name(pid: int | None = None) -> str:
    """The holder a lease taken by process ``pid`` (default: this one) records."""
    host = socket.gethostname()[:60]
    return f"{host}:{pid if pid is not None else os.getpid()}@{_instance()}"


def _gone(pid: int) -> bool:
    """True if process ``pid`` of this PID namespace no longer runs (absent, or a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it exists (another user's process)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False  # it answered a signal: it exists
    # "pid (comm) state ...": comm may hold spaces and parentheses; the state follows the last.
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def expire_dead_holders() -> int:
    """End now the live leases held by processes of this instance that no longer run, so the
    next claim takes their jobs over (and sends the ticket that died with them); returns how
    many. A lease renewed or taken meanwhile is left alone (matched by its token)."""
    instance = _instance()
    if not instance:
        return 0
    prefix = f"{socket.gethostname()[:60]}:"
    suffix = f"@{instance}"
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id, lease_token, holder FROM archive_pagejob
            WHERE lease_until > clock_timestamp() AND holder LIKE %(pattern)s
            """,
            {"pattern": _like(prefix) + "%" + _like(suffix)},
        )
        rows = cursor.fetchall()
    dead: list[tuple[int, uuid.UUID]] = []
    for job, token, holder in rows:
        pid = holder[len(prefix) : -len(suffix)]
        if pid.isdigit() and int(pid) != os.getpid() and _gone(int(pid)):
            dead.append((job, token))
    expired = 0
    with connection.cursor() as cursor:
        for job, token in dead:
            cursor.execute(
                """
                UPDATE archive_pagejob SET lease_until = clock_timestamp()
                WHERE id = %(job)s AND lease_token = %(token)s
                  AND lease_until > clock_timestamp()
                """,
                {"job": job, "token": token},
            )
            if cursor.rowcount:
                _logger.warning("job %s: its worker process is gone; taking it over now", job)
                expired += 1
    return expired


def _like(text: str) -> str:
    """``text`` as a literal part of a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
