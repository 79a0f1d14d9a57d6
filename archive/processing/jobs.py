"""The fair OCR queue: each step of a document's OCR is a ``PageJob`` row, handed out fairly.

django-q2 delivers *tickets* (``archive.tasks.process_next``) that name no page: a worker
that runs one takes the job that comes first now (``claim``). So the order in which the queue's
tasks were written does not decide what is read next; the jobs' order does:

1. **Priority**: interactive uploads (web, API) before bulk imports and re-runs.
2. **Fair share** (start-time fair queueing, one page = one unit): a job's ``tag`` is where its
   owner's share reaches it. A user with nothing waiting starts just before the next job due,
   a user with jobs waiting continues after their own last one; so users take turns page by
   page, and a one-page scan waits for at most the pages being read when it arrived (one per
   worker), however many pages another user has queued.
3. Within one owner and priority, first come first served (tag, then id).

Each queued job has a ticket; a ticket that finds nothing to claim does nothing. Tickets lost
with their worker are replaced: by the claim that takes over an expired lease, and by
``sweep`` for the expired leases nobody claimed and the jobs whose ticket never arrived.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum

from archive.models import Document, PageJob
from archive.processing.enqueue import send_tickets, tickets_waiting
from archive.processing.holders import expire_dead_holders, holder_name

Priority = PageJob.Priority


@dataclass(frozen=True)
class Lease:
    """A job held by this worker: ``token`` proves it (``leases``) until the lease runs out."""

    job: int
    token: uuid.UUID
    #: The document whose job this is; None for a page of an OCR service job.
    document_id: int | None
    run: int
    number: int
    priority: int
    #: The job was held by a worker whose lease ran out (it died, or lost the database).
    taken_over: bool
    #: The OCR service job (``archive.ocr_service``) whose page this is; None for a document.
    ocr_job_id: uuid.UUID | None = None


def queue_document(document: Document, *, priority: int, pages: int = 1) -> None:
    """Queue the opening of ``document`` (job 0: count its pages, queue them) as a new run,
    dropping the jobs of its earlier runs; its ticket is sent when the transaction commits.

    ``pages`` is the file's page count where known (an upload's check counts them): the queued
    pages an upload adds to its owner's total (``queued_pages``).
    """
    with transaction.atomic():
        PageJob.objects.filter(document=document).delete()
        PageJob.objects.create(
            document=document,
            owner_id=document.owner_id,
            number=0,
            priority=priority,
            tag=_start_tag(document.owner_id, priority),
            pages=pages,
        )
        transaction.on_commit(lambda: send_tickets(1))


def queue_pages(
    document: Document, run: int, numbers: Iterable[int], *, priority: int, tickets: bool = True
) -> int:
    """Queue reading pages ``numbers`` of run ``run`` (those queued already are left as they
    are) and send a ticket for each new job unless ``tickets`` is False; returns how many."""
    created = _insert(
        document.owner_id, numbers, priority=priority, document_id=document.pk, run=run
    )
    if tickets:
        send_tickets(created)
    return created


def queue_ocr_job(
    job_id: uuid.UUID,
    owner_id: int,
    numbers: Iterable[int],
    *,
    priority: int = Priority.INTERACTIVE,
    tickets: bool = True,
) -> int:
    """Queue reading pages ``numbers`` of OCR service job ``job_id`` of ``owner_id``, in the
    owner's fair share like a document's pages (pages queued already are left as they are);
    unless ``tickets`` is False, a ticket per new job is sent when the transaction commits.
    Returns how many jobs were queued."""
    created = _insert(owner_id, numbers, priority=priority, ocr_job_id=job_id)
    if tickets:
        transaction.on_commit(lambda: send_tickets(created))
    return created


def _insert(
    owner_id: int,
    numbers: Iterable[int],
    *,
    priority: int,
    document_id: int | None = None,
    run: int = 0,
    ocr_job_id: uuid.UUID | None = None,
) -> int:
    """Insert a job per page number (of a document's run, or of an OCR job) at the owner's
    next places in the fair share; pages queued already are skipped. Returns how many."""
    numbers = list(numbers)
    if not numbers:
        return 0
    start = _start_tag(owner_id, priority)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO archive_pagejob
              (document_id, ocr_job_id, owner_id, run, number, priority, tag, pages, holder,
               created)
            SELECT %(document)s, %(ocr_job)s, %(owner)s, %(run)s, page, %(priority)s,
                   %(start)s + place - 1, 1, '', clock_timestamp()
            FROM unnest(%(numbers)s::integer[]) WITH ORDINALITY AS queued(page, place)
            ON CONFLICT DO NOTHING
            """,
            {
                "document": document_id,
                "ocr_job": ocr_job_id,
                "owner": owner_id,
                "run": run,
                "priority": priority,
                "start": start,
                "numbers": numbers,
            },
        )
        inserted: int = cursor.rowcount
        return inserted


