"""What became of one incoming file, in one vocabulary for every door it came in by.

A file reaches ``archive.ingest.document_create`` from a browser upload, the REST API, ``manage.py
import`` or the consume folder; each of them reports its fate with an ``Outcome``. The values are
the words the web page and the API answer with (``{"outcome": "created"}``), so they are part of
the API's contract: do not rename them.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """One incoming file's fate.

    - ``CREATED``: a new document, queued for OCR.
    - ``NEEDS_PASSWORD``: a new document, a protected PDF stored unread until its owner gives the
      password (not queued).
    - ``DUPLICATE``: the owner already has this file (same sha256); nothing new was stored.
    - ``REJECTED``: refused (or not storable); nothing was stored, and the caller has the reason.
    """

    # In the order the API schema lists them.
    CREATED = "created"
    DUPLICATE = "duplicate"
    NEEDS_PASSWORD = "needs_password"
    REJECTED = "rejected"

    @property
    def is_new(self) -> bool:
        """A new document was made (``CREATED`` or ``NEEDS_PASSWORD``)."""
        return self in (Outcome.CREATED, Outcome.NEEDS_PASSWORD)
