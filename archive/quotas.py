"""Per-user limits on the work one user may have waiting: OCR pages, OCR service jobs.

Both ways work comes in (an upload to the archive, ``archive.ingest``; a call of the OCR
service, ``archive.ocr_service``) meet the same share of the fair OCR queue: the pages one
user may have waiting or being read (``OCR_QUEUED_PAGES_PER_USER``), documents' and OCR
jobs' pages alike.

**Checked under a lock.** Counting what a user has waiting and then adding to it are two
statements: parallel requests of one user could all count the same total and pass the limit
together. So the request that adds work takes the user's quota lock (``owner_lock``, a
PostgreSQL advisory lock held until its transaction ends), counts again, and creates its rows
in that same transaction; the next request of that user waits for the commit and counts them.
Requests of other users do not wait. The count before the lock (without it) only refuses early,
before a file is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from archive.processing.jobs import queued_pages

#: ``Retry-After`` of a request refused by a limit here (HTTP 429): a hint, not a promise. The
#: queue moves a page at a time per worker, so how long until enough of the user's pages are
#: read is not known in advance; a minute is a fair time to look again without hammering.
RETRY_AFTER_SECONDS = 60


def queued_pages_refusal(owner_id: int, page_count: int) -> str | None:
    """The message refusing ``page_count`` more pages to ``owner_id`` because they would take
    the owner past ``OCR_QUEUED_PAGES_PER_USER`` pages waiting for OCR; None if they fit."""
    limit = settings.OCR_QUEUED_PAGES_PER_USER
    waiting = queued_pages(owner_id)
    if waiting + page_count <= limit:
        return None
    return (
        f"You have {waiting:,} pages waiting to be read, and this file's {page_count:,} would "
        f"pass the limit of {limit:,} pages per user. Upload it again once some of your "
        "documents are done."
    )


#: First key of the advisory locks taken here (the second is the user's id): the lock space
#: of per-user quotas, apart from any other advisory lock of the database.
_LOCK_SPACE = 0x5143_4F54  # "QCOT"


def owner_lock(owner_id: int) -> None:
    """Hold ``owner_id``'s quota lock until the current transaction ends (commit or rollback).

    Call it inside the transaction that creates the user's work, then count and create: a
    parallel request of the same user blocks here until this transaction has ended, and then
    counts what it created. ``RuntimeError`` outside a transaction (the lock would be released
    at once, protecting nothing)."""
    if not connection.in_atomic_block:
        raise RuntimeError("owner_lock() needs a transaction")
    with connection.cursor() as cursor:
        # Both keys are int4; ids past 2**31 share a lock with another user (harmless: only
        # one more wait).
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, (%s::bigint %% 2147483647)::int4)",
            [_LOCK_SPACE, owner_id],
        )
