"""Finding documents that no worker will finish, and queueing them again.

A document is queued or processing while tasks for it are in the task queue or running. Those
tasks can be lost: the broker was unreachable when the upload committed, a Redis broker was
flushed, or django-q2 gave a task up after its worker died ``max_attempts`` times. Such a
document would say "processing" for ever. ``requeue_stuck`` (scheduled every few minutes by
the ``requeue-stuck-documents`` schedule, see migration 0007) starts a new run for each one;
the run reads only missing pages, each page is saved once, and ``PageAttempt`` still stops a
page that kills every worker, so a requeue can finish or fail a document but never duplicate.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import OrmQ
from django_q.signing import BadSignature, SignedPackage

from archive.models import Document, Page, PageAttempt
from archive.processing.enqueue import PROCESS_DOCUMENT, PROCESS_PAGE, enqueue_processing

_logger = logging.getLogger(__name__)

_TASKS = {PROCESS_DOCUMENT, PROCESS_PAGE}


def stuck_documents(*, now: datetime | None = None) -> list[int]:
    """Ids of queued or processing documents with no sign of life and no task in the queue.

    "No sign of life": no status change, page saved or page started for ``STUCK_AFTER_SECONDS``
    (longer than a page may take, so a page still being read is never mistaken for a lost one).
    "No task": none of the broker's waiting or handed-out tasks names the document; with a broker
    whose tasks cannot be listed, the broker must be empty instead.
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
            )
        )
        .filter(active__lt=quiet_since)
        .values_list("pk", flat=True)
    )
    if not candidates:
        return []
    in_queue = queued_document_ids()
    if in_queue is None:
        return candidates if _broker_idle() else []
    return [pk for pk in candidates if pk not in in_queue]


def queued_document_ids() -> set[int] | None:
    """Documents named by a task the broker holds (waiting, or handed out and not yet done).

    Only the ORM broker can list its tasks; for any other broker this returns None.
    """
    if "orm" not in settings.Q_CLUSTER:
        return None
    ids: set[int] = set()
    for payload in OrmQ.objects.values_list("payload", flat=True).iterator():
        try:
            task = SignedPackage.loads(payload)
        except (BadSignature, Exception):  # a task we cannot read is not ours to judge
            continue
        if task.get("func") in _TASKS and task.get("args"):
            ids.add(int(task["args"][0]))
    return ids


def _broker_idle() -> bool:
    broker = get_broker()
    return not broker.queue_size() and not (broker.lock_size() or 0)


def requeue_stuck() -> list[int]:
    """Queue a new processing run for every stuck document; return their ids."""
    stuck = stuck_documents()
    for pk in stuck:
        _logger.warning("document %s has had no worker for a while; queueing it again", pk)
        Document.objects.filter(pk=pk).update(queued_at=timezone.now(), updated=timezone.now())
        enqueue_processing(pk)
    return stuck
