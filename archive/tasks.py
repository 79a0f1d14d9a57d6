"""Background tasks. Tasks only call services; they hold no logic of their own.

django-q2 imports tasks by dotted path, so these names are part of the queue's data: renaming
one strands the tasks already queued under the old name.

Every task is bounded by ``OCR_PAGE_TIMEOUT`` (the cluster's task timeout): a document task
opens the file, queues its pages and reads the first; each other page is a task of its own,
so the pages of a large document are read by all workers at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django_q.tasks import async_task


def process_document(document_id: int) -> None:
    """Worker entry point: start a processing run (see ``processing.document_process``)."""
    from archive.processing import document_process

    document_process(document_id)


def process_page(document_id: int, run: int, number: int) -> None:
    """Worker entry point: read one page of a run (see ``processing.page_process``)."""
    from archive.processing import page_process

    page_process(document_id, run, number)


def requeue_stuck() -> None:
    """Scheduled entry point: queue again the documents no worker will finish (``stuck``)."""
    from archive.stuck import requeue_stuck as requeue

    requeue()


def train_classifier(owner_id: int) -> None:
    """Worker entry point: retrain a user's classifier (``organize.training.classifier_train``)."""
    from archive.organize.training import classifier_train

    classifier_train(owner_id)


def run_bulk_edit(edit_id: int) -> None:
    """Worker entry point: apply a bulk edit batch by batch (``organize.bulk_edit``)."""
    from archive.organize.bulk_edit import bulk_edit_run

    bulk_edit_run(edit_id)


def enqueue_processing(document_id: int) -> str:
    """Queue OCR of a document; call it from ``transaction.on_commit`` so the row is visible."""
    task_id: str = async_task(
        "archive.tasks.process_document",
        document_id,
        task_name=f"ocr-document-{document_id}",
        group="ocr",
    )
    return task_id


def enqueue_pages(document_id: int, run: int, numbers: Iterable[int]) -> None:
    """Queue one task per page number of run ``run``; call it once ``run`` is committed."""
    for number in numbers:
        async_task(
            "archive.tasks.process_page",
            document_id,
            run,
            number,
            task_name=f"ocr-document-{document_id}-run-{run}-page-{number}",
            group="ocr",
        )


def enqueue_classifier_training(owner_id: int) -> None:
    """Queue training of ``owner_id``'s classifier; call it once the change that asks for it
    is committed (``organize.training.classifier_mark_dirty`` does)."""
    async_task(
        "archive.tasks.train_classifier",
        owner_id,
        task_name=f"train-classifier-{owner_id}",
        group="organize",
    )


def enqueue_bulk_edit(edit_id: int) -> None:
    """Queue a bulk edit; call it once the edit is committed."""
    async_task(
        "archive.tasks.run_bulk_edit",
        edit_id,
        task_name=f"bulk-edit-{edit_id}",
        group="organize",
    )
