"""Finding documents that no worker will finish, and queueing them again.

A queued or processing document has jobs in the fair OCR queue (``archive.processing.jobs``),
each with a ticket in the task queue. Tickets can be lost: the broker was unreachable when the
upload committed, a Redis broker was flushed, or django-q2 gave a task up. ``jobs.sweep``
replaces the tickets of expired leases and the ones missing by count; what it cannot see (a
document left without any job, by an older release or a restore) is found here.
``requeue_stuck`` (scheduled every few minutes by the ``requeue-stuck-documents`` schedule, see
migration 0007) starts a new run for each stuck document, then sweeps; the run reads only
missing pages, each page is saved once, and ``PageAttempt`` still stops a page that kills every
worker, so a requeue can finish or fail a document but never duplicate.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django_q.models import OrmQ
from django_q.signing import BadSignature, SignedPackage

from archive.models import Document, Page, PageAttempt, PageJob
from archive.processing.enqueue import PROCESS_DOCUMENT, PROCESS_PAGE, tickets_waiting
from archive.processing.jobs import queue_document, sweep

_logger = logging.getLogger(__name__)

#: Tasks of releases before the fair queue, which name their document.
_TASKS = {PROCESS_DOCUMENT, PROCESS_PAGE}


def stuck_documents(*, now: datetime | None = None) -> list[int]:
    """Ids of queued or processing documents with no sign of life and no work queued.

    "No sign of life": no status change, page saved or page started for ``STUCK_AFTER_SECONDS``
    (longer than a page may take, so a page still being read is never mistaken for a lost one).
    "No work queued": no job is held by a live lease, and either the document has no job and
    no task names it, or the broker holds no task at all (its jobs' tickets are lost).
    """
    now = now or timezone.now()
    quiet_since = now - timedelta(seconds=settings.STUCK_AFTER_SECONDS)
    last_page = Page.objects.filter(document=OuterRef("pk")).values("document")
    last_attempt = PageAttempt.objects.filter(document=OuterRef("pk")).values("document")
    epoch = timezone.make_aware(datetime(2000, 1, 1))
    candidates = list(
        Document.objects.filter(status__in=[Document.Status.QUEUED, Document.Status.PROCESSING])
        .annotate(
            last_page=Subquery(last_page.annotate(at=Max("created")).values("at")[:1]),
            last_attempt=Subquery(last_attempt.annotate(at=Max("last_started")).values("at")[:1]),
        )
        .annotate(
            active=Greatest(
                "updated", Coalesce("last_page", epoch), Coalesce("last_attempt", epoch)
            ),
            held=Exists(PageJob.objects.filter(document=OuterRef("pk"), lease_until__gt=now)),
        )
        .filter(active__lt=quiet_since, held=False)
        .values_list("pk", flat=True)
    )
    if not candidates:
        return []
    if not tickets_waiting():
        return candidates
    in_queue = queued_document_ids()
    return [pk for pk in candidates if pk not in in_queue]


def queued_document_ids() -> set[int]:
    """Documents with work queued: a job in the fair queue, or (only the ORM broker can list
    its tasks) a task of an older release naming them."""
    ids = set(PageJob.objects.values_list("document_id", flat=True).distinct())
    if "orm" not in settings.Q_CLUSTER:
        return ids
    for payload in OrmQ.objects.values_list("payload", flat=True).iterator():
        try:
            task = SignedPackage.loads(payload)
        except (BadSignature, Exception):  # a task we cannot read is not ours to judge
            continue
        if task.get("func") in _TASKS and task.get("args"):
            ids.add(int(task["args"][0]))
    return ids


def requeue_stuck() -> list[int]:
    """Queue a new run for every stuck document, then sweep the queue (``jobs.sweep``);
    return the ids of the documents queued again."""
    stuck = stuck_documents()
    for document in Document.objects.filter(pk__in=stuck):
        _logger.warning("document %s has had no worker for a while; queueing it again", document.pk)
        Document.objects.filter(pk=document.pk).update(
            queued_at=timezone.now(), updated=timezone.now()
        )
        queue_document(document, priority=PageJob.Priority.BULK)
    sweep()
    return stuck
