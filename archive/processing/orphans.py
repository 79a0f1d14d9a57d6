"""Page files no page refers to, and where a document's page files live."""

from __future__ import annotations

import logging

from django.core.files.storage import default_storage

from archive.models import Document

_logger = logging.getLogger(__name__)


def page_folder(document: Document) -> str:
    """The storage folder of the document's page images and thumbnails."""
    return f"pages/{document.owner_id}/{document.pk}"


def remove_orphans(document: Document) -> None:
    """Delete page images no page refers to: written by a worker that died before its page
    was committed (files are stored before the row, so a row never lacks its file).

    Call it under the document's row lock with its last run finished, so that no page is
    being added meanwhile."""
    folder = page_folder(document)
    try:
        # Not exists(folder) first: S3 has no folders, only keys under a prefix.
        stored = default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return
    kept = {
        name.rsplit("/", 1)[-1]
        for pair in document.pages.values_list("image", "thumbnail")
        for name in pair
        if name
    }
    for name in stored:
        if name not in kept:
            _logger.info("document %s: removing orphaned page file %s", document.pk, name)
            default_storage.delete(f"{folder}/{name}")
