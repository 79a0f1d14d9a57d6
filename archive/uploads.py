"""One uploaded file's outcome, in the words the web UI and the REST API both answer with.

``document_create`` does the work; this module only turns its result or its refusal into an
``UploadResult`` (an ``archive.outcomes.Outcome`` with a message), so the browser and API
clients read the same messages, and decides the HTTP status of a request that carried several
files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from archive.filenames import clean_filename
from archive.ingest import (
    FileTooLarge,
    OverLimit,
    StorageFailed,
    UploadRejected,
    document_create,
)
from archive.models import Document
from archive.ocr_imports import ocr_pairs
from archive.outcomes import Outcome
from archive.quotas import RETRY_AFTER_SECONDS


@dataclass(frozen=True)
class UploadResult:
    """What became of one file: ``document`` is None exactly when it was rejected."""

    name: str
    outcome: Outcome
    message: str
    document: Document | None
    too_large: bool = False
    storage_failed: bool = False
    #: Refused by a per-user limit (``ingest.OverLimit``): the same file is taken later.
    over_limit: bool = False


def uploads_take(
    *,
    owner: AbstractBaseUser,
    scans: Sequence[UploadedFile[bytes]],
    ocr_files: Sequence[UploadedFile[bytes]] = (),
    language: str = "",
    engine: str = "",
    password: str = "",
) -> list[UploadResult]:
    """Every scan of one request through ``upload_take``, each with its OCR file if one was
    sent (``archive.ocr_imports``). OCR files pair with scans by base name (``scan.tif`` with
    ``scan.xml`` or ``scan.hocr``), whether sent in ``ocr_files`` or among the ``scans`` (one
    file picker for both); one scan and one OCR file in ``ocr_files`` go together whatever
    their names. An OCR file in ``ocr_files`` that pairs with no scan is refused by name, so
    that the uploader sees it was not used."""
    pairs = ocr_pairs([f.name or "" for f in [*scans, *ocr_files]])
    paired = set(pairs.values())
    by_name = {f.name or "": f for f in [*scans, *ocr_files] if (f.name or "") in paired}
    scans = [f for f in scans if (f.name or "") not in paired]
    if len(scans) == 1 and len(ocr_files) == 1 and not pairs:
        only = ocr_files[0].name or ""
        pairs, by_name, paired = {scans[0].name or "": only}, {only: ocr_files[0]}, {only}
    outcomes = []
    for scan in scans:
        partner = pairs.get(scan.name or "")
        outcomes.append(
            upload_take(
                owner=owner,
                upload=scan,
                name=scan.name or "",
                language=language,
                engine=engine,
                password=password,
                ocr_file=by_name[partner] if partner else None,
            )
        )
    outcomes += [
        UploadResult(
            clean_filename(f.name or ""),
            Outcome.REJECTED,
            gettext(
                "This OCR file goes with no scan of this upload: name it like its scan "
                "(scan.tif with scan.xml or scan.hocr)."
            ),
            None,
        )
        for f in ocr_files
        if (f.name or "") not in paired
    ]
    return outcomes


def upload_take(
    *,
    owner: AbstractBaseUser,
    upload: IO[bytes],
    name: str,
    language: str = "",
    engine: str = "",
    password: str = "",
    ocr_file: IO[bytes] | None = None,
) -> UploadResult:
    """One file (with its OCR file, if any) through ``document_create``; never raises
    ``UploadRejected`` (it becomes a ``rejected`` outcome with the refusal's message)."""
    # Django already drops directories from uploaded names; document_create cleans the rest,
    # and messages show the name as it will be stored.
    shown = clean_filename(name)
    try:
        result = document_create(
            owner=owner,
            upload=upload,
            name=name,
            language=language,
            engine=engine,
            password=password,
            ocr_file=ocr_file,
        )
    except UploadRejected as error:
        return UploadResult(
            shown,
            Outcome.REJECTED,
            str(error),
            None,
            too_large=isinstance(error, FileTooLarge),
            storage_failed=isinstance(error, StorageFailed),
            over_limit=isinstance(error, OverLimit),
        )
    document = result.document
    if result.outcome is Outcome.DUPLICATE and result.ocr_replaced:
        if document.status == Document.Status.NEEDS_PASSWORD:
            message = gettext(
                "you already have this file as “%(title)s”: its OCR file is replaced, and "
                "its text is read from it once the PDF's password is given."
            ) % {"title": document}
        else:
            message = gettext(
                "you already have this file as “%(title)s”: its text is replaced by the "
                "new OCR file's, read again now."
            ) % {"title": document}
    elif result.outcome is Outcome.DUPLICATE:
        message = gettext("you already have this file as “%(title)s”.") % {"title": document}
    elif result.outcome is Outcome.NEEDS_PASSWORD:
        message = gettext("stored, not read yet. %(reason)s") % {"reason": document.error}
    elif document.ocr_file:
        message = gettext("uploaded with its OCR file: its text is kept, pages it lacks are read.")
    else:
        message = gettext("uploaded, OCR queued.")
    return UploadResult(shown, result.outcome, message, document)


def upload_status(outcomes: Sequence[UploadResult]) -> int:
    """The HTTP status of a request with these outcomes: 200 when at least one file was taken
    in, 413 (Content Too Large) when every file was refused for its size alone, 507
    (Insufficient Storage) when every file failed to be stored, 429 (Too Many Requests) when
    every file was refused by a per-user limit (send ``upload_retry_after`` with it), else 400
    (some file needs fixing)."""
    if any(outcome.document is not None for outcome in outcomes):
        return 200
    if outcomes and all(outcome.too_large for outcome in outcomes):
        return 413
    if outcomes and all(outcome.storage_failed for outcome in outcomes):
        return 507
    if outcomes and all(outcome.over_limit for outcome in outcomes):
        return 429
    return 400


def upload_headers(status: int) -> dict[str, str]:
    """The headers an upload answer of ``status`` (``upload_status``) needs: ``Retry-After``
    with a 429."""
    return {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 429 else {}
