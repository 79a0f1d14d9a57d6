"""Real scans from the shared test data, uploaded and read by the real workers' code.

Shared by the review and admin tests: Fraktur text lines (German, low confidence: some words
are misread) and clean English text lines (high confidence).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser

from archive.ingest import document_create
from archive.models import Document
from archive.processing import document_process
from tests.archive.conftest import run_queued_tasks

FRAKTUR_LINES = (
    "ocrd_dta_lines_de/alexis_ruhe01_1852_0018_022.tif",
    "ocrd_dta_lines_de/andreas_fenitschka_1898_0033_026.tif",
)
ENGLISH_LINE = "uw3_lines_en/test_010002.png"
#: A Fraktur line read with page confidence 0.75 (3 of its 7 words under 0.8): listed under
#: "Needs review" at the default threshold.
DOUBTFUL_LINE = "ocrd_dta_lines_de/alexis_ruhe01_1852_0035_019.tif"


def scanned(
    owner: AbstractBaseUser, testdata: Path, name: str, *, language: str, title: str = ""
) -> Document:
    """Upload ``testdata/name`` as ``owner``'s document and read it (OCR) to the end."""
    path = testdata / name
    with path.open("rb") as handle:
        document = document_create(
            owner=owner, upload=handle, name=path.name, language=language, title=title
        ).document
    document_process(document.pk)
    run_queued_tasks()
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    return document