def _start_tag(owner_id: int, priority: int) -> int:
    """The fair-share tag of the next job of ``owner_id`` at ``priority`` (module docstring)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT
              (SELECT min(tag) FROM archive_pagejob WHERE priority = %(p)s
                 AND (lease_until IS NULL OR lease_until < clock_timestamp())),
              (SELECT max(tag) FROM archive_pagejob WHERE priority = %(p)s),
              (SELECT max(tag) FROM archive_pagejob WHERE priority = %(p)s AND owner_id = %(o)s)
            """,
            {"p": priority, "o": owner_id},
        )
        next_due, highest, own_last = cursor.fetchone()
    # Just before the next job due, so that a newcomer goes next; after the last job when
    # nothing waits.
    base = next_due - 1 if next_due is not None else (highest + 1 if highest is not None else 0)
    return base if own_last is None else max(base, own_last + 1)


def claim(
    *,
    document_id: int | None = None,
    number: int | None = None,
    ocr_job_id: uuid.UUID | str | None = None,
) -> Lease | None:
    """Take the job that comes first (or the given one: job ``number`` of ``document_id`` or
    page ``number`` of ``ocr_job_id``) if no live lease holds it; None if there is none. Two
    workers never get the same job: the row is locked, skipped by the others, and leased in
    one statement."""
    token = uuid.uuid4()
    only = ""  # one of three constant strings: no value is ever formatted into the SQL
    params: dict[str, Any] = {
        "token": token,
        "seconds": settings.OCR_LEASE_SECONDS,
        "holder": holder_name()[:100],
    }
    if document_id is not None:
        only = "AND document_id = %(document)s AND number = %(number)s"
        params.update(document=document_id, number=number or 0)
    elif ocr_job_id is not None:
        only = "AND ocr_job_id = %(ocr_job)s AND number = %(number)s"
        params.update(ocr_job=str(ocr_job_id), number=number or 1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH next AS (
              SELECT id, lease_until IS NOT NULL AS taken_over FROM archive_pagejob
              WHERE (lease_until IS NULL OR lease_until < clock_timestamp()) {only}
              ORDER BY priority, tag, id
              LIMIT 1
              FOR UPDATE SKIP LOCKED
            )
            UPDATE archive_pagejob AS job
            SET lease_token = %(token)s,
                lease_until = clock_timestamp() + %(seconds)s * interval '1 second',
                holder = %(holder)s
            FROM next WHERE job.id = next.id
            RETURNING job.id, job.document_id, job.run, job.number, job.priority,
                      next.taken_over, job.ocr_job_id
            """,
            params,
        )
        row = cursor.fetchone()
    if row is None:
        return None
    job, document, run, page, priority, taken_over, ocr_job = row
    return Lease(job, token, document, run, page, priority, taken_over, ocr_job)


def release(lease: Lease) -> None:
    """The job is done (or will never be): delete it, if this lease still holds it."""
    PageJob.objects.filter(pk=lease.job, lease_token=lease.token).delete()


def sweep(*, missing: bool = True) -> int:
    """Hand the jobs of dead workers to live ones: every lease that ran out, or whose holder
    is a process of this host that is gone (``holders``), is cleared and gets a ticket, and
    (``missing``) jobs waiting without a ticket get one: lost by the broker, or held by a dead
    cluster until the broker's retry time. Returns the tickets sent.

    Run every ``LEASE_SWEEP_SECONDS`` by ``serve``, every minute by a schedule, and by the
    heartbeat of every busy worker (``missing=False``: counting tickets taken in advance as
    missing, each sweep may send a few tickets that find nothing to do)."""
    expire_dead_holders()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE archive_pagejob SET lease_token = NULL, lease_until = NULL, holder = ''
            WHERE id IN (
              SELECT id FROM archive_pagejob WHERE lease_until < clock_timestamp()
              FOR UPDATE SKIP LOCKED
            )
            """
        )
        expired: int = cursor.rowcount
        cursor.execute("SELECT count(*) FROM archive_pagejob WHERE lease_until IS NULL")
        waiting = cursor.fetchone()[0]
    send_tickets(expired)
    lacking = waiting - tickets_waiting() if missing else 0
    if lacking > 0:
        send_tickets(lacking)
    return expired + max(lacking, 0)


def queued_pages(owner_id: int) -> int:
    """Pages of ``owner_id`` waiting for OCR or being read (an unopened file counts its pages),
    documents' and OCR service jobs' alike."""
    total = PageJob.objects.filter(owner_id=owner_id).aggregate(pages=Sum("pages"))["pages"]
    return int(total or 0)
