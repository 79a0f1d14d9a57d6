"""Putting OCR tickets in the task queue.

Kept apart from ``archive.tasks`` (the entry points the workers run) so that the pipeline can
queue work without importing the module that imports the pipeline: no import cycle. The
dotted names given here are stored in the queue with each task (see ``archive.tasks``). What
a ticket does is decided when it runs, by the fair queue (``archive.processing.jobs``).
"""

from __future__ import annotations

from django_q.brokers import get_broker
from django_q.tasks import async_task

#: The dotted names of the OCR tasks of releases before the fair queue: still run when found
#: in the queue (``archive.tasks``), and read by the stuck-document check.
PROCESS_DOCUMENT = "archive.tasks.process_document"
PROCESS_PAGE = "archive.tasks.process_page"


#: The ticket: "do the OCR job that comes first now" (``archive.processing.jobs``).
PROCESS_NEXT = "archive.tasks.process_next"


def send_tickets(count: int) -> None:
    """Put ``count`` tickets in the queue; each lets one worker take one job."""
    for _ in range(count):
        async_task(PROCESS_NEXT, task_name="ocr-next", group="ocr")


def tickets_waiting() -> int:
    """Tasks the broker holds that no worker has taken yet.

    Tasks handed out are not counted: those of a worker that died stay handed out until the
    broker's retry time (``OCR_RETRY_SECONDS``), and must not hide that their jobs wait
    without a ticket. Counting only these, the sweep may send as many tickets too many as
    workers have taken in advance (``queue_limit``); a ticket with nothing to do ends at once.
    """
    return int(get_broker().queue_size() or 0)
