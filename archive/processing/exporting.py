"""The searchable PDF built as soon as a document is done (``SEARCHABLE_PDF_AT_END``)."""

from __future__ import annotations

import logging

from archive.exports import ExportUnavailable, searchable_pdf
from archive.models import Document

_logger = logging.getLogger(__name__)


def export_at_end(document: Document) -> None:
    """Build the searchable PDF now. The document is done whatever happens here: a PDF that
    cannot be made is logged, and made (or explained) on request."""
    try:
        searchable_pdf(document)
    except ExportUnavailable as error:
        _logger.warning("document %s: no searchable PDF: %s", document.pk, error)
    except Exception as error:  # never fail a read document for its export
        _logger.error("document %s: searchable PDF failed", document.pk, exc_info=error)
