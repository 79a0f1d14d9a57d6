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

**Every way a user queues pages passes here** (``queue_share_take``): an upload, a call of the
OCR service, a re-run of one document (web, API), a PDF's password (which queues the document
it opens) and a bulk re-run (``archive.organize.bulk_edit``), each with the same message but
for the words naming the work (``Work``). A re-run counts the pages it will read (all of them,
or the missing ones), less the pages of the same documents already waiting, which it replaces.
Not limited: what the operator or the system queues (``manage.py import`` at bulk priority,
staff re-runs in the admin, a restore, the recovery of stuck documents, the pages an opened
document queues, which its opening job counted already).
"""

from __future__ import annotations

import enum
from collections.abc import Collection

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils.formats import number_format
from django.utils.translation import ngettext

from archive.errors import UserError
from archive.models import PageJob
from archive.processing.jobs import queued_pages

#: ``Retry-After`` of a request refused by a limit here (HTTP 429): a hint, not a promise. The
#: queue moves a page at a time per worker, so how long until enough of the user's pages are
#: read is not known in advance; a minute is a fair time to look again without hammering.
RETRY_AFTER_SECONDS = 60


class Work(enum.Enum):
    """What queues the pages: it names them in the message (``_refusal_text``)."""

    UPLOAD = "upload"
    RERUN = "rerun"
    PASSWORD = "password"
    BULK_RERUN = "bulk_rerun"


def _refusal_text(work: Work, waiting: int) -> str:
    """The refusal for ``work`` in the active language, with ``%(waiting)s``, ``%(count)s`` and
    ``%(limit)s`` left to fill in. One whole sentence per kind of work (not pieces put
    together), so that each language can word it its own way; plural by ``waiting``."""
    if work is Work.RERUN:
        return ngettext(
            "You have %(waiting)s page waiting to be read, and this document's %(count)s would "
            "pass the limit of %(limit)s pages per user. Re-run it once some of your documents "
            "are done.",
            "You have %(waiting)s pages waiting to be read, and this document's %(count)s would "
            "pass the limit of %(limit)s pages per user. Re-run it once some of your documents "
            "are done.",
            waiting,
        )
    if work is Work.PASSWORD:
        return ngettext(
            "You have %(waiting)s page waiting to be read, and this document's %(count)s would "
            "pass the limit of %(limit)s pages per user. Enter its password again once some of "
            "your documents are done.",
            "You have %(waiting)s pages waiting to be read, and this document's %(count)s would "
            "pass the limit of %(limit)s pages per user. Enter its password again once some of "
            "your documents are done.",
            waiting,
        )
    if work is Work.BULK_RERUN:
        return ngettext(
            "You have %(waiting)s page waiting to be read, and these documents' %(count)s would "
            "pass the limit of %(limit)s pages per user. Re-run them once some of your documents "
            "are done.",
            "You have %(waiting)s pages waiting to be read, and these documents' %(count)s would "
            "pass the limit of %(limit)s pages per user. Re-run them once some of your documents "
            "are done.",
            waiting,
        )
    return ngettext(
        "You have %(waiting)s page waiting to be read, and this file's %(count)s would pass the "
        "limit of %(limit)s pages per user. Upload it again once some of your documents are "
        "done.",
        "You have %(waiting)s pages waiting to be read, and this file's %(count)s would pass "
        "the limit of %(limit)s pages per user. Upload it again once some of your documents "
        "are done.",
        waiting,
    )


class QueueFull(UserError):
    """Refused by ``OCR_QUEUED_PAGES_PER_USER``: the same request succeeds once some of the
    user's pages are read (the web and the API answer 429 with ``Retry-After``)."""


def queued_pages_refusal(
    owner_id: int,
    page_count: int,
    *,
    work: Work = Work.UPLOAD,
    replacing: Collection[int] = (),
) -> str | None:
    """The message (in the active language) refusing ``page_count`` more pages to
    ``owner_id`` because they would take the owner past ``OCR_QUEUED_PAGES_PER_USER`` pages
    waiting for OCR; None if they fit.
    The pages already queued for the documents ``replacing`` are not counted: the new work
    takes their place (a re-run drops its document's earlier jobs)."""
    limit = settings.OCR_QUEUED_PAGES_PER_USER
    waiting = queued_pages(owner_id)
    if replacing:
        replaced = PageJob.objects.filter(owner_id=owner_id, document_id__in=replacing).aggregate(
            pages=Sum("pages")
        )["pages"]
        waiting -= int(replaced or 0)
    if waiting + page_count <= limit:
        return None
    return _refusal_text(work, waiting) % {
        "waiting": number_format(waiting, force_grouping=True),
        "count": number_format(page_count, force_grouping=True),
        "limit": number_format(limit, force_grouping=True),
    }


def queue_share_take(
    owner_id: int,
    page_count: int,
    *,
    work: Work,
    replacing: Collection[int] = (),
) -> None:
    """The one check before pages are queued for ``owner_id``: take the owner's quota lock
    (``owner_lock``: call it in the transaction that then queues the pages), count, and raise
    ``QueueFull`` with the plain message if ``page_count`` more pages (less those of the
    documents ``replacing``) would pass ``OCR_QUEUED_PAGES_PER_USER``."""
    owner_lock(owner_id)
    refusal = queued_pages_refusal(owner_id, page_count, work=work, replacing=replacing)
    if refusal is not None:
        raise QueueFull(refusal)


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
