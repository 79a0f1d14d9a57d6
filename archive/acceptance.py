"""What a stored file must meet to be read, shared by the upload (``archive.ingest``), a PDF
password given later (``archive.documents``) and the OCR service (``archive.ocr_service``):
kept apart from all three so that none imports another for it.
"""

from __future__ import annotations

from django.conf import settings

WRONG_PASSWORD_MESSAGE = "The password given does not open this PDF."


def too_many_pages(page_count: int) -> str | None:
    """The message refusing a file of ``page_count`` pages, or None if within ``MAX_PAGES``."""
    if page_count <= settings.MAX_PAGES:
        return None
    return (
        f"The file has {page_count:,} pages, above the limit of {settings.MAX_PAGES:,} pages. "
        "Split it into smaller files."
    )
