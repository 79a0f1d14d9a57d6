"""The OCR library as a service: ``POST /api/ocr/`` reads a file without storing a document.

Public surface for the API (``archive.api.ocr``) and the worker task (``archive.tasks``):
submit a job (``jobs``), wait a bounded time for it, read it back as its creator
(``selectors``), render it (``results``), and the worker's page task (``run``).
"""

from __future__ import annotations

from archive.ocr_service.jobs import (
    FINISHED,
    OcrRequestRejected,
    ocr_job_submit,
    ocr_job_wait,
    purge_expired,
)
from archive.ocr_service.results import OUTPUTS, job_file, job_json
from archive.ocr_service.selectors import ocr_job_get

__all__ = [
    "FINISHED",
    "OUTPUTS",
    "OcrRequestRejected",
    "job_file",
    "job_json",
    "ocr_job_get",
    "ocr_job_submit",
    "ocr_job_wait",
    "purge_expired",
]
