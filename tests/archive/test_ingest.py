"""archive.ingest: uploads are validated by content, stored unchanged, and never half-made."""

from __future__ import annotations

import hashlib
import io
import itertools
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage

from archive.ingest import FileTooLarge, UploadRejected, document_create
from archive.models import Document
from archive.outcomes import Outcome
from tests.ocr.pdfmaker import LETTER, blank_pdf


def _stored_files(settings: Any) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.mark.django_db
def test_upload_is_stored_unchanged_and_queued(
    alice, make_upload, django_capture_on_commit_callbacks
):
    upload = make_upload("receipt.png")
    data = upload.read()
    with django_capture_on_commit_callbacks() as callbacks:
        result = document_create(owner=alice, upload=upload, name="receipt.png", language="en")
    assert result.outcome is Outcome.CREATED
    document = result.document
    assert document.status == Document.Status.QUEUED
    assert document.mime_type == "image/png"
    assert document.size == len(data)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.title == "receipt"
    with default_storage.open(document.original.name or "", "rb") as stored:
        assert stored.read() == data
    assert len(callbacks) == 1, "the OCR task is enqueued once, on commit"


@pytest.mark.django_db
def test_type_is_decided_by_content_not_name(alice, make_upload):
    # A PNG named .pdf is a PNG; a zip named .png is rejected.
    png_named_pdf = make_upload("scan.pdf")
    assert document_create(
        owner=alice, upload=png_named_pdf, name="scan.pdf"
    ).document.mime_type == ("image/png")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.txt", "hello")
    with pytest.raises(UploadRejected, match="not a supported scan"):
        document_create(owner=alice, upload=make_upload(data=archive.getvalue()), name="fake.png")


@pytest.mark.django_db
def test_duplicate_is_not_stored_twice(alice, bob, make_upload, settings):
    data = make_upload().read()
    first = document_create(owner=alice, upload=make_upload(data=data), name="a.png")
    again = document_create(owner=alice, upload=make_upload(data=data), name="copy.png")
    assert first.outcome is Outcome.CREATED
    assert again.outcome is Outcome.DUPLICATE
    assert again.document.pk == first.document.pk
    assert Document.objects.filter(owner=alice).count() == 1
    assert len(_stored_files(settings)) == 1
    # Another owner's identical file is theirs: a separate document.
    other = document_create(owner=bob, upload=make_upload(data=data), name="a.png")
    assert other.outcome is Outcome.CREATED
    assert other.document.pk != first.document.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"just some words, not an image", "not a supported scan"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "damaged|corrupt|cannot be read|truncated"),
    ],
    ids=["empty", "text", "truncated-png"],
)
def test_bad_files_are_rejected_leaving_nothing(alice, make_upload, settings, data, message):
    with pytest.raises(UploadRejected, match=message):
        document_create(owner=alice, upload=make_upload(data=data), name="bad.png")
    assert not Document.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.django_db
def test_upload_over_the_size_limit_is_rejected(alice, make_upload, settings):
    settings.MAX_UPLOAD_MB = 1
    big = make_upload(data=b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024 + 1))
    with pytest.raises(FileTooLarge, match="above the limit of 1 MB"):
        document_create(owner=alice, upload=big, name="big.png")
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_file_over_the_page_limit_is_rejected(alice, make_upload, settings):
    settings.MAX_PAGES = 2
    with pytest.raises(UploadRejected, match="has 3 pages, above the limit of 2 pages"):
        document_create(
            owner=alice, upload=make_upload(data=blank_pdf(*[LETTER] * 3)), name="three.pdf"
        )
    assert not Document.objects.exists()
    assert _stored_files(settings) == []
    settings.MAX_PAGES = 3
    assert document_create(
        owner=alice, upload=make_upload(data=blank_pdf(*[LETTER] * 3)), name="3.pdf"
    ).outcome.is_new


@pytest.mark.django_db
def test_five_thousand_pages_are_over_the_default_limit(alice, make_upload, settings):
    assert settings.MAX_PAGES == 2000
    upload = make_upload(data=blank_pdf(*[LETTER] * 5000))
    with pytest.raises(UploadRejected, match="has 5,000 pages, above the limit of 2,000 pages"):
        document_create(owner=alice, upload=upload, name="huge.pdf")
    assert not Document.objects.exists()
    assert _stored_files(settings) == []


@pytest.mark.django_db
def test_heic_photo_is_accepted(alice, make_upload, testdata, settings):
    data = (testdata / "pdfs" / "paperless" / "simple.heic").read_bytes()
    document = document_create(owner=alice, upload=make_upload(data=data), name="IMG_0001.HEIC")
    assert document.outcome is Outcome.CREATED
    assert document.document.mime_type == "image/heic"
    assert (document.document.original.name or "").endswith(".heic")
    assert document.document.status == Document.Status.QUEUED
    assert [p.read_bytes() for p in _stored_files(settings)] == [data]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "original_name", "title"),
    [
        ("../../etc/passwd.png", "passwd.png", "passwd"),
        ("a\x00b\r\n.png", "ab.png", "ab"),
        ("C:\\scans\\x.png", "x.png", "x"),
        ("   .png", "upload.png", "Untitled scan"),
    ],
)
def test_file_names_are_cleaned(alice, make_upload, name, original_name, title):
    document = document_create(owner=alice, upload=make_upload(), name=name).document
    document.refresh_from_db()
    assert (document.original_name, document.title) == (original_name, title)


@pytest.mark.django_db
def test_a_title_given_is_cleaned_too(alice, make_upload):
    document = document_create(
        owner=alice, upload=make_upload(), name="x.png", title="Lease\x00 2024\n"
    ).document
    assert document.title == "Lease 2024"


def test_new_document_ids_say_nothing_about_the_archive(alice, bob, make_upload):
    # Issue 15, item 9: sequential global ids let any user count everyone's uploads.
    from archive.models import FIRST_RANDOM_ID, LAST_RANDOM_ID

    ids = []
    for owner in (alice, bob, alice, bob):
        upload = make_upload()
        ids.append(document_create(owner=owner, upload=upload, name=upload.name).document.pk)
    assert all(FIRST_RANDOM_ID <= pk < LAST_RANDOM_ID for pk in ids)
    steps = [abs(b - a) for a, b in itertools.pairwise(ids)]
    assert min(steps) > 1_000_000, ids  # not a counter: a neighbour's id is unguessable
