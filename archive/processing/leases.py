"""Holding a job while it runs: a heartbeat renews the lease; a lease that cannot be renewed
stops the work before another worker may take the job over.

The lease runs out ``OCR_LEASE_SECONDS`` after its last renewal, by the database's clock. The
heartbeat thread renews it every third of that. When it cannot (the database is unreachable,
or the job was taken over or deleted), the worker gives the job up on its own clock *before*
the database's lease can run out (a fifth of the lease before): it raises ``LeaseLost`` in the
task (via ``SIGUSR1``), and if the task is stuck in a long native call, a worker process ends
itself at the last moment.
So a page is never read by two workers at once, and the saving transaction checks the lease
again (``still_held``) so it is never saved twice either.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q
from django.db.models.functions import Now

from archive.models import PageJob
from archive.processing.jobs import Lease, sweep

_logger = logging.getLogger(__name__)
#: Give up this share of the lease before it would run out by our clock (time to stop and
#: unwind): with renewals every third of the lease, after two renewals in a row failed.
_MARGIN = 0.2


class LeaseLost(BaseException):
    """This worker no longer holds its job: stop, save nothing (another worker may have it).

    A ``BaseException`` so that the pipeline's ``except Exception`` does not take it for a
    problem with the document."""


def still_held(lease: Lease) -> bool:
    """True if ``lease`` still holds its job now (by the database's clock). Call it inside the
    transaction that saves the job's result, after locking the document's row."""
    return PageJob.objects.filter(
        pk=lease.job, lease_token=lease.token, lease_until__gt=Now()
    ).exists()


def renew(lease: Lease, seconds: int | None = None) -> bool:
    """Extend the lease by ``seconds`` (``OCR_LEASE_SECONDS``) from now; False if it no longer
    holds its job (expired, taken over, or the job is gone). Never waits for a row lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE archive_pagejob
            SET lease_until = clock_timestamp() + %(seconds)s * interval '1 second'
            WHERE id = (
              SELECT id FROM archive_pagejob
              WHERE id = %(job)s AND lease_token = %(token)s
                AND lease_until > clock_timestamp()
              FOR UPDATE SKIP LOCKED
            )
            """,
            {
                "job": lease.job,
                "token": lease.token,
                "seconds": seconds or settings.OCR_LEASE_SECONDS,
            },
        )
        return bool(cursor.rowcount == 1)


class _Heartbeat(threading.Thread):
    def __init__(self, lease: Lease) -> None:
        super().__init__(name=f"lease-{lease.job}", daemon=True)
        self.lease = lease
        self.stopped = threading.Event()
        self.lost = threading.Event()
        self.main = threading.main_thread().ident
        self.in_main = threading.current_thread() is threading.main_thread()

    def run(self) -> None:
        seconds = settings.OCR_LEASE_SECONDS
        margin = seconds * _MARGIN
        # The lease was taken (or last renewed) no earlier than now: our deadline is safe.
        deadline = time.monotonic() + seconds - margin
        try:
            while not self.stopped.wait(seconds / 3):
                asked = time.monotonic()
                state = self._renew()
                if state == "held":
                    deadline = asked + seconds - margin
                elif state == "ended":
                    return  # the job ended: its row went with its result (or its document)
                if state == "lost" or time.monotonic() >= deadline:
                    self._give_up()  # taken over or ran out; or unreachable for too long
                    return
        finally:
            connection.close()

    def _renew(self) -> str:
        """Renew the lease; say how it went: "held" (renewed), "lost" (another holds it, or it
        ran out), "ended" (the job is gone) or "unknown" (no answer, or no answer yet)."""
        state = "unknown"
        try:
            state = "held" if renew(self.lease) else self._why_not_renewed()
            # Busy workers hand on the jobs of dead ones too, so that a cluster without
            # ``serve`` recovers as fast while it has work.
            sweep(missing=False)
        except DatabaseError as error:
            _logger.warning("job %s: lease not renewed: %s", self.lease.job, error)
            connection.close()  # a new connection next time
        return state

    def _why_not_renewed(self) -> str:
        """The job's committed row says: gone ("ended"), another holder or ran out ("lost"),
        or still ours: then its row is locked by our own saving transaction ("unknown")."""
        row = (
            PageJob.objects.filter(pk=self.lease.job)
            .annotate(valid=Q(lease_until__gt=Now()))
            .values_list("lease_token", "valid")
            .first()
        )
        if row is None:
            return "ended"
        token, valid = row
        return "unknown" if token == self.lease.token and valid else "lost"

    def _give_up(self) -> None:
        if self.stopped.is_set():
            return  # the job ended meanwhile (its row deleted with its result)
        _logger.warning("job %s: lease lost; stopping its work", self.lease.job)
        self.lost.set()
        if self.in_main and self.main is not None:
            signal.pthread_kill(self.main, signal.SIGUSR1)
        # The task gets until the lease's very end to unwind; a worker process stuck in a
        # native call is ended (its cluster starts another), so it cannot save late.
        margin = settings.OCR_LEASE_SECONDS * _MARGIN
        if not self.stopped.wait(margin / 2) and multiprocessing.parent_process():
            _logger.error(
                "job %s: work did not stop; ending worker %s", self.lease.job, os.getpid()
            )
            os.kill(os.getpid(), signal.SIGKILL)


def _raise_lost(signum: int, frame: FrameType | None) -> None:
    raise LeaseLost


@contextmanager
def held(lease: Lease) -> Iterator[None]:
    """Keep ``lease`` renewed while the block runs; ``LeaseLost`` if it cannot be.

    Inside a transaction (tests that run the pipeline in theirs) nothing else can see the job,
    and another connection could not renew it: the lease is extended once, by as long as a
    job may take, and the block simply runs.
    """
    if connection.in_atomic_block:
        renew(lease, settings.OCR_PAGE_TIMEOUT + settings.OCR_LEASE_SECONDS)
        yield
        return
    heartbeat = _Heartbeat(lease)
    previous = None
    if heartbeat.in_main:
        previous = signal.signal(signal.SIGUSR1, _raise_lost)
    heartbeat.start()
    try:
        yield
    finally:
        heartbeat.stopped.set()
        heartbeat.join()
        if heartbeat.in_main:
            signal.signal(signal.SIGUSR1, previous or signal.SIG_DFL)
    if heartbeat.lost.is_set():
        raise LeaseLost
