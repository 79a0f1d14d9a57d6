"""archive.uploads: one file's outcome in the UI's and the API's words, and a request's status."""

from __future__ import annotations

import pytest

from archive.models import Document
from archive.outcomes import Outcome
from archive.uploads import UploadResult, upload_status, upload_take

pytestmark = pytest.mark.django_db


def test_each_outcome_has_its_message(alice, make_upload, settings, testdata):
    created = upload_take(owner=alice, upload=make_upload("a.png"), name="dir/a.png")
    assert (created.name, created.outcome, created.message) == (
        "a.png",
        Outcome.CREATED,
        "uploaded, OCR queued.",
    )
    assert created.document is not None

    data = make_upload("a.png").read()
    again = upload_take(owner=alice, upload=make_upload("b.png", data=data), name="b.png")
    assert again.outcome is Outcome.DUPLICATE
    assert again.message == "you already have this file as “a”."
    assert again.document == created.document

    pdf = testdata / "pdfs" / "paperless" / "password-is-test.pdf"
    with pdf.open("rb") as handle:
        locked = upload_take(owner=alice, upload=handle, name=pdf.name)
    assert locked.outcome is Outcome.NEEDS_PASSWORD
    assert locked.message.startswith("stored, not read yet. This PDF is protected by a password.")

    refused = upload_take(owner=alice, upload=make_upload("x.txt", data=b"text"), name="x.txt")
    assert (refused.outcome, refused.document, refused.too_large) == (Outcome.REJECTED, None, False)

    settings.MAX_UPLOAD_MB = 1
    big = make_upload("big.bmp", data=b"BM" + bytes(2 * 1024 * 1024 - 2))
    too_large = upload_take(owner=alice, upload=big, name="big.bmp")
    assert too_large.too_large
    assert too_large.message == "The file is 2.0 MB, above the limit of 1 MB."
    assert Document.objects.filter(owner=alice).count() == 2


def _outcome(outcome: Outcome, *, document: bool = True, too_large: bool = False) -> UploadResult:
    return UploadResult("f", outcome, "", Document() if document else None, too_large)


def test_status_of_a_request():
    rejected = _outcome(Outcome.REJECTED, document=False)
    too_large = _outcome(Outcome.REJECTED, document=False, too_large=True)
    assert upload_status([_outcome(Outcome.CREATED), rejected]) == 200
    assert upload_status([_outcome(Outcome.DUPLICATE)]) == 200
    assert upload_status([rejected, too_large]) == 400
    assert upload_status([too_large, too_large]) == 413
    assert upload_status([]) == 400
