"""Background tasks. Tasks only call services; they hold no logic of their own.

django-q2 imports tasks by dotted path, so these names are part of the queue's data: renaming
one strands the tasks already queued under the old name.
"""

from __future__ import annotations

from django_q.tasks import async_task


def process_document(document_id: int) -> None:
    """Worker entry point: OCR every page of a document (see ``processing.document_process``)."""
    from archive.processing import document_process

    document_process(document_id)


def enqueue_processing(document_id: int) -> str:
    """Queue OCR of a document; call it from ``transaction.on_commit`` so the row is visible."""
    task_id: str = async_task(
        "archive.tasks.process_document",
        document_id,
        task_name=f"ocr-document-{document_id}",
        group="ocr",
    )
    return task_id
