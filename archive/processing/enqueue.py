"""Putting OCR work in the task queue.

Kept apart from ``archive.tasks`` (the entry points the workers run) so that the pipeline can
queue pages without importing the module that imports the pipeline: no import cycle. The
dotted names given here are stored in the queue with each task (see ``archive.tasks``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django_q.tasks import async_task

#: The dotted names of the OCR tasks, as stored in the queue (``archive.tasks``).
PROCESS_DOCUMENT = "archive.tasks.process_document"
PROCESS_PAGE = "archive.tasks.process_page"


def enqueue_processing(document_id: int) -> str:
    """Queue OCR of a document; call it from ``transaction.on_commit`` so the row is visible."""
    task_id: str = async_task(
        PROCESS_DOCUMENT,
        document_id,
        task_name=f"ocr-document-{document_id}",
        group="ocr",
    )
    return task_id


def enqueue_pages(document_id: int, run: int, numbers: Iterable[int]) -> None:
    """Queue one task per page number of run ``run``; call it once ``run`` is committed."""
    for number in numbers:
        async_task(
            PROCESS_PAGE,
            document_id,
            run,
            number,
            task_name=f"ocr-document-{document_id}-run-{run}-page-{number}",
            group="ocr",
        )
