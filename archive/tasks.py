"""Background tasks: the entry points the workers run. Tasks only call services; they hold no
logic of their own, so this module stays a list of thin entry points.

django-q2 imports tasks by dotted path, so these names are part of the queue's data: renaming
one strands the tasks already queued under the old name. Queueing them is done elsewhere
(``archive.processing.enqueue``), so nothing the tasks call imports this module back.

Every task is bounded by ``OCR_PAGE_TIMEOUT`` (the cluster's task timeout): a document task
opens the file, queues its pages and reads the first; each other page is a task of its own,
so the pages of a large document are read by all workers at once.
"""

from __future__ import annotations

from archive.exports import searchable_pdf_build
from archive.processing import document_process, page_process, run_next
from archive.processing.jobs import sweep
from archive.processing.stuck import requeue_stuck as _requeue_stuck
from archive.retries import storage_retries_due
from archive.search.terms import merge_all


def process_next() -> None:
    """Worker entry point (a ticket): do the OCR job the fair queue hands out next (see
    ``processing.jobs``)."""
    run_next()


def process_document(document_id: int) -> None:
    """Worker entry point: start a processing run (see ``processing.document_process``)."""
    document_process(document_id)


def process_page(document_id: int, run: int, number: int) -> None:
    """Worker entry point: read one page of a run (see ``processing.page_process``)."""
    page_process(document_id, run, number)


def sweep_leases() -> None:
    """Scheduled entry point: hand the jobs of dead workers to live ones (``jobs.sweep``), and
    re-run the documents whose storage re-run is due (``retries``)."""
    sweep()
    storage_retries_due()


def read_ocr_job_page(job_id: str, number: int) -> None:
    """Worker entry point of releases before OCR jobs went through the fair queue: read one
    page of an OCR service job now (``ocr_service.pagetask.ocr_job_page_run``). New jobs' pages are
    read by ``process_next`` tickets."""
    from archive.ocr_service.pagetask import ocr_job_page_run

    ocr_job_page_run(job_id, number)


def requeue_stuck() -> None:
    """Scheduled entry point: queue again the documents no worker will finish (``stuck``)."""
    _requeue_stuck()


def build_searchable_pdf(document_id: int) -> None:
    """Worker entry point: build a document's searchable PDF (``exports.searchable_pdf_build``)."""
    searchable_pdf_build(document_id)


def train_classifier(owner_id: int) -> None:
    """Worker entry point: retrain a user's classifier (``organize.training.classifier_train``)."""
    from archive.organize.training import classifier_train

    classifier_train(owner_id)


def run_bulk_edit(edit_id: int) -> None:
    """Worker entry point: apply a bulk edit batch by batch (``organize.bulk_edit``)."""
    from archive.organize.bulk_edit import bulk_edit_run

    bulk_edit_run(edit_id)


def merge_search_terms() -> None:
    """Scheduled entry point: fold the search index's pending document counts into the terms
    and keep the impact lists up to date (``search.terms.merge_all``)."""
    merge_all()
