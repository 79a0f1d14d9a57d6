"""Leases on OCR jobs (archive.processing.leases): renewed while a page is read, given up when
they cannot be, and a page taken over after its lease ran out is saved once."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from archive.ingest import document_create
from archive.models import Document, PageJob
from archive.processing import document_process, reading
from archive.processing.images import encode_images
from archive.processing.jobs import Lease, claim
from archive.processing.leases import LeaseLost, held
from archive.processing.runs import run_job
from archive.processing.saving import save_page
from ocr.engines import get_engine
from tests.archive.conftest import encode, render_page


def _two_pages(owner) -> Document:
    frames = [render_page([f"{word} section"], size=(900, 400)) for word in ("Kilo", "Lima")]
    upload = SimpleUploadedFile("two.tif", encode(frames, "TIFF"))
    return document_create(owner=owner, upload=upload, name="two.tif", language="en").document


@pytest.mark.django_db
def test_a_page_taken_over_after_its_lease_ran_out_is_saved_once(alice):
    document = _two_pages(alice)
    document_process(document.pk)  # page 1 read, page 2 queued
    first = claim()
    assert first is not None
    assert first.number == 2
    # Worker A reads page 2, then stalls (the database unreachable, say) past its lease.
    document.refresh_from_db()
    engine = get_engine(document.engine)
    with reading.opened(document) as source:
        image, result = reading.read(document, engine, source, 2)
    PageJob.objects.filter(pk=first.job).update(lease_until=timezone.now() - timedelta(seconds=1))
    # Worker B takes the job over and reads the page.
    second = claim()
    assert second is not None
    assert (second.job, second.taken_over) == (first.job, True)
    run_job(second)
    # A comes back: its result is not saved, and leaves nothing behind.
    assert not save_page(document, first, image, encode_images(image), result)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert list(document.pages.values_list("number", flat=True)) == [1, 2]
    assert "lima" in document.pages.get(number=2).text.lower()
    folder = f"pages/{alice.pk}/{document.pk}"
    assert len(default_storage.listdir(folder)[1]) == 4  # two pages, image and thumbnail each
    assert not PageJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_keeps_the_job_from_other_workers_past_the_lease(alice, settings):
    settings.OCR_LEASE_SECONDS = 3
    document = _two_pages(alice)
    lease = claim()
    assert lease is not None
    assert lease.document_id == document.pk
    with held(lease):
        time.sleep(2 * settings.OCR_LEASE_SECONDS)  # a slow page: twice the lease
        assert claim() is None  # renewed meanwhile: nobody else may take it
    assert claim() is None  # still within its last renewal


@pytest.mark.django_db(transaction=True)
def test_work_stops_when_its_job_was_taken_over(alice, settings):
    settings.OCR_LEASE_SECONDS = 3
    _two_pages(alice)
    lease = claim()
    assert lease is not None
    with pytest.raises(LeaseLost):
        _read_while_taken_over(lease, settings.OCR_LEASE_SECONDS)
    assert PageJob.objects.get(pk=lease.job).lease_token != lease.token


def _read_while_taken_over(lease: Lease, seconds: int) -> None:
    """A page being read while another worker takes its job over (this one's lease ran out
    while it was cut off from the database); the heartbeat stops it."""
    with held(lease):
        PageJob.objects.filter(pk=lease.job).update(lease_token=uuid.uuid4())
        for _ in range(20 * seconds):
            time.sleep(0.1)
